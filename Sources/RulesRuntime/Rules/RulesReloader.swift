import Foundation
import Logging
import LuaKit
import PostingModel
import PostingStore
import RulesEngine

/// Loads a rules folder again and switches a running process over to it, only if it loads: a
/// broken edit keeps the old rules running and logs every load error with its file and line.
public final class RulesReloader: Sendable {
    public let holder: RulesHolder
    public let limits: LuaLimits
    public let jobs: Int
    public let store: any PostingStore
    public let logger: Logger

    public init(holder: RulesHolder, limits: LuaLimits, jobs: Int, store: any PostingStore, logger: Logger) {
        self.holder = holder
        self.limits = limits
        self.jobs = jobs
        self.store = store
        self.logger = logger
    }

    /// What a reload did.
    public enum Outcome: Sendable, Equatable {
        /// Switched to this version.
        case switched(from: String, to: String)
        /// The folder's files are the ones running already.
        case unchanged(String)
        /// Kept the old rules: the new ones do not load (the errors, as `file:line: code: message`).
        case kept(String, errors: [String])
    }

    @discardableResult
    public func reload() async -> Outcome {
        let old = holder.current
        let new: LoadedRules
        do {
            new = try LoadedRules.load(root: old.root, limits: limits, jobs: jobs)
        } catch let error as RulesLoadError {
            for problem in error.errors {
                logger.error("rules reload: \(problem.description)", metadata: ["rules": .string(old.root.path)])
            }
            logger.error("rules reload failed; still running the old rules", metadata: ["version": .string(old.version.short)])
            return .kept(old.version.digest, errors: error.errors.map(\.description))
        } catch {
            logger.error("rules reload: \(error); still running the old rules", metadata: ["version": .string(old.version.short)])
            return .kept(old.version.digest, errors: ["\(error)"])
        }
        if new.version == old.version {
            logger.notice("rules reload: no change", metadata: ["version": .string(old.version.short)])
            return .unchanged(old.version.digest)
        }
        do {
            try await store.recordRulesVersion(new.version, at: .now())
        } catch {
            logger.error("rules reload: cannot record the new version: \(error); still running the old rules")
            return .kept(old.version.digest, errors: ["\(error)"])
        }
        holder.replace(with: new)
        logger.notice("rules reloaded", metadata: ["from": .string(old.version.short), "to": .string(new.version.short)])
        return .switched(from: old.version.digest, to: new.version.digest)
    }
}

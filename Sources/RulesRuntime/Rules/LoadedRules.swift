import Foundation
import LuaKit
import PostingModel
import RulesEngine
import Synchronization

/// A rules folder loaded into engines, with the version of exactly the files they run.
public struct LoadedRules: Sendable {
    public let workers: EvaluationWorkers
    public let version: RulesVersion
    public let root: URL

    public init(workers: EvaluationWorkers, version: RulesVersion, root: URL) {
        self.workers = workers
        self.version = version
        self.root = root
    }

    /// Reads the folder once and loads `jobs` engines from that one snapshot, so the version
    /// recorded is the code that runs. Throws `RulesFolder.MissingError` or `RulesLoadError`.
    public static func load(root: URL, limits: LuaLimits, jobs: Int = 1) throws -> LoadedRules {
        let folder = try RulesFolder(root: root)
        let pool = try RulesEnginePool(folder: folder, limits: limits, jobs: jobs)
        return LoadedRules(workers: EvaluationWorkers(pool: pool), version: RulesVersion(folder: folder), root: folder.root)
    }
}

/// The rules a long-running process uses now; a reload swaps them between two pieces of work,
/// never during one.
public final class RulesHolder: Sendable {
    private let rules: Mutex<LoadedRules>

    public init(_ rules: LoadedRules) {
        self.rules = Mutex(rules)
    }

    public var current: LoadedRules { rules.withLock { $0 } }

    /// Replaces the rules; returns the ones replaced.
    @discardableResult
    public func replace(with new: LoadedRules) -> LoadedRules {
        rules.withLock { current in
            let old = current
            current = new
            return old
        }
    }
}

import ArgumentParser
import Foundation
import LuaKit
import PostingStore
import RulesRuntime
import SQLiteStore
import PostingModel
import RulesEngine

/// Loads a rules folder for the store commands, with its version digest. A missing folder exits
/// 2; rules that do not load print every problem and exit 1 (as `evaluate` does).
enum RulesLoading {
    static func load(_ options: RulesOptions, limits: LuaLimits) throws -> (RulesEngine, RulesVersion) {
        let (engines, version) = try load(options, limits: limits, engines: 1)
        return (engines[0], version)
    }

    /// `engines` engines (one Lua state each) of the same folder, for parallel evaluation.
    static func load(_ options: RulesOptions, limits: LuaLimits, engines count: Int) throws -> ([RulesEngine], RulesVersion) {
        let folder: RulesFolder
        do {
            folder = try RulesFolder(root: options.rulesURL)
        } catch {
            Diagnostics.write("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        do {
            var engines: [RulesEngine] = []
            for _ in 0..<max(1, count) { engines.append(try RulesEngine(folder: folder, limits: limits)) }
            return (engines, RulesVersion(folder: folder))
        } catch {
            for problem in error.errors { Diagnostics.write(problem.description) }
            Diagnostics.write("ozon-rules: the rules in \(options.rules) do not load; run `ozon-rules check` for details")
            throw ExitCode(1)
        }
    }
}

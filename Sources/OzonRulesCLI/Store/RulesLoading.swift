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
    /// `jobs` engines (one Lua state each) of the same folder, for parallel evaluation.
    static func load(_ options: RulesOptions, limits: LuaLimits, jobs: Int = 1, io: CommandIO) throws -> LoadedRules {
        do {
            return try LoadedRules.load(root: options.rulesURL, limits: limits, jobs: jobs)
        } catch let error as RulesLoadError {
            for problem in error.errors { io.err.writeLine(problem.description) }
            io.err.writeLine("ozon-rules: the rules in \(options.rules) do not load; run `ozon-rules check` for details")
            throw ExitCode(1)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
    }
}

import ArgumentParser
import Foundation
import LuaKit
import PostingStore
import RulesEngine

/// Loads a rules folder for the store commands, with its version digest. A missing folder exits
/// 2; rules that do not load print every problem and exit 1 (as `evaluate` does).
enum RulesLoading {
    static func load(_ options: RulesOptions, limits: LuaLimits) throws -> (RulesEngine, RulesVersion) {
        let folder: RulesFolder
        do {
            folder = try RulesFolder(root: options.rulesURL)
        } catch {
            Diagnostics.write("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        do {
            let engine = try RulesEngine(folder: folder, limits: limits)
            return (engine, RulesVersion(folder: folder))
        } catch {
            for problem in error.errors { Diagnostics.write(problem.description) }
            Diagnostics.write("ozon-rules: the rules in \(options.rules) do not load; run `ozon-rules check` for details")
            throw ExitCode(1)
        }
    }
}

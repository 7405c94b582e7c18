import ArgumentParser
import Foundation
import RulesEngine

/// `ozon-rules check`: loads every script and reports every load error at once.
struct CheckCommand: ParsableCommand, IOCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load every rule script and report all load errors at once.",
        discussion: """
            Compiles every hook file and every lib/ module, runs the hook files' top-level code, \
            checks what each returns, reads catalog.json, and prints every problem as \
            file:line: code: message, sorted by file and line. Exits 1 if there is any.

            Example:
              ozon-rules check --rules examples/rules --lint
            """
    )

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var limitOptions: LimitOptions
    @Flag(name: .long, help: "Also run luacheck with the sandbox's globals (Debian: lua-check).") var lint = false

    func run() throws { try run(io: .standard) }

    func run(io: CommandIO) throws {
        if lint { return try CheckLint.run(self, io: io) }
        let folder: RulesFolder
        do {
            folder = try RulesFolder(root: rulesOptions.rulesURL)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        do {
            let engine = try RulesEngine(folder: folder, limits: limitOptions.limits)
            let modules = folder.libSources.count
            io.out.writeLine("ok: \(rulesOptions.rules): hooks \(engine.definedHooks.joined(separator: ", ")); \(modules) lib module\(modules == 1 ? "" : "s"); \(folder.catalog.entries.count) catalog entries")
        } catch {
            for problem in error.errors { io.out.writeLine(problem.description) }
            io.err.writeLine("ozon-rules: \(error.errors.count) problem\(error.errors.count == 1 ? "" : "s") in \(rulesOptions.rules)")
            throw ExitCode(1)
        }
    }
}

import ArgumentParser
import Foundation

/// The `ozon-rules` command: fulfilment rules in Lua, run on every posting transition.
public struct OzonRules: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ozon-rules",
        abstract: "Run Ozon fulfilment rules written in Lua on every posting state transition.",
        discussion: """
            Rules live in a folder (default ./rules): carrier.lua, packaging.lua, inserts.lua, \
            returns.lua and transitions.lua, shared modules in lib/, product facts in catalog.json. \
            Scripts decide; ozon-rules validates and records what they decide.

            Exit codes: 0 all good; 1 a posting failed or a check failed; 2 usage error or \
            unreadable input.

            Example (a first rules folder and its tests):
              ozon-rules init my-rules && ozon-rules test --rules my-rules --coverage
            """,
        version: OzonRules.version,
        subcommands: [EvaluateCommand.self, CheckCommand.self, BenchCommand.self, TestCommand.self, ReplCommand.self, IngestCommand.self, TransitionCommand.self, LogCommand.self, ReplayCommand.self, ServeCommand.self, SyncCommand.self, ApplyCommand.self, TickCommand.self, TimersCommand.self, OutboxCommand.self, LabelsCommand.self, PackCommand.self, InitCommand.self, TypesCommand.self]
    )

    public static let version = "0.1.0"

    public init() {}

    /// Runs the command line, mapping usage errors to exit code 2 (SPEC §4).
    public static func runMain(_ arguments: [String]? = nil) async -> Int32 {
        await runMain(arguments, io: .standard)
    }

    /// Runs the command line with its output in `io` (help and usage errors included); the
    /// commands that take a `CommandIO` write nowhere else.
    package static func runMain(_ arguments: [String]?, io: CommandIO) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if let ioCommand = command as? IOCommand {
                try ioCommand.run(io: io)
            } else if let asyncIOCommand = command as? AsyncIOCommand {
                try await asyncIOCommand.run(io: io)
            } else if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if code == 0 {
                if !message.isEmpty { io.out.writeLine(message) }
                return 0
            }
            if !message.isEmpty { io.err.writeLine(message) }
            // ArgumentParser reports usage errors as EX_USAGE (64); the contract says 2.
            return code == ExitCode.validationFailure.rawValue ? 2 : code
        }
    }
}

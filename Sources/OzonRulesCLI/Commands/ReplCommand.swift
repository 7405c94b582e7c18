import ArgumentParser
import Foundation
import RulesEngine
import RulesREPL

/// `ozon-rules repl`: an interactive Lua prompt in the rules' sandbox.
struct ReplCommand: ParsableCommand, IOCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Interactive Lua prompt inside the sandbox, with the rules and postings loaded.",
        discussion: """
            Lua runs in the rules' sandbox under the hooks' limits; results print as readable \
            Lua tables, an unfinished chunk continues on the next line, and globals you set stay \
            for the session. With --postings, the file's postings and returns are at hand as \
            postings[i] and returns[i]. Commands: :help, :postings, :eval N [STATUS], \
            :trace on|off, :reload, :quit.

            On a terminal: line editing, tab completion of globals and fields, and history in \
            ~/.ozon_rules_history (OZON_RULES_HISTORY=path moves it, empty keeps none). With \
            input from a pipe or a file: no prompts; exits 1 if any input failed.

            Examples:
              ozon-rules repl --rules examples/rules \\
                --postings examples/postings/fbs-v4-list.json
              echo ':eval 1' | ozon-rules repl --rules rules --postings postings.json
            """
    )

    @OptionGroup var rulesOptions: RulesOptions

    @Option(name: .long, help: ArgumentHelp("Postings and returns to have at hand (any input format).", valueName: "FILE"))
    var postings: String?

    @Option(name: .long, help: ArgumentHelp("ctx.now of :eval and the helpers (UTC ISO 8601); default: now.", valueName: "ISO8601"))
    var now: String?

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        try TimeOption.validateNow(now)
    }

    func run() throws { try run(io: .standard) }

    func run(io: CommandIO) throws {
        let options = REPLOptions(
            rules: rulesOptions.rulesURL, postingsFile: postings, limits: limitOptions.limits,
            now: TimeOption.now(now))
        let session: REPLSession
        do {
            session = try REPLSession(options: options)
        } catch {
            switch error {
            case .missingRules, .unreadablePostings:
                io.err.writeLine("ozon-rules: error: \(error)")
                throw ExitCode(2)
            case .rulesDoNotLoad(let problems):
                for problem in problems.errors { io.err.writeLine(problem.description) }
                io.err.writeLine("ozon-rules: the rules in \(rulesOptions.rules) do not load; run `ozon-rules check` for details")
                throw ExitCode(1)
            case .setup:
                io.err.writeLine("ozon-rules: error: \(error)")
                throw ExitCode(1)
            }
        }
        let status = REPLConsole.run(
            session, historyFile: REPLConsole.defaultHistoryFile,
            output: REPLOutput(out: { io.out.write($0) }, err: { io.err.write($0) }))
        if status != 0 { throw ExitCode(status) }
    }
}

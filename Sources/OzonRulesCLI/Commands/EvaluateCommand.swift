import ArgumentParser
import Foundation
import PostingModel
import RulesEngine
import RulesRuntime

/// `ozon-rules evaluate`: what the rules decide for each posting and return.
struct EvaluateCommand: ParsableCommand, IOCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run the rules on postings and returns and print one result per item.",
        discussion: """
            Reads postings and returns in any Ozon format (v4 or v3 list, v3 get, a bare posting, \
            a JSON array, NDJSON; /v1/returns/list and rFBS return requests), detecting the format. \
            For each posting, runs the hooks for entering its current status; for each return, the \
            returns hook, with the posting of the same posting_number from any file of the run. \
            Changes nothing stored.

            Results go to stdout in input order: postings first, then returns. Rule errors are \
            also printed to stderr as file:line: code: hook, posting: message.

            Examples:
              ozon-rules evaluate --rules examples/rules --format table \\
                  examples/postings/*.json
              cat postings.ndjson | ozon-rules evaluate --now 2026-05-20T12:00:00Z -
            """
    )

    @OptionGroup var rulesOptions: RulesOptions

    @Option(name: .long, help: "Output format: ndjson (one JSON object per line), json (a pretty array) or table.")
    var format: OutputFormat = .ndjson

    @Option(name: .long, help: ArgumentHelp("Evaluation time given to rules as ctx.now (UTC ISO 8601); default: now.", valueName: "ISO8601"))
    var now: String?

    @OptionGroup var limitOptions: LimitOptions

    @OptionGroup var jobOptions: JobOptions

    @Argument(help: ArgumentHelp("Files with postings or returns; - reads stdin.", valueName: "FILE"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one FILE (or - for stdin)") }
        // Stdin streams: it cannot be read a second time.
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("- (stdin) can be given only once") }
        try TimeOption.validateNow(now)
    }

    func run() throws { try run(io: .standard) }

    func run(io: CommandIO) throws {
        let time = TimeOption.now(now)
        let pool: RulesEnginePool
        do {
            pool = try RulesEnginePool(folder: try RulesFolder(root: rulesOptions.rulesURL), limits: limitOptions.limits, jobs: jobOptions.jobCount)
        } catch let error as RulesFolder.MissingError {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        } catch let error as RulesLoadError {
            for problem in error.errors { io.err.writeLine(problem.description) }
            io.err.writeLine("ozon-rules: the rules in \(rulesOptions.rules) do not load; run `ozon-rules check` for details")
            throw ExitCode(1)
        }
        let output = EvaluationOutput(writer: ResultWriter(format: format, out: io.out), err: io.err)
        let outcome = EvaluationRunner(pool: pool, now: time, sink: output, standardInput: io.input).run(files: files)
        output.finish()
        if outcome.unreadableInput { throw ExitCode(2) }
        if outcome.failures > 0 { throw ExitCode(1) }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case ndjson, json, table
}

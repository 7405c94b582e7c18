import ArgumentParser
import Foundation
import RulesEngine
import RulesTester

/// `ozon-rules test`: the policy tests of a rules folder, with coverage.
struct TestCommand: ParsableCommand, IOCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the Lua policy tests of a rules folder, optionally with line coverage.",
        discussion: """
            Runs tests/*_test.lua in the rules folder (or the files and folders given) in the \
            rules' own sandbox, under the same limits as the hooks. A test file declares tests \
            with describe(name, fn) and it(name, fn) and checks with expect_eq, expect_fields, \
            expect_error, expect_ok, ... (see README.md). It builds postings with posting{...} or \
            posting_from("tests/fixtures/x.json") and runs hooks with run_hook, run_transition \
            and run_return, through the engine, validation included.

            --run keeps tests whose full name (the describe names and the it name) contains the \
            text, or matches it as a Lua pattern. --coverage reports which lines of every rule \
            file (hooks and lib/) ran; --coverage-threshold fails the run below that percentage.

            Exit codes: 0 all tests passed; 1 a test failed or errored, no test ran, the rules do \
            not load, or coverage is below the threshold; 2 usage error or a missing path.

            Examples:
              ozon-rules test --rules examples/rules
              ozon-rules test --rules examples/rules --coverage-threshold 95
              ozon-rules test --rules rules --run carrier --format junit > junit.xml
            """
    )

    @OptionGroup var rulesOptions: RulesOptions

    @Option(name: .customLong("run"), help: ArgumentHelp("Run only tests whose name contains PATTERN or matches it as a Lua pattern.", valueName: "PATTERN"))
    var runPattern: String?

    @Flag(name: .long, help: "Measure line coverage of every rule file.")
    var coverage = false

    @Option(name: .long, help: ArgumentHelp("Fail when total line coverage is below PCT percent (implies --coverage).", valueName: "PCT"))
    var coverageThreshold: Double?

    @Option(name: .long, help: "Report format: text, json or junit (JUnit XML).")
    var format: TestReportFormat = .text

    @Flag(name: [.short, .long], help: "List every test in the text report, not only failures.")
    var verbose = false

    @Option(name: .long, help: ArgumentHelp("Default evaluation time of the test helpers (UTC ISO 8601); default: now.", valueName: "ISO8601"))
    var now: String?

    @OptionGroup var limitOptions: LimitOptions

    @Argument(help: ArgumentHelp("Test files, or folders searched for *_test.lua (default: tests/ in the rules folder).", valueName: "PATH"))
    var paths: [String] = []

    func validate() throws {
        if let coverageThreshold, !(0...100).contains(coverageThreshold) {
            throw ValidationError("--coverage-threshold must be a percentage between 0 and 100, got \(coverageThreshold)")
        }
        try TimeOption.validateNow(now)
    }

    func run() throws { try run(io: .standard) }

    func run(io: CommandIO) throws {
        let options = TestOptions(
            rules: rulesOptions.rulesURL, paths: paths, filter: runPattern, coverage: coverage || coverageThreshold != nil,
            coverageThreshold: coverageThreshold, limits: limitOptions.limits,
            now: TimeOption.now(now))
        let report: TestReport
        do {
            report = try TestRunner.run(options)
        } catch {
            switch error {
            case .missingRules, .missingPath:
                io.err.writeLine("ozon-rules: error: \(error)")
                throw ExitCode(2)
            case .rulesDoNotLoad(let problems):
                for problem in problems.errors { io.err.writeLine(problem.description) }
                io.err.writeLine("ozon-rules: the rules in \(rulesOptions.rules) do not load; no test ran")
                throw ExitCode(1)
            case .setup:
                io.err.writeLine("ozon-rules: error: \(error)")
                throw ExitCode(1)
            }
        }
        let text: String
        switch format {
        case .text: text = TextReporter(verbose: verbose).render(report)
        case .json: text = JSONReporter.render(report)
        case .junit: text = JUnitReporter.render(report)
        }
        io.out.write(text)
        if format != .text && !report.succeeded {
            io.err.writeLine("ozon-rules: \(report.failed) failed, \(report.errors) error(s)\(report.belowThreshold ? ", coverage below the threshold" : "")\(report.nothingRan ? ", no test ran" : "")")
        }
        if !report.succeeded { throw ExitCode(1) }
    }
}

enum TestReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, junit
}

import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime

/// `ozon-rules tick`: fires every due timer once, then exits (for cron and dry runs).
struct TickCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Fire every timer of timers.lua that is due, then exit.",
        discussion: """
            A timer is armed when a posting enters the timer's status (its `at` gives the due \
            time) and fires once when `now` reaches that time, if the posting is still in that \
            status entry; leaving the status cancels it. A firing runs the timer's `run` with \
            the posting as stored and ctx.now = the tick's time, records it as the hook run \
            timers:<name> (see `log`, `replay`) and plans its actions as effects (`outbox`; \
            `apply` or `serve --apply` carries them out).

            Timers are claimed before they run, so ticks from cron, from `serve` and from other \
            processes sharing the store never fire one twice; a tick killed half-way loses \
            nothing: what it claimed is due again when the claim lapses (--lease seconds).

            --now ticks at another time, e.g. to see what a deadline will fire (on a copy of the \
            store: firings are recorded). Prints one line per firing (posting, timer, due) and \
            a summary on stderr. Exit 0; 1 when a run had a rule error; 2 on a usage or store error.

            Examples:
              ozon-rules tick --db shop.sqlite --rules rules          # from cron, every minute
              ozon-rules tick --db copy.sqlite --rules rules --now 2026-05-20T18:00:00Z
            """
    )

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("The time to tick at (UTC ISO 8601); default: now.", valueName: "ISO8601"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("Seconds a claimed timer is held before another process may take it over.", valueName: "S"))
    var lease: Int64 = 300

    @Option(name: .long, help: ArgumentHelp("At most N timers in this run.", valueName: "N"))
    var limit: Int?

    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var jobOptions: JobOptions
    @OptionGroup var alertOptions: AlertOptions

    func validate() throws {
        try TimeOption.validateNow(now)
        if lease <= 0 { throw ValidationError("--lease must be positive") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run(io: CommandIO) async throws {
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: false, io: io)
        let rules = try RulesLoading.load(shop.rules(rulesOptions), limits: limitOptions.limits, jobs: jobOptions.jobCount, io: io)
        var ticker = TimerTicker(store: store, rules: rules)
        ticker.alertChannels = try shop.alertChannels(alertOptions, io: io)
        ticker.lease = lease
        let report: TimerTicker.Report
        do {
            report = try await ticker.tick(now: TimeOption.now(now), limit: limit)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        for timer in report.fired {
            io.out.writeLine("\(timer.postingNumber)\t\(timer.name)\t\(timer.status.rawValue)\tdue \(timer.due.iso8601)")
        }
        for error in report.errors { io.err.writeLine(error.description) }
        let lost = report.lost > 0 ? ", \(report.lost) taken by another process or cancelled meanwhile" : ""
        io.err.writeLine("ozon-rules: \(report.fired.count) timer(s) fired\(lost)\(report.errors.isEmpty ? "" : ", \(report.errors.count) rule error(s)")")
        if !report.errors.isEmpty { throw ExitCode(1) }
    }
}

/// `ozon-rules timers`: what is armed and when it is due.
struct TimersCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "timers",
        abstract: "List timers: what is armed and when it is due (what is late today).",
        discussion: """
            By due time. Without --state, armed timers only. Columns: posting_number, name, \
            status (the status entry that armed it), due, state (armed, fired, cancelled).

            Examples:
              ozon-rules timers --db shop.sqlite --due-before 2026-05-20T18:00:00Z
              ozon-rules timers --state fired --format json
            """
    )

    @Argument(help: ArgumentHelp("Only this posting's timers.", valueName: "POSTING_NUMBER"))
    var postingNumber: String?

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("Only timers due before this time (UTC ISO 8601).", valueName: "ISO8601"))
    var dueBefore: String?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Only timers in this state (repeatable): armed, fired, cancelled; default armed.", valueName: "S"))
    var state: [String] = []

    @Option(name: .long, help: "Output format: table or json.")
    var format: LogFormat = .table

    @Option(name: .long, help: ArgumentHelp("At most N timers.", valueName: "N"))
    var limit: Int?

    func validate() throws {
        if let dueBefore { try TimeOption.validate(dueBefore, option: "--due-before") }
        for name in state where TimerState(rawValue: name) == nil {
            throw ValidationError("--state: unknown state '\(name)' (one of \(TimerState.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run(io: CommandIO) async throws {
        let store = try await storeOptions.open(create: false, io: io)
        let states = state.isEmpty ? [TimerState.armed] : Set(state.compactMap(TimerState.init(rawValue:)))
        let timers: [StoredTimer]
        do {
            timers = try await store.timers(TimerQuery(
                postingNumber: postingNumber, states: states, dueBefore: dueBefore.map { TimeOption.now($0) }, limit: limit))
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        switch format {
        case .json:
            io.out.writeLine(JSONWriter.write(.array(timers.map(TimerText.json)), pretty: true))
        case .table:
            var text = TimerText.line(TimerText.header)
            for timer in timers {
                text += TimerText.line([timer.postingNumber, timer.name, timer.status.rawValue, timer.due.iso8601, timer.state.rawValue])
            }
            io.out.write(Array(text.utf8))
        }
    }
}

/// How timers are shown by `timers` and `log`.
enum TimerText {
    static let header = ["POSTING", "NAME", "STATUS", "DUE", "STATE"]
    static let widths = [22, 26, 20, 20]

    static func line(_ cells: [String]) -> String { LogWriter.line(cells, widths: widths) }

    static func json(_ timer: StoredTimer) -> JSONValue {
        [
            "posting_number": .string(timer.postingNumber), "name": .string(timer.name), "status": .string(timer.status.rawValue),
            "due": .string(timer.due.iso8601), "armed_at": .string(timer.armedAt.iso8601), "state": .string(timer.state.rawValue),
            "ended_at": timer.endedAt.map { .string($0.iso8601) } ?? .null,
        ]
    }
}

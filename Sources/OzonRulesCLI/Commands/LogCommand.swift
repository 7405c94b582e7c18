import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore

/// `ozon-rules log`: the recorded history, with decisions, rules versions and errors.
struct LogCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show recorded transitions and returns with what the rules decided.",
        discussion: """
            Oldest first: each transition (from → to, when, source), each return and each timer \
            firing (timers:<name>, source tick), the version \
            of the rules that ran (the first 12 hex digits of the rules digest in the table), and \
            per hook the decision or the error with its file and line. --with-inputs adds each \
            hook's input to the JSON: the posting snapshot and the exact ctx. With a posting \
            number, its effects (what was planned and sent to Ozon, see `outbox`) follow. Exit 1 \
            when a posting number is given and nothing is recorded for it.

            Examples:
              ozon-rules log 61930528-0117-1
              ozon-rules log --format json --with-inputs --limit 20
            """
    )

    @Argument(help: ArgumentHelp("Only this posting (default: all).", valueName: "POSTING_NUMBER"))
    var postingNumber: String?

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "Output format: table or json.")
    var format: LogFormat = .table

    @Option(name: .long, help: ArgumentHelp("Only events at or after this date or time (UTC).", valueName: "DATE"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Only the last N events.", valueName: "N"))
    var limit: Int?

    @Flag(name: .long, help: "With --format json: include each hook's input (the posting snapshot and ctx).")
    var withInputs = false

    func validate() throws {
        try TimeOption.validateSince(since)
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run(io: CommandIO) async throws {
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: false, io: io)
        let writer = LogWriter(format: format, withInputs: withInputs, io: io)
        do {
            // Timer firings are merged in by time: each is written before the first later event.
            var firings = try await store.timerFirings(postingNumber: postingNumber, since: TimeOption.since(since))[...]
            if let limit { firings = firings.suffix(limit) }
            try await store.forEachRecorded(postingNumber: postingNumber, since: TimeOption.since(since), limit: limit) { entry in
                while let next = firings.first, next.at < entry.at {
                    writer.write(firing: next)
                    firings.removeFirst()
                }
                writer.write(entry)
            }
            for firing in firings { writer.write(firing: firing) }
            if let postingNumber { writer.write(effects: try await store.effects(EffectQuery(postingNumber: postingNumber))) }
        } catch {
            writer.finish()
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        writer.finish()
        if let postingNumber, writer.count == 0 {
            io.err.writeLine("ozon-rules: nothing recorded for posting \(postingNumber) in \(shop.shownLocation)")
            throw ExitCode(1)
        }
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

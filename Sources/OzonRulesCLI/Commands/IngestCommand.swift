import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// `ozon-rules ingest`: applies the postings and returns of files to the store.
struct IngestCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Apply postings and returns to the store: record each transition and what the rules decided.",
        discussion: """
            Reads postings and returns in any Ozon format (as evaluate does) and compares each \
            posting with the stored one. A new posting is stored with a transition from nothing \
            and the hooks for its status run. A changed status is checked against the possible \
            transitions: if possible, the hooks run and the posting, the transition and every \
            hook run are stored in one database transaction; if not, it is reported as \
            invalid_transition and nothing is stored. The same status runs no hooks: a changed \
            snapshot is updated, an equal one left alone, so ingesting a file again changes \
            nothing. A return runs the returns hook once per return id.

            Postings are written --batch-size at a time; a batch cut short by a crash leaves \
            none of its postings behind, so running the same ingest again completes it. The \
            transitions of a batch are evaluated on --jobs Lua states in parallel.

            Prints a summary (or one JSON object per item with --format ndjson or json) to \
            stdout and every error to stderr. Exit codes: 0 all good; 1 a posting failed (a rule \
            error, an impossible transition, an item that does not decode); 2 a file cannot be \
            read (the other files are still ingested).

            Examples:
              ozon-rules ingest --rules examples/rules examples/postings/*.json
              ozon-rules ingest --db shop.sqlite --now 2026-05-20T12:00:00Z \\
                  postings.ndjson
            """
    )

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "Output: summary (counts), ndjson (one object per item) or json (an array).")
    var format: ItemFormat = .summary

    @Option(name: .long, help: ArgumentHelp("Evaluation time given to rules as ctx.now and recorded as the transition time (UTC ISO 8601); default: now.", valueName: "ISO8601"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("Postings per database transaction.", valueName: "N"))
    var batchSize: Int = 500

    @OptionGroup var jobOptions: JobOptions

    @OptionGroup var limitOptions: LimitOptions

    @Argument(help: ArgumentHelp("Files with postings or returns; - reads stdin.", valueName: "FILE"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one FILE (or - for stdin)") }
        try TimeOption.validateNow(now)
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run(io: CommandIO) async throws {
        let shop = try storeOptions.context(io: io)
        let rules = try RulesLoading.load(shop.rules(rulesOptions), limits: limitOptions.limits, jobs: jobOptions.jobCount, io: io)
        let version = rules.version
        let store = try await storeOptions.open(shop, create: true, io: io)
        let reporter = IngestReporter(format: format, io: io)
        var progress = TerminalProgress(verb: "ingested", err: io.err)
        var done = 0
        let applier = PostingApplier(store: store, rules: rules, source: .ingest)
        let ingestor = BatchIngestor(applier: applier, now: TimeOption.now(now), batchSize: batchSize) { result in
            reporter.add(result)
            done += 1
            progress.tick(done)
        }
        var unreadable = false
        do {
            for file in files {
                let reader: InputReader
                do {
                    reader = try InputReader(path: file)
                } catch {
                    io.err.writeLine("ozon-rules: error: \(error)")
                    unreadable = true
                    continue
                }
                while let item = reader.next() {
                    switch item {
                    case .posting(let posting, _): try await ingestor.add(posting)
                    case .returnEvent(let event, _): ingestor.add(event)
                    case .failure(let error): reporter.add(error)
                    }
                }
            }
            try await ingestor.finish()
        } catch {
            progress.finish()
            reporter.finish(store: shop.shownLocation, rules: version)
            io.err.writeLine("ozon-rules: error: \(error); the postings of the batch being written were not stored, run the same ingest again")
            throw ExitCode(1)
        }
        progress.finish()
        reporter.finish(store: shop.shownLocation, rules: version)
        if unreadable { throw ExitCode(2) }
        if reporter.failedItems > 0 { throw ExitCode(1) }
    }
}

import ArgumentParser
import Foundation
import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine
import WebhookServer

/// `ozon-rules sync`: the polling path.
struct SyncCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Poll the Seller API for unfulfilled postings, status changes and returns, and apply them to the store.",
        discussion: """
            Covers what push notifications do not: unfulfilled postings \
            (/v4/posting/fbs/unfulfilled/list, also catching notifications that came late or \
            never), postings whose status changed since --since (/v4/posting/fbs/list with \
            last_changed_status_date), FBS returns (/v1/returns/list), and the buyers' new rFBS \
            return requests (/v2/returns/rfbs/list and /get) and cancellation requests \
            (/v2/conditional-cancellation/list); Ozon sends no notifications for those. New \
            buyer chat messages (/v3/chat/list, unread buyer chats, then /v3/chat/history) are \
            decided once each by messages.lua, like the TYPE_NEW_MESSAGE pushes `serve` takes. Each \
            goes through the same store, hooks and planned effects as `serve`; with --apply the \
            effects are carried out, otherwise they stay planned (`outbox` lists them, `apply` \
            sends them). Also finishes work left in the inbox by `serve`.

            Example:
              ozon-rules sync --since 2026-05-01 --db shop.sqlite --rules rules
            """
    )

    @Option(name: .long, help: ArgumentHelp("Look at changes from this date or time (UTC); default: 24 hours ago.", valueName: "DATE"))
    var since: String?

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var apiOptions: OzonAPIOptions
    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var alertOptions: AlertOptions

    @Flag(name: .long, help: "Carry the planned effects out on Ozon (default: plan them only; see `outbox` and `apply`).")
    var apply = false

    @Flag(name: .long, help: "Skip returns.")
    var noReturns = false

    func validate() throws {
        try TimeOption.validateSince(since)
    }

    func run(io: CommandIO) async throws {
        let sinceTime = TimeOption.since(since) ?? Timestamp.now().adding(seconds: -86400)
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: true, io: io)
        let rules = RulesHolder(try RulesLoading.load(shop.rules(rulesOptions), limits: limitOptions.limits, io: io))
        var logger = Logger(label: "ozon-rules.sync")
        logger.logLevel = .notice
        let client = try shop.api(apiOptions).client(recordingInto: store, logger: logger, io: io)
        let alerts = try shop.alertChannels(alertOptions, io: io)
        let processor = LiveProcessor(
            store: store, client: client, rules: rules,
            options: ProcessorOptions(apply: apply, dispatch: apiOptions.dispatch, alertChannels: alerts), logger: logger)
        let report: SyncReport
        do {
            report = try await Syncer(processor: processor, includeReturns: !noReturns).run(since: sinceTime)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        let changes = report.changes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        io.out.writeLine("synced \(report.postingsRead) posting(s), \(report.returnsRead) return(s), \(report.cancellationRequestsRead) cancellation request(s)\(changes.isEmpty ? "" : ": " + changes)")
        for failure in report.failures { io.err.writeLine("ozon-rules: error: \(failure)") }
        if !report.failures.isEmpty { throw ExitCode(1) }
    }
}

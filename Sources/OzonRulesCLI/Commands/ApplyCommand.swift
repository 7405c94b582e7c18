import AlertChannels
import ArgumentParser
import Foundation
import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime

/// `ozon-rules apply`: carries out every due effect once, then exits (for cron).
struct ApplyCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Carry out every due effect in the outbox once on Ozon, then exit.",
        discussion: """
            For sellers who run `sync` (which only plans) from cron: sends each planned effect \
            that is due, oldest first, one at a time per posting, return, cancellation request \
            and chat, under Ozon's rate limits. An effect found `sending` (a crash or a timeout \
            after it was sent) is read back from Ozon first and only sent again if it did not \
            take effect. A 429, a 5xx, a timeout or "Circle is open" is retried later; Ozon's \
            other refusals end the effect as failed or not_allowed. Effects planned for later \
            (a review request a day after delivery, labels 45 s after a ship) stay for the next run.

            With --rules, a posting read back from Ozon (after a ship or a cancel) is applied to \
            the store with those rules at once; otherwise the next sync picks it up.

            Prints one line per attempt and a summary. Exit 0 when nothing failed, 1 when an \
            effect failed or was not allowed in this run, 2 on a usage or store error.

            Example:
              ozon-rules sync --db shop.sqlite --rules rules && ozon-rules apply --db shop.sqlite
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var apiOptions: OzonAPIOptions
    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var alertOptions: AlertOptions

    @Option(name: .long, help: ArgumentHelp("Apply postings read back from Ozon with these rules.", valueName: "DIR"))
    var rules: String?

    @Option(name: .long, help: ArgumentHelp("At most N attempts in this run.", valueName: "N"))
    var limit: Int?

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run(io: CommandIO) async throws {
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: false, io: io)
        var logger = Logger(label: "ozon-rules.apply")
        logger.logLevel = .notice
        let client = try shop.api(apiOptions).client(recordingInto: store, logger: logger, io: io)
        let alertChannels = try shop.alertChannels(alertOptions, io: io)
        var reapply: @Sendable (Posting) async -> Void = { _ in }
        if let rules = rules ?? shop.shop.rules {
            var options = RulesOptions()
            options.rules = rules
            let loaded = try RulesLoading.load(options, limits: limitOptions.limits, io: io)
            reapply = { posting in
                do {
                    var applier = PostingApplier(store: store, rules: loaded, source: .ingest, plansEffects: true)
                    applier.alertChannels = alertChannels
                    _ = try await applier.apply(posting, now: .now())
                } catch {
                    io.err.writeLine("ozon-rules: error: cannot apply posting \(posting.postingNumber) read back from Ozon: \(error)")
                }
            }
        }
        let dispatcher = EffectDispatcher(store: store, client: client, options: apiOptions.dispatch, logger: logger,
                                          alerts: AlertSender(channels: alertChannels), reapply: reapply)
        var counts: [EffectState: Int] = [:]
        var attempts = 0
        do {
            while limit.map({ attempts < $0 }) ?? true, let attempt = try await dispatcher.step() {
                attempts += 1
                guard let state = attempt.state else { continue }
                counts[state, default: 0] += 1
                let subject = attempt.effect.postingNumber ?? attempt.effect.subject
                io.out.writeLine("\(attempt.effect.id)\t\(attempt.effect.kind.rawValue)\t\(subject)\t\(state.rawValue)")
            }
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(2)
        }
        let summary = EffectState.allCases.compactMap { state in counts[state].map { "\(state.rawValue) \($0)" } }
        io.err.writeLine("ozon-rules: \(attempts) attempt(s)\(summary.isEmpty ? "" : ": " + summary.joined(separator: ", "))")
        if (counts[.failed] ?? 0) + (counts[.notAllowed] ?? 0) > 0 { throw ExitCode(1) }
    }
}

import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// `ozon-rules transition`: moves one stored posting to another status by hand.
struct TransitionCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "transition",
        abstract: "Move one stored posting to another status by hand, running and recording the hooks.",
        discussion: """
            For what Ozon does not report by itself, such as a seller marking an rFBS posting \
            delivered. The same checks as ingest: an impossible transition is reported as \
            invalid_transition (exit 1) and nothing changes. Otherwise the hooks for entering \
            the status run on the stored posting, and the posting, the transition (source \
            "manual") and the hook runs are stored in one database transaction. The stored \
            substatus is cleared (only Ozon knows the new one). With --plan the effects the \
            decisions ask for (a set_status move, a message to the buyer, ...) are planned in the \
            same transaction, for `apply` or `serve --apply` to carry out; `outbox` lists them.

            Example:
              ozon-rules transition 0164470385-0159-1 --to delivered \\
                  --rules examples/rules
            """
    )

    @Argument(help: ArgumentHelp("The posting to move.", valueName: "POSTING_NUMBER"))
    var postingNumber: String

    @Option(name: .long, help: ArgumentHelp("The new status, e.g. delivered.", valueName: "STATUS"))
    var to: String

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("Evaluation time (UTC ISO 8601); default: now.", valueName: "ISO8601"))
    var now: String?

    @Option(name: .long, help: "Output: ndjson (one line) or json (pretty).")
    var format: ItemFormat = .ndjson

    @OptionGroup var limitOptions: LimitOptions

    @Flag(name: .long, help: "Plan the effects the decisions ask for (carried out by `apply`).")
    var plan = false

    @OptionGroup var alertOptions: AlertOptions

    func validate() throws {
        _ = try StatusArgument.parse(to)
        try TimeOption.validateNow(now)
        if format == .summary { throw ValidationError("--format must be ndjson or json") }
    }

    func run(io: CommandIO) async throws {
        let status = try StatusArgument.parse(to)
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: false, io: io)
        let rules = try RulesLoading.load(shop.rules(rulesOptions), limits: limitOptions.limits, io: io)
        var applier = PostingApplier(store: store, rules: rules, source: .manual, plansEffects: plan)
        applier.alertChannels = try shop.alertChannels(alertOptions, io: io)
        let result: ItemResult
        do {
            result = try await applier.applyManually(postingNumber: postingNumber, to: status, now: TimeOption.now(now))
        } catch let error as StoreError where error.code == .unknownPosting {
            io.err.writeLine("ozon-rules: error: \(error.message)")
            throw ExitCode(1)
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        let json = ItemJSON.make(result)
        io.out.writeLine(format == .json ? JSONWriter.write(json, pretty: true) : JSONWriter.write(json))
        for error in result.evaluation?.errors ?? [] { io.err.writeLine(error.description) }
        if let rejection = result.rejectionError { io.err.writeLine("ozon-rules: \(rejection.description)") }
        if result.failed { throw ExitCode(1) }
    }
}

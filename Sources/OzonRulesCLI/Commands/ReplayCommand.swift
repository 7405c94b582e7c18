import ArgumentParser
import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine

/// `ozon-rules replay`: what another rules folder would have decided over the recorded history.
struct ReplayCommand: AsyncIOCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run the recorded history against other rules and report what would change.",
        discussion: """
            Every recorded transition is evaluated again with the rules in --rules, from its \
            recorded input (the posting as the hooks saw it, the same transition, the same \
            ctx.now), and every recorded return likewise. The store is not changed.

            The report gives, per hook, how many decisions differ (a difference in reason texts \
            alone is counted apart), the postings affected, the change in total carrier cost, \
            the carrier mix before and after, and a few examples side by side. --format html \
            writes one self-contained page with a chart of the carrier mix.

            Examples:
              ozon-rules replay --rules rules-next --since 2026-05-01
              ozon-rules replay --rules rules-next --format html --output replay.html
            """
    )

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("Only transitions and returns at or after this date or time (UTC).", valueName: "DATE"))
    var since: String?

    @Option(name: .long, help: "Report format: table, json or html (one self-contained page).")
    var format: ReplayFormat = .table

    @Option(name: .long, help: ArgumentHelp("Write the report to FILE instead of stdout.", valueName: "FILE"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Examples shown per hook.", valueName: "N"))
    var examples: Int = 5

    @Flag(name: .long, help: "Exit 1 when any decision would change (for CI checks of a rules change).")
    var failOnChange = false

    @OptionGroup var jobOptions: JobOptions

    @OptionGroup var limitOptions: LimitOptions

    func validate() throws {
        try TimeOption.validateSince(since)
        guard examples >= 0 else { throw ValidationError("--examples must be 0 or more") }
    }

    func run(io: CommandIO) async throws {
        let shop = try storeOptions.context(io: io)
        let store = try await storeOptions.open(shop, create: false, io: io)
        let rulesOptions = shop.rules(rulesOptions)
        let rules = try RulesLoading.load(rulesOptions, limits: limitOptions.limits, jobs: jobOptions.jobCount, io: io)
        let sinceTime = TimeOption.since(since)
        let report: ReplayReport
        do {
            var progress = TerminalProgress(verb: "replayed", total: try await store.countRecorded(since: sinceTime), err: io.err)
            let replayer = Replayer(workers: rules.workers, rulesVersion: rules.version, examplesPerHook: examples)
            report = try await replayer.run(store: store, since: sinceTime) { progress.tick($0) }
            progress.finish()
        } catch {
            io.err.writeLine("ozon-rules: error: \(error)")
            throw ExitCode(1)
        }
        let text: String
        switch format {
        case .table: text = ReplayTextRenderer.render(report, store: shop.shownLocation, rules: rulesOptions.rules)
        case .json: text = ReplayJSONRenderer.render(report)
        case .html: text = ReplayHTMLRenderer.render(report, store: shop.shownLocation, rules: rulesOptions.rules)
        }
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                io.err.writeLine("ozon-rules: error: cannot write '\(output)': \(error.localizedDescription)")
                throw ExitCode(2)
            }
            io.err.writeLine("ozon-rules: replay report written to \(output): \(report.changedDecisions) changed decisions, \(report.affectedPostings.count) postings affected")
        } else {
            io.out.write(text)
        }
        if failOnChange && report.changedDecisions > 0 { throw ExitCode(1) }
    }
}

enum ReplayFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, html
}

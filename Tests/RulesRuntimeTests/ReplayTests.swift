import Foundation
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine
import Testing

@Suite("Replay of the recorded history against other rules")
struct ReplayTests {
    /// A store holding every example posting and return, ingested with the example rules.
    static func exampleStore() async throws -> StoreHarness {
        let harness = try StoreHarness()
        try await harness.ingest(files: try Fixtures.exampleFiles().map(\.path), applier: try harness.applier())
        return harness
    }

    static func replayer(_ rules: URL) throws -> Replayer {
        let folder = try RulesFolder(root: rules)
        return Replayer(engine: try RulesEngine(folder: folder), rulesVersion: RulesVersion(folder: folder))
    }

    @Test("the same rules change nothing, and replay writes nothing")
    func identicalRules() async throws {
        let harness = try await Self.exampleStore()
        let before = try harness.dump()
        let report = try await Self.replayer(Fixtures.exampleRules).run(store: harness.store, since: nil)
        #expect(report.transitions == (try harness.count("SELECT count(*) FROM transitions")))
        #expect(report.returns == (try harness.count("SELECT count(*) FROM returns")))
        #expect(report.changedDecisions == 0)
        #expect(report.hooks.allSatisfy { $0.changed == 0 && $0.reasonOnly == 0 && $0.examples.isEmpty })
        #expect(report.affectedPostings.isEmpty)
        #expect(report.carrier.costBefore == report.carrier.costAfter)
        #expect(report.carrier.costBefore > 0)
        #expect(report.carrier.mix.allSatisfy { $0.before == $0.after })
        #expect(report.skipped.isEmpty)
        #expect(Set(report.hooks.map(\.hook)).isSuperset(of: ["packaging", "inserts", "carrier", "returns", "transitions:*"]))
        #expect(try harness.dump() == before)
    }

    @Test("a changed tariff changes exactly the carrier decisions it should")
    func changedTariff() async throws {
        let harness = try await Self.exampleStore()
        let rules = try harness.folder.copyOfExampleRules("rules-next")
        let tariffs = rules.appendingPathComponent("lib/tariffs.lua")
        var text = try String(contentsOf: tariffs, encoding: .utf8)
        // Russian Post, parcels up to 1 kg to Siberia: 149 → 199 ₽.
        let post = "{    1000,     rub(109), rub(119), rub(129), rub(149), rub(189) },"
        // Ozon Logistics courier, up to 3 kg to Siberia: 319 → 399 ₽.
        let courier = "{    3000,     rub(169), rub(209), rub(249), rub(319), rub(459) },"
        try #require(text.components(separatedBy: post).count == 2)
        try #require(text.components(separatedBy: courier).count == 2)
        text = text.replacingOccurrences(of: post, with: "{    1000,     rub(109), rub(119), rub(129), rub(199), rub(189) },")
        text = text.replacingOccurrences(of: courier, with: "{    3000,     rub(169), rub(209), rub(249), rub(399), rub(459) },")
        try Data(text.utf8).write(to: tariffs)

        let before = try harness.dump()
        let report = try await Self.replayer(rules).run(store: harness.store, since: nil)
        // 0175002919-0203-1 (Ekaterinburg, 0.41 kg) moves from russian_post 156.12 ₽ to ozon_logistics 169 ₽;
        // 0187342256-0044-1 (Novosibirsk courier, 2.58 kg) from ozon_logistics 319 ₽ to cdek courier 379.10 ₽.
        #expect(report.affectedPostings == ["0175002919-0203-1", "0187342256-0044-1"])
        let carrier = try #require(report.hooks.first { $0.hook == "carrier" })
        #expect(carrier.changed == 2)
        #expect(carrier.affectedPostings == ["0175002919-0203-1", "0187342256-0044-1"])
        #expect(carrier.examples.count == 2)
        #expect(report.hooks.filter { $0.hook != "carrier" }.allSatisfy { $0.changed == 0 })
        #expect(report.carrier.costChange == (16_900 - 15_612) + (37_910 - 31_900))
        let mix = Dictionary(uniqueKeysWithValues: report.carrier.mix.map { ($0.label, ($0.before, $0.after)) })
        #expect(mix["russian_post parcel"]?.0 == 1 && mix["russian_post parcel"]?.1 == 0)
        #expect(mix["cdek courier"]?.0 == 0 && mix["cdek courier"]?.1 == 1)
        let example = try #require(carrier.examples.first { $0.postingNumber == "0187342256-0044-1" })
        guard case .decision(let old) = example.before, case .decision(let new) = example.after else {
            Issue.record("expected decisions on both sides, got \(example)")
            return
        }
        #expect(old["carrier"]?.stringValue == "ozon_logistics")
        #expect(new["carrier"]?.stringValue == "cdek")
        #expect(new["cost"]?.int64Value == 37_910)
        #expect(report.rulesVersion != RulesVersion(folder: try RulesFolder(root: Fixtures.exampleRules)).digest)
        #expect(try harness.dump() == before)
    }

    @Test("a rule that now fails is counted as a change with the new error")
    func newError() async throws {
        let harness = try await Self.exampleStore()
        let rules = try harness.folder.copyOfExampleRules("rules-broken")
        try Data("return function(ret, posting, ctx) error('returns desk closed') end\n".utf8)
            .write(to: rules.appendingPathComponent("returns.lua"))
        let report = try await Self.replayer(rules).run(store: harness.store, since: nil)
        let returns = try #require(report.hooks.first { $0.hook == "returns" })
        #expect(returns.changed == report.returns)
        #expect(returns.errorsBefore == 0)
        #expect(returns.errorsAfter == report.returns)
        guard case .error(let error)? = returns.examples.first?.after else {
            Issue.record("expected an error example")
            return
        }
        #expect(error.code == "rule_runtime_error")
        #expect(error.file == "returns.lua" && error.line == 1)
    }

    @Test("--since keeps only later evaluations")
    func since() async throws {
        let harness = try await Self.exampleStore()
        let replayer = try Self.replayer(Fixtures.exampleRules)
        #expect(try await replayer.run(store: harness.store, since: Fixtures.now.adding(seconds: 1)).replayed == 0)
        #expect(try await replayer.run(store: harness.store, since: Fixtures.now).replayed > 0)
        #expect(try await harness.store.countRecorded(since: nil) == (try await replayer.run(store: harness.store, since: nil).replayed))
    }

    @Test("parallel replay gives the same report as serial replay")
    func parallelReplay() async throws {
        let harness = try await Self.exampleStore()
        let rules = try harness.folder.copyOfExampleRules("rules-next")
        let tariffs = rules.appendingPathComponent("lib/tariffs.lua")
        let text = try String(contentsOf: tariffs, encoding: .utf8)
        // Every tariff 10 kopecks dearer per rouble written: many decisions change.
        try Data(text.replacingOccurrences(of: "rub(1", with: "rub(2").utf8).write(to: tariffs)
        let folder = try RulesFolder(root: rules)
        let serial = try await Replayer(engine: try RulesEngine(folder: folder), rulesVersion: RulesVersion(folder: folder))
            .run(store: harness.store, since: nil)
        let engines = try (0..<3).map { _ in try RulesEngine(folder: folder) }
        let parallel = Replayer(workers: EvaluationWorkers(engines: engines), rulesVersion: RulesVersion(folder: folder))
        let report = try await parallel.run(store: harness.store, since: nil)
        #expect(serial.changedDecisions > 0)
        #expect(ReplayJSON.text(report) == ReplayJSON.text(serial))
    }

    @Test("decisions that differ only in reason texts are counted apart")
    func reasonOnly() async throws {
        let harness = try await Self.exampleStore()
        let rules = try harness.folder.copyOfExampleRules("rules-reworded")
        let carrier = rules.appendingPathComponent("carrier.lua")
        let text = try String(contentsOf: carrier, encoding: .utf8)
        try #require(text.contains("\"cheapest of %d option(s) to %s, %s\""))
        try Data(text.replacingOccurrences(of: "\"cheapest of %d option(s) to %s, %s\"", with: "\"best of %d option(s) to %s, %s\"").utf8)
            .write(to: carrier)
        let report = try await Self.replayer(rules).run(store: harness.store, since: nil)
        let diff = try #require(report.hooks.first { $0.hook == "carrier" })
        #expect(diff.changed == 0)
        #expect(diff.reasonOnly > 0)
        #expect(report.affectedPostings.isEmpty)
    }
}

/// A report as comparable text.
enum ReplayJSON {
    static func text(_ report: ReplayReport) -> String {
        var text = "\(report.rulesVersion) \(report.transitions) \(report.returns) \(report.affectedPostings) \(report.skipped)\n"
        text += "\(report.carrier)\n"
        for hook in report.hooks {
            text += "\(hook.hook) \(hook.compared) \(hook.changed) \(hook.reasonOnly) \(hook.errorsBefore) \(hook.errorsAfter) \(hook.affectedPostings)\n"
            for example in hook.examples { text += "  \(example)\n" }
        }
        return text
    }
}

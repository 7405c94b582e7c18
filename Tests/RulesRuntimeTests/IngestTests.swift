import Foundation
import GRDB
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine
import Testing

@Suite("Ingest: transitions applied to a real SQLite store")
struct IngestTests {
    @Test("ingesting the example files twice changes nothing the second time")
    func idempotentReingest() async throws {
        let harness = try StoreHarness()
        let files = try Fixtures.exampleFiles().map(\.path)
        let first = try await harness.ingest(files: files, applier: try harness.applier())
        let postings = Set(first.filter { $0.returnID == nil }.map(\.postingNumber))
        #expect(postings.count > 10)
        #expect(first.allSatisfy { [.created, .recorded].contains($0.change) })
        #expect(try harness.count("SELECT count(*) FROM postings") == postings.count)
        #expect(try harness.count("SELECT count(*) FROM transitions") == postings.count)
        #expect(try harness.count("SELECT count(*) FROM returns") == first.filter { $0.returnID != nil }.count)
        let before = try harness.dump()

        // A later run with another clock and even another batch size: still nothing to do.
        let later = try harness.applier(now: Timestamp(unixSeconds: Fixtures.now.unixSeconds + 86_400))
        let second = try await harness.ingest(files: files, applier: later, batchSize: 3)
        #expect(second.count == first.count)
        #expect(second.allSatisfy { $0.change == .unchanged || $0.change == .known })
        #expect(second.allSatisfy { $0.evaluation == nil })
        #expect(try harness.dump() == before)
    }

    @Test("a status change records the transition; awaiting_deliver skips carrier once it was decided")
    func statusChange() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier()
        let created = try await harness.ingest(ndjson: [Fixtures.posting("100-1", status: "awaiting_packaging")], applier: applier)
        #expect(created.map(\.change) == [.created])
        #expect(created.first?.evaluation?.decisions.carrier != nil)

        let moved = try await harness.ingest(ndjson: [Fixtures.posting("100-1", status: "awaiting_deliver")], applier: applier)
        #expect(moved.map(\.change) == [.transitioned])
        #expect(moved.first?.from == .awaitingPackaging)
        #expect(moved.first?.to == .awaitingDeliver)
        #expect(moved.first?.evaluation?.hookRuns.map(\.hook).contains("carrier") == false)

        let history = try await harness.store.history(postingNumber: "100-1", since: nil, limit: nil)
        guard history.count == 2, case .transition(let first) = history[0], case .transition(let second) = history[1] else {
            Issue.record("expected two transitions, got \(history)")
            return
        }
        #expect(first.from == nil && first.to == .awaitingPackaging && !first.carrierDecided)
        // The timers armed on entering awaiting_packaging run their `at` after the other hooks.
        #expect(first.hookRuns.map(\.hook) == ["packaging", "inserts", "carrier", "transitions:awaiting_packaging", "transitions:*",
                                               "timers:pack_warning:at", "timers:pack_urgent:at"])
        #expect(second.from == .awaitingPackaging && second.to == .awaitingDeliver && second.carrierDecided)
        #expect(second.hookRuns.map(\.hook) == ["transitions:awaiting_deliver", "transitions:*"])
        #expect(second.source == "ingest")
        #expect(try await harness.store.posting("100-1")?.status == .awaitingDeliver)
    }

    @Test("an impossible transition is rejected as invalid_transition and leaves the store unchanged")
    func impossibleTransition() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier()
        try await harness.ingest(ndjson: [Fixtures.posting("200-1", status: "delivered")], applier: applier)
        let before = try harness.dump()

        let results = try await harness.ingest(ndjson: [Fixtures.posting("200-1", status: "awaiting_packaging")], applier: applier)
        #expect(results.map(\.change) == [.rejected])
        #expect(results.first?.errors.map(\.code) == [.invalidTransition])
        #expect(results.first?.errors.first?.message.contains("delivered is final") == true)
        #expect(results.first?.evaluation == nil, "no rule runs for an impossible transition")
        #expect(try harness.dump() == before)
    }

    @Test("the same status with other fields updates the snapshot without a transition")
    func snapshotOnlyUpdate() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier()
        try await harness.ingest(ndjson: [Fixtures.posting("300-1", status: "awaiting_deliver")], applier: applier)
        let results = try await harness.ingest(
            ndjson: [Fixtures.posting("300-1", status: "awaiting_deliver", tracking: "RR123456785RU")], applier: applier)
        #expect(results.map(\.change) == [.updated])
        #expect(results.first?.evaluation == nil)
        #expect(try harness.count("SELECT count(*) FROM transitions WHERE posting_number = '300-1'") == 1)
        #expect(try await harness.store.posting("300-1")?.snapshot.contains("RR123456785RU") == true)
    }

    @Test("a rule error is recorded as an error with its file and line, and the transition is kept")
    func ruleErrorRecorded() async throws {
        let harness = try StoreHarness()
        let rules = try harness.folder.copyOfExampleRules()
        try Data("""
            return function(posting, ctx)
              local destination = posting.no_such_block
              return { carrier = destination.city }
            end
            """.utf8).write(to: rules.appendingPathComponent("carrier.lua"))
        let results = try await harness.ingest(
            ndjson: [Fixtures.posting("400-1", status: "awaiting_packaging")], applier: try harness.applier(rules: rules))
        #expect(results.map(\.change) == [.created])
        let errors = results.first?.errors ?? []
        #expect(errors.count == 1)
        #expect(errors.first?.code == .ruleRuntimeError)
        #expect(errors.first?.file == "carrier.lua")
        #expect(errors.first?.line == 3)

        let row = try harness.store.read { db in
            try Row.fetchOne(db, sql: """
                SELECT h.error_code, h.error_file, h.error_line, h.error_message, h.decision
                FROM hook_runs h JOIN transitions t ON t.id = h.transition_id
                WHERE t.posting_number = '400-1' AND h.hook = 'carrier'
                """)
        }
        #expect(row?["error_code"] == "rule_runtime_error")
        #expect(row?["error_file"] == "carrier.lua")
        #expect(row?["error_line"] == 3)
        #expect((row?["error_message"] as String?)?.contains("attempt to index a nil value") == true)
        #expect(row?["decision"] as String? == nil)
        // The other hooks still decided and the posting moved.
        #expect(try harness.count("SELECT count(*) FROM hook_runs WHERE hook = 'packaging' AND decision IS NOT NULL") == 1)
        #expect(try await harness.store.posting("400-1")?.status == .awaitingPackaging)
    }

    @Test("a return runs the returns hook once per return id")
    func returnsOnce() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier()
        let files = [Fixtures.examplePostings.appendingPathComponent("returns-fbs.json").path]
        let first = try await harness.ingest(files: files, applier: applier)
        #expect(!first.isEmpty)
        #expect(first.allSatisfy { $0.change == .recorded && $0.evaluation?.decisions.returns != nil })
        let second = try await harness.ingest(files: files, applier: applier)
        #expect(second.allSatisfy { $0.change == .known })
        #expect(try harness.count("SELECT count(*) FROM hook_runs WHERE hook = 'returns'") == first.count)
        #expect(try harness.count("SELECT count(*) FROM returns") == first.count)
    }

    @Test("a return sees its stored posting")
    func returnWithPosting() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier()
        let files = try Fixtures.exampleFiles().map(\.path)
        let results = try await harness.ingest(files: files, applier: applier)
        let withPosting = try harness.count("SELECT count(*) FROM returns WHERE posting_snapshot IS NOT NULL")
        let postings = Set(results.filter { $0.returnID == nil }.map(\.postingNumber))
        let expected = results.filter { $0.returnID != nil && postings.contains($0.postingNumber) }.count
        #expect(withPosting == expected)
        #expect(expected > 0)
    }

    @Test("the same posting twice in one batch gives two transitions in order")
    func twiceInOneBatch() async throws {
        let harness = try StoreHarness()
        let results = try await harness.ingest(
            ndjson: [
                Fixtures.posting("500-1", status: "awaiting_packaging"),
                Fixtures.posting("500-1", status: "awaiting_deliver"),
                Fixtures.posting("500-1", status: "awaiting_deliver"),
            ], applier: try harness.applier())
        #expect(results.map(\.change) == [.created, .transitioned, .unchanged])
        #expect(try harness.count("SELECT count(*) FROM transitions WHERE posting_number = '500-1'") == 2)
        #expect(try await harness.store.posting("500-1")?.status == .awaitingDeliver)
    }

    @Test("each hook run records the ctx it was given")
    func contextRecorded() async throws {
        let harness = try StoreHarness()
        try await harness.ingest(ndjson: [Fixtures.posting("600-1", status: "awaiting_packaging")], applier: try harness.applier())
        guard case .transition(let t)? = try await harness.store.history(postingNumber: "600-1", since: nil, limit: nil).first,
            let carrierIndex = t.hookRuns.firstIndex(where: { $0.hook == "carrier" })
        else {
            Issue.record("no carrier hook run")
            return
        }
        let context = t.context(ofRun: carrierIndex)
        #expect(context["now"]?.int64Value == Fixtures.now.unixSeconds)
        #expect(context["now_iso"]?.stringValue == Fixtures.nowText)
        #expect(context["transition"]?["to"]?.stringValue == "awaiting_packaging")
        #expect(context["transition"]?["from"] == nil)
        #expect(context["decisions"]?["packaging"]?["packages"] != nil)
        #expect(context["decisions"]?["inserts"] != nil)
        #expect(context["decisions"]?["carrier"] == nil)
        #expect(t.context(ofRun: 0)["decisions"] == .object([:]))
        #expect(t.hookRuns[carrierIndex].decisionsSeen == ["packaging", "inserts"])
        #expect(t.rulesVersion == RulesVersion(folder: try RulesFolder(root: Fixtures.exampleRules)).digest)
        #expect(t.snapshot.contains("\"price\":64900"), "money is stored as integer minor units")
    }

    /// Example rules whose `transitions.lua` returns the ctx it was given as an action.
    static func echoingRules(_ harness: StoreHarness, templatedInserts: Bool) throws -> URL {
        let rules = try harness.folder.copyOfExampleRules(templatedInserts ? "rules-echo-templates" : "rules-echo")
        try Data("""
            return {
              ["*"] = function(posting, ctx)
                return { { action = "echo", now = ctx.now, now_iso = ctx.now_iso, transition = ctx.transition,
                           decisions = ctx.decisions } }
              end,
            }
            """.utf8).write(to: rules.appendingPathComponent("transitions.lua"))
        if !templatedInserts {
            try Data("return function(posting, ctx) return { { kind = \"thank_you_card\", text = \"Спасибо!\" } } end\n".utf8)
                .write(to: rules.appendingPathComponent("inserts.lua"))
        }
        return rules
    }

    /// Compares the ctx rebuilt from the store with the one `transitions:*` echoed, per transition.
    static func compareEchoedContexts(_ harness: StoreHarness, _ postingNumber: String) async throws {
        let history = try await harness.store.history(postingNumber: postingNumber, since: nil, limit: nil)
        #expect(history.count == 2)
        for case .transition(let t) in history {
            let index = try #require(t.hookRuns.firstIndex { $0.hook == "transitions:*" })
            let echoed = try #require(t.hookRuns[index].decisionValue?[0])
            let recorded = t.context(ofRun: index)
            #expect(recorded["now"] == echoed["now"])
            #expect(recorded["now_iso"] == echoed["now_iso"])
            #expect(Snapshot.text(recorded["transition"] ?? .null) == Snapshot.text(echoed["transition"] ?? .null))
            // An empty Lua table comes back as [], the recorded ctx writes no decisions as {}.
            var echoedDecisions = echoed["decisions"] ?? .object([:])
            if echoedDecisions == .array([]) { echoedDecisions = .object([:]) }
            #expect(Snapshot.text(recorded["decisions"] ?? .null) == Snapshot.text(echoedDecisions))
        }
    }

    @Test("the recorded ctx is exactly what the hooks saw")
    func contextIsExact() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier(rules: try Self.echoingRules(harness, templatedInserts: false))
        try await harness.ingest(ndjson: [Fixtures.posting("610-1", status: "awaiting_packaging")], applier: applier)
        try await harness.ingest(ndjson: [Fixtures.posting("610-1", status: "awaiting_deliver")], applier: applier)
        try await Self.compareEchoedContexts(harness, "610-1")
    }

    @Test("inserts with templates: later hooks see the text the host recorded")
    func contextWithTemplates() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier(rules: try Self.echoingRules(harness, templatedInserts: true))
        try await harness.ingest(ndjson: [Fixtures.posting("620-1", status: "awaiting_packaging")], applier: applier)
        try await harness.ingest(ndjson: [Fixtures.posting("620-1", status: "awaiting_deliver")], applier: applier)
        // The store records the rendered inserts (what goes into the parcel), and later hooks see
        // them rendered too.
        try await Self.compareEchoedContexts(harness, "620-1")
    }

    @Test("a manual transition is checked and recorded with source manual")
    func manualTransition() async throws {
        let harness = try StoreHarness()
        try await harness.ingest(ndjson: [Fixtures.posting("700-1", status: "delivering")], applier: try harness.applier())
        let manual = try harness.applier(source: .manual)

        let before = try harness.dump()
        let rejected = try await manual.applyManually(postingNumber: "700-1", to: .awaitingPackaging)
        #expect(rejected.change == .rejected)
        #expect(rejected.errors.map(\.code) == [.invalidTransition])
        let same = try await manual.applyManually(postingNumber: "700-1", to: .delivering)
        #expect(same.change == .rejected)
        #expect(try harness.dump() == before)

        let delivered = try await manual.applyManually(postingNumber: "700-1", to: .delivered)
        #expect(delivered.change == .transitioned)
        #expect(delivered.evaluation?.hookRuns.map(\.hook) == ["transitions:*", "timers:review_request:at"])
        #expect(try harness.count("SELECT count(*) FROM transitions WHERE posting_number = '700-1' AND source = 'manual'") == 1)
        #expect(try await harness.store.posting("700-1")?.status == .delivered)

        await #expect(throws: StoreError.self) {
            try await manual.applyManually(postingNumber: "no-such-posting", to: .delivered)
        }
    }

    @Test("a batch the store fails to write stores none of its postings")
    func failedBatchRollsBack() async throws {
        let harness = try StoreHarness()
        let applier = try harness.applier()
        // The second posting of the batch makes SQLite abort the commit.
        try harness.execute("""
            CREATE TRIGGER refuse AFTER INSERT ON transitions WHEN new.posting_number = '800-2'
            BEGIN SELECT RAISE(ABORT, 'refused for the test'); END
            """)
        await #expect(throws: StoreError.self) {
            try await harness.ingest(ndjson: ["800-1", "800-2"].map { Fixtures.posting($0, status: "awaiting_packaging") },
                                     applier: applier)
        }
        #expect(try harness.count("SELECT count(*) FROM postings") == 0)
        #expect(try harness.count("SELECT count(*) FROM transitions") == 0)
        #expect(try harness.count("SELECT count(*) FROM hook_runs") == 0)
        #expect(try harness.count("SELECT count(*) FROM rules_versions") == 0)
    }
}

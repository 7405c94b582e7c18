import Foundation
import PostingModel
import TestSupport
import Testing

@Suite("Store commands: ingest, transition, log, replay")
struct StoreCommandTests {
    @Test("ingest prints a summary, and a second ingest of the same files changes nothing")
    func ingestTwice() async throws {
        let folder = try StoreTestFolder()
        let first = try await StoreCLI.ingestExamples(db: folder.db)
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(first.stdout.contains(" 0 transitioned, 0 updated, 0 unchanged, 0 rejected"))
        #expect(first.stdout.contains("0 rule errors, 0 input errors"))
        #expect(first.stderr.isEmpty)

        let second = try await StoreCLI.ingestExamples(db: folder.db, extra: ["--format", "ndjson"])
        #expect(second.exitCode == 0)
        let items = try await StoreCLI.lines(second.stdout)
        #expect(!items.isEmpty)
        #expect(items.allSatisfy { ["unchanged", "known"].contains($0["change"]?.stringValue ?? "") })
        #expect(second.stderr.contains(": 0 new, 0 transitioned, 0 updated"))
    }

    @Test("ingest exit codes: 1 for an impossible transition, 2 for a missing file (the rest is still stored)")
    func ingestExitCodes() async throws {
        let folder = try StoreTestFolder()
        let rules = StoreCLI.exampleRules.path
        let delivered = try folder.write("a.ndjson", storeTestPosting("1-1", status: "delivered") + "\n")
        let back = try folder.write("b.ndjson", storeTestPosting("1-1", status: "awaiting_packaging") + "\n")
        #expect(try await BinaryRunner.run(["ingest", "--rules", rules, "--db", folder.db, delivered]).exitCode == 0)

        let rejected = try await BinaryRunner.run(["ingest", "--rules", rules, "--db", folder.db, "--format", "json", back])
        #expect(rejected.exitCode == 1)
        #expect(rejected.stderr.contains("invalid_transition"))
        #expect(rejected.stderr.contains("delivered -> awaiting_packaging is not a possible transition: delivered is final"))
        let item = try await StoreCLI.json(rejected.stdout)[0]
        #expect(item?["change"]?.stringValue == "rejected")
        #expect(item?["errors"]?[0]?["code"]?.stringValue == "invalid_transition")

        let other = try folder.write("c.ndjson", storeTestPosting("2-1", status: "awaiting_packaging") + "\n")
        let missing = try await BinaryRunner.run(["ingest", "--rules", rules, "--db", folder.db, folder.path("nope.json"), other])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("nope.json: cannot open"))
        let log = try await BinaryRunner.run(["log", "2-1", "--db", folder.db, "--format", "json"])
        #expect(log.exitCode == 0)
        #expect(try await StoreCLI.json(log.stdout).arrayValue?.count == 1)
    }

    @Test("an undecodable posting is an input error with its item and field, the others are stored")
    func inputError() async throws {
        let folder = try StoreTestFolder()
        let input = try folder.write("mixed.ndjson", storeTestPosting("3-1", status: "awaiting_packaging") + "\n"
            + #"{"posting_number":"3-2","products":[]}"# + "\n")
        let result = try await StoreCLI.run(["ingest", "--rules", StoreCLI.exampleRules.path, "--db", folder.db, input])
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("mixed.ndjson:2: input_error"))
        #expect(result.stderr.contains("item 1"))
        #expect(result.stdout.contains("1 posting"))
    }

    @Test("transition moves a stored posting by hand and refuses impossible moves")
    func transition() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)
        let rules = StoreCLI.exampleRules.path

        let moved = try await StoreCLI.run([
            "transition", "0175002919-0203-1", "--to", "delivering", "--rules", rules, "--db", folder.db, "--now", StoreCLI.now,
        ])
        #expect(moved.exitCode == 0, "\(moved.stderr)")
        let result = try await StoreCLI.json(moved.stdout)
        #expect(result["change"]?.stringValue == "transitioned")
        #expect(result["from"]?.stringValue == "awaiting_deliver")
        #expect(result["to"]?.stringValue == "delivering")

        let impossible = try await StoreCLI.run(["transition", "0175002919-0203-1", "--to", "awaiting_packaging", "--rules", rules, "--db", folder.db])
        #expect(impossible.exitCode == 1)
        #expect(impossible.stderr.contains("invalid_transition"))

        let unknownStatus = try await StoreCLI.run(["transition", "0175002919-0203-1", "--to", "shipped", "--rules", rules, "--db", folder.db])
        #expect(unknownStatus.exitCode == 2)
        #expect(unknownStatus.stderr.contains("unknown status 'shipped'"))

        let unknownPosting = try await StoreCLI.run(["transition", "no-such-1", "--to", "delivered", "--rules", rules, "--db", folder.db])
        #expect(unknownPosting.exitCode == 1)
        #expect(unknownPosting.stderr.contains("posting no-such-1 is not in the store"))

        let noStore = try await StoreCLI.run(["transition", "x", "--to", "delivered", "--rules", rules, "--db", folder.path("none.sqlite")])
        #expect(noStore.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: folder.path("none.sqlite")))

        let log = try await StoreCLI.run(["log", "0175002919-0203-1", "--db", folder.db, "--format", "json"])
        let entries = try await StoreCLI.json(log.stdout).arrayValue ?? []
        #expect(entries.map { $0["source"]?.stringValue ?? "" } == ["ingest", "manual"])
    }

    @Test("log shows transitions, decisions, rules versions and hook inputs")
    func log() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)

        let table = try await StoreCLI.run(["log", "61930528-0117-1", "--db", folder.db])
        #expect(table.exitCode == 0)
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("AT") == true)
        #expect(table.stdout.contains("new → awaiting_packaging"))
        #expect(table.stdout.contains("packaging"))
        #expect(table.stdout.contains("ozon_logistics/pickup_point 418.00 ₽ 3d"))

        let json = try await StoreCLI.run(["log", "61930528-0117-1", "--db", folder.db, "--format", "json", "--with-inputs"])
        let entry = try await StoreCLI.json(json.stdout)[0]
        #expect(entry?["kind"]?.stringValue == "transition")
        #expect(entry?["rules_version"]?.stringValue?.count == 64)
        #expect(entry?["posting"]?["posting_number"]?.stringValue == "61930528-0117-1")
        let carrier = entry?["hook_runs"]?.arrayValue?.first { $0["hook"]?.stringValue == "carrier" }
        #expect(carrier?["decision"]?["cost"]?.int64Value == 41_800)
        #expect(carrier?["ctx"]?["decisions"]?["packaging"] != nil)
        #expect(carrier?["ctx"]?["now_iso"]?.stringValue == StoreCLI.now)

        let all = try await StoreCLI.run(["log", "--db", folder.db, "--format", "json", "--limit", "3"])
        let last = try await StoreCLI.json(all.stdout).arrayValue ?? []
        #expect(last.count == 3)
        // Without --with-inputs: no snapshot, no ctx.
        #expect(last.allSatisfy { $0["posting"] == nil && $0["hook_runs"]?[0]?["ctx"] == nil })

        let unknown = try await StoreCLI.run(["log", "no-such-1", "--db", folder.db])
        #expect(unknown.exitCode == 1)
    }

    @Test("replay reports zero changes for the same rules and the expected ones for a dearer tariff")
    func replay() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)

        let same = try await StoreCLI.run(["replay", "--rules", StoreCLI.exampleRules.path, "--db", folder.db, "--format", "json", "--fail-on-change"])
        #expect(same.exitCode == 0, "\(same.stderr)")
        let sameReport = try await StoreCLI.json(same.stdout)
        #expect(sameReport["changed_decisions"]?.int64Value == 0)
        #expect(sameReport["carrier"]?["cost_change"]?.int64Value == 0)

        let next = try folder.dearerTariffRules()
        let changed = try await StoreCLI.run(["replay", "--rules", next, "--db", folder.db, "--format", "json"])
        #expect(changed.exitCode == 0)
        let report = try await StoreCLI.json(changed.stdout)
        #expect(report["affected_postings"] == ["0175002919-0203-1", "0187342256-0044-1"])
        #expect(report["carrier"]?["cost_change"]?.int64Value == 7_298)
        #expect(report["carrier"]?["currency"]?.stringValue == "RUB")

        let table = try await StoreCLI.run(["replay", "--rules", next, "--db", folder.db])
        #expect(table.stdout.contains("postings affected: 2 (0175002919-0203-1, 0187342256-0044-1)"))
        #expect(table.stdout.contains("carrier cost: 4398.12 ₽ → 4471.10 ₽ (+72.98 ₽)"))

        let gate = try await StoreCLI.run(["replay", "--rules", next, "--db", folder.db, "--fail-on-change"])
        #expect(gate.exitCode == 1)

        let later = try await StoreCLI.run(["replay", "--rules", next, "--db", folder.db, "--since", "2026-05-21", "--format", "json"])
        #expect(try await StoreCLI.json(later.stdout)["transitions"]?.int64Value == 0)
    }
}

import Foundation
import PostingModel
import PostingStore
import SQLiteStore
import TestSupport
import Testing

/// `outbox`, `labels`, `transition --plan` and the effects in `log`, on a real store file.
@Suite("Outbox commands")
struct OutboxCommandTests {
    @Test("a planned effect is listed with its exact request, by posting, state and kind, and in the posting's log")
    func outboxListsThePlan() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)
        let rules = StoreCLI.exampleRules.path
        // ingest plans nothing; a manual move with --plan does.
        let empty = try await StoreCLI.run(["outbox", "--db", folder.db, "--format", "json"])
        #expect(empty.exitCode == 0)
        #expect(try StoreCLI.json(empty.stdout).arrayValue?.isEmpty == true)
        let delivering = try await StoreCLI.run([
            "transition", "0175002919-0203-1", "--to", "delivering", "--rules", rules, "--db", folder.db, "--now", StoreCLI.now,
        ])
        #expect(delivering.exitCode == 0, "\(delivering.stderr)")
        let moved = try await StoreCLI.run([
            "transition", "0175002919-0203-1", "--to", "delivered", "--rules", rules, "--db", folder.db, "--now", StoreCLI.now, "--plan",
        ])
        #expect(moved.exitCode == 0, "\(moved.stderr)")
        // The review request is timers.lua's: on the third day after the delivery (--now).
        let tick = try await StoreCLI.run([
            "tick", "--rules", rules, "--db", folder.db, "--now", "2026-05-23T10:00:00Z",
        ])
        #expect(tick.stdout.contains("0175002919-0203-1\treview_request"), "\(tick.stdout) \(tick.stderr)")

        let listed = try await StoreCLI.run(["outbox", "0175002919-0203-1", "--db", folder.db, "--format", "json"])
        #expect(listed.exitCode == 0, "\(listed.stderr)")
        let effects = try StoreCLI.json(listed.stdout).arrayValue ?? []
        let chat = try #require(effects.first { $0["kind"]?.stringValue == "chat_message" })
        #expect(chat["state"]?.stringValue == "planned")
        #expect(chat["attempts"]?.int64Value == 0)
        #expect(chat["posting_number"]?.stringValue == "0175002919-0203-1")
        #expect(chat["method"]?.stringValue == "/v1/chat/send/message")
        #expect(chat["request"]?["text"]?.stringValue?.contains("0175002919-0203-1") == true)
        #expect(chat["sent_at"]?.isNull == true && chat["response"]?.isNull == true && chat["error"]?.isNull == true)
        // Due at once: the timer fired 70 h after the delivery, inside the 72 h chat window.
        #expect(chat["next_attempt_at"]?.stringValue == chat["planned_at"]?.stringValue)

        let table = try await StoreCLI.run(["outbox", "--db", folder.db, "--state", "planned", "--kind", "chat_message"])
        #expect(table.stdout.hasPrefix("ID"))
        #expect(table.stdout.contains("chat_message") && table.stdout.contains("chat:0175002919-0203-1") && table.stdout.contains("planned"))
        let none = try await StoreCLI.run(["outbox", "--db", folder.db, "--state", "sent", "--format", "json"])
        #expect(try StoreCLI.json(none.stdout).arrayValue?.isEmpty == true)

        let log = try await StoreCLI.run(["log", "0175002919-0203-1", "--db", folder.db])
        #expect(log.stdout.contains("\neffects:\n") && log.stdout.contains("chat_message"))
        let logJSON = try StoreCLI.json(try await StoreCLI.run(["log", "0175002919-0203-1", "--db", folder.db, "--format", "json"]).stdout)
        #expect(logJSON.arrayValue?.last?["kind"]?.stringValue == "effect")
        #expect(logJSON.arrayValue?.last?["effect"]?["kind"]?.stringValue == "chat_message")
    }

    @Test("outbox refuses unknown states and kinds, and a missing store")
    func usageErrors() async throws {
        let folder = try StoreTestFolder()
        #expect(try await StoreCLI.ingestExamples(db: folder.db).exitCode == 0)
        let state = try await StoreCLI.run(["outbox", "--db", folder.db, "--state", "done"])
        #expect(state.exitCode == 2 && state.stderr.contains("unknown state 'done'"))
        let kind = try await StoreCLI.run(["outbox", "--db", folder.db, "--kind", "shipping"])
        #expect(kind.exitCode == 2 && kind.stderr.contains("unknown kind 'shipping'"))
        let missing = try await StoreCLI.run(["outbox", "--db", folder.path("none.sqlite")])
        #expect(missing.exitCode == 2)
    }

    @Test("labels writes each stored PDF once, named by its postings, and says what is missing")
    func labelsAreWrittenOut() async throws {
        let folder = try StoreTestFolder()
        let store = try SQLitePostingStore(path: folder.db)
        let single = Array("%PDF-1.4 one".utf8), batch = Array("%PDF-1.4 two".utf8)
        let at = Timestamp(unixSeconds: 1_779_278_400)
        try await store.saveLabelFile(LabelFile(postingNumbers: ["1-1"], taskID: 5, pdf: single, fetchedAt: at))
        try await store.saveLabelFile(LabelFile(postingNumbers: ["2-1", "3-1"], taskID: 6, pdf: batch, fetchedAt: at))
        let out = folder.path("labels")
        let all = try await StoreCLI.run(["labels", "--db", folder.db, "--output", out])
        #expect(all.exitCode == 0, "\(all.stderr)")
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: out + "/1-1.pdf"))) == single)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: out + "/labels-2-1-and-1-more.pdf"))) == batch)
        #expect(all.stdout.contains("1-1.pdf\t1-1") && all.stdout.contains("\t2-1 3-1"))

        let some = try await StoreCLI.run(["labels", "3-1", "9-9", "--db", folder.db, "--output", folder.path("some")])
        #expect(some.exitCode == 1)
        #expect(some.stderr.contains("no label stored for posting 9-9"))
        #expect(FileManager.default.fileExists(atPath: folder.path("some/labels-2-1-and-1-more.pdf")))
        #expect(!FileManager.default.fileExists(atPath: folder.path("some/1-1.pdf")))
    }
}

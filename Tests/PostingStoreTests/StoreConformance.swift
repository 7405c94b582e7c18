import Foundation
import PostingModel
import PostingStore
import SQLiteStore
import TestSupport
import Testing

/// Every store backend, made fresh and empty for one test.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite

    var testDescription: String { rawValue }

    /// A new empty store; `folder` keeps its files alive for the test.
    func make(in folder: TemporaryFolder) throws -> any PostingStore {
        switch self {
        case .sqlite: return try SQLitePostingStore(path: folder.path("conformance.sqlite"))
        }
    }
}

/// Values to write.
enum Sample {
    static let t0 = Timestamp(unixSeconds: 1_779_278_400)
    static let version = RulesVersion(files: ["carrier.lua": Array("return function() end".utf8)])
    static let otherVersion = RulesVersion(files: ["carrier.lua": Array("return function() return nil end".utf8)])

    static func row(_ number: String, _ status: PostingStatus, at: Timestamp = t0, note: String = "") -> StoredPosting {
        StoredPosting(
            postingNumber: number, status: status, substatus: nil,
            snapshot: #"{"note":"\#(note)","posting_number":"\#(number)","status":"\#(status.rawValue)"}"#, updatedAt: at)
    }

    static func run(_ hook: String, decision: String? = nil, seen: [String] = [], error: RecordedError? = nil) -> HookRunRecord {
        HookRunRecord(hook: hook, decisionsSeen: seen, decision: decision, error: error, instructions: 42, durationNanoseconds: 7)
    }

    static func transition(
        from: PostingStatus?, to: PostingStatus, at: Timestamp = t0, runs: [HookRunRecord] = [], version: RulesVersion = version
    ) -> NewTransition {
        NewTransition(from: from, to: to, at: at, source: .ingest, carrierDecided: false, rulesVersion: version, hookRuns: runs,
                      log: ["printed"])
    }

    static func change(
        _ number: String, from: PostingStatus?, to: PostingStatus, expected: Int64?, at: Timestamp = t0,
        runs: [HookRunRecord] = [], requests: [NewOutboxRequest] = [], inbox: InboxCompletion? = nil
    ) -> StoreChange {
        .posting(PostingChange(
            posting: row(number, to, at: at), expectedRevision: expected, transition: transition(from: from, to: to, at: at, runs: runs),
            requests: requests, inbox: inbox))
    }

    static func returnEvent(_ id: Int64, _ number: String, at: Timestamp = t0) -> NewReturn {
        NewReturn(returnID: id, postingNumber: number, snapshot: #"{"return_id":\#(id)}"#, postingSnapshot: nil, at: at,
                  source: .ingest, rulesVersion: version, hookRuns: [run("returns", decision: #"{"action":"approve"}"#)], log: [])
    }

    static func notification(_ key: String, _ number: String) -> NewNotification {
        NewNotification(dedupeKey: key, messageType: "TYPE_NEW_POSTING", postingNumber: number, payload: "{}", peer: "127.0.0.1",
                        receivedAt: t0)
    }
}

/// The behaviour every `PostingStore` must have, run against each backend.
@Suite("Store conformance")
struct StoreConformance {
    @Test("an empty store holds nothing", arguments: StoreBackend.allCases)
    func empty(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        #expect(try await store.posting("1-1") == nil)
        #expect(try await store.postings(["1-1", "2-1"]).isEmpty)
        #expect(try await store.countRecorded(since: nil) == 0)
        #expect(try await store.history(postingNumber: nil).isEmpty)
        #expect(try await store.latestDecision(hook: "carrier", postingNumber: "1-1") == nil)
        #expect(try await store.recordedReturns([1, 2]).isEmpty)
        #expect(try await store.nextInboxItem(dueAt: Sample.t0) == nil)
        #expect(try await store.nextOutboxRequest(dueAt: Sample.t0) == nil)
        #expect(try await store.pendingInboxCount() == 0)
    }

    @Test("a transition is stored with its hook runs, log and rules version", arguments: StoreBackend.allCases)
    func transitionRoundTrip(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        let runs = [
            Sample.run("packaging", decision: #"{"packages":[]}"#),
            Sample.run("carrier", seen: ["packaging"], error: RecordedError(code: "rule_runtime_error", file: "carrier.lua", line: 3, message: "boom")),
        ]
        let result = try await store.commit(Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil, runs: runs))
        let id = try #require(result.transitionID)

        let stored = try #require(try await store.posting("1-1"))
        #expect(stored.status == .awaitingPackaging)
        #expect(stored.revision > 0)
        #expect(stored.snapshot == Sample.row("1-1", .awaitingPackaging).snapshot)
        #expect(try await store.postings(["1-1", "9-9"]).keys.sorted() == ["1-1"])

        let history = try await store.history(postingNumber: "1-1")
        guard case .transition(let t)? = history.first, history.count == 1 else {
            Issue.record("expected one transition, got \(history)")
            return
        }
        #expect(t.id == id)
        #expect(t.from == nil && t.to == .awaitingPackaging && t.at == Sample.t0 && t.source == "ingest")
        #expect(t.hookRuns == runs)
        #expect(t.log == ["printed"])
        #expect(t.rulesVersion == Sample.version.digest)
        #expect(try await store.rulesVersions().map(\.digest) == [Sample.version.digest])
        #expect(try await store.countRecorded(since: nil) == 1)
        #expect(try await store.countRecorded(since: Sample.t0.adding(seconds: 1)) == 0)
    }

    @Test("a commit from a revision that is gone is refused and writes nothing", arguments: StoreBackend.allCases)
    func conflicts(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        _ = try await store.commit(Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil))
        let first = try #require(try await store.posting("1-1"))

        // As if another writer had created it meanwhile.
        let again = try await store.commit(Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil))
        #expect(again == .conflict(current: first))

        let moved = try await store.commit(Sample.change("1-1", from: .awaitingPackaging, to: .awaitingDeliver, expected: first.revision))
        #expect(moved.transitionID != nil)
        let second = try #require(try await store.posting("1-1"))
        #expect(second.revision != first.revision)

        // A writer that read the first revision loses.
        let stale = try await store.commit(Sample.change("1-1", from: .awaitingPackaging, to: .cancelled, expected: first.revision))
        #expect(stale == .conflict(current: second))
        #expect(try await store.posting("1-1") == second)
        #expect(try await store.history(postingNumber: "1-1").count == 2)

        // A snapshot-only update moves the revision too.
        let update = StoreChange.posting(PostingChange(
            posting: Sample.row("1-1", .awaitingDeliver, note: "changed"), expectedRevision: second.revision, transition: nil))
        #expect(try await store.commit(update) == .written(transitionID: nil))
        let third = try #require(try await store.posting("1-1"))
        #expect(third.revision != second.revision)
        #expect(third.snapshot.contains("changed"))
        #expect(try await store.history(postingNumber: "1-1").count == 2)
    }

    @Test("one refused change of a commit leaves the others written", arguments: StoreBackend.allCases)
    func partialCommit(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        _ = try await store.commit(Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil))
        let results = try await store.commit([
            Sample.change("2-1", from: nil, to: .awaitingPackaging, expected: nil),
            Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil),
            .returnEvent(Sample.returnEvent(10, "2-1")),
        ])
        #expect(results[0].transitionID != nil)
        #expect(results[1] == .conflict(current: try await store.posting("1-1")))
        #expect(results[2] == .written(transitionID: nil))
        #expect(try await store.postings(["1-1", "2-1"]).count == 2)
    }

    @Test("a return is recorded once", arguments: StoreBackend.allCases)
    func returns(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        #expect(try await store.commit(.returnEvent(Sample.returnEvent(7, "1-1"))) == .written(transitionID: nil))
        #expect(try await store.commit(.returnEvent(Sample.returnEvent(7, "1-1"))) == .alreadyRecorded)
        #expect(try await store.recordedReturns([7, 8]) == [7])
        let history = try await store.history(postingNumber: "1-1")
        guard case .returnEvent(let r)? = history.first, history.count == 1 else {
            Issue.record("expected one return, got \(history)")
            return
        }
        #expect(r.returnID == 7 && r.hookRuns.map(\.hook) == ["returns"] && r.at == Sample.t0)
    }

    @Test("history is ordered by time, transitions before returns, and honours since and limit", arguments: StoreBackend.allCases)
    func historyOrder(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        let t1 = Sample.t0.adding(seconds: 60), t2 = Sample.t0.adding(seconds: 120)
        _ = try await store.commit([
            .returnEvent(Sample.returnEvent(5, "1-1", at: t1)),
            Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil, at: Sample.t0),
            Sample.change("2-1", from: nil, to: .awaitingPackaging, expected: nil, at: t1),
        ])
        _ = try await store.commit(Sample.change("1-1", from: .awaitingPackaging, to: .awaitingDeliver, expected: 1, at: t2))
        let all = try await store.history(postingNumber: nil)
        #expect(all.map(describe) == ["t 1-1 \(Sample.t0)", "t 2-1 \(t1)", "r 1-1 \(t1)", "t 1-1 \(t2)"])
        #expect(try await store.history(postingNumber: nil, since: t1).map(describe) == ["t 2-1 \(t1)", "r 1-1 \(t1)", "t 1-1 \(t2)"])
        #expect(try await store.history(postingNumber: nil, limit: 2).map(describe) == ["r 1-1 \(t1)", "t 1-1 \(t2)"])
        #expect(try await store.history(postingNumber: "1-1").map(describe) == ["t 1-1 \(Sample.t0)", "r 1-1 \(t1)", "t 1-1 \(t2)"])
        #expect(try await store.countRecorded(since: t1) == 3)
    }

    private func describe(_ recorded: RecordedEvaluation) -> String {
        switch recorded {
        case .transition(let t): "t \(t.postingNumber) \(t.at)"
        case .returnEvent(let r): "r \(r.postingNumber) \(r.at)"
        }
    }

    @Test("the latest decision of a hook is the newest one made", arguments: StoreBackend.allCases)
    func latestDecision(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        _ = try await store.commit(Sample.change(
            "1-1", from: nil, to: .awaitingPackaging, expected: nil, runs: [Sample.run("carrier", decision: #"{"carrier":"cdek"}"#)]))
        _ = try await store.commit(Sample.change(
            "1-1", from: .awaitingPackaging, to: .awaitingDeliver, expected: 1, runs: [Sample.run("carrier")]))
        #expect(try await store.latestDecision(hook: "carrier", postingNumber: "1-1") == #"{"carrier":"cdek"}"#)
        #expect(try await store.latestDecision(hook: "packaging", postingNumber: "1-1") == nil)
    }

    @Test("the inbox keeps each notification once and hands out what is due", arguments: StoreBackend.allCases)
    func inbox(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        guard case .stored(let first) = try await store.accept(Sample.notification("a", "1-1")) else {
            Issue.record("the first notification was not stored")
            return
        }
        #expect(try await store.accept(Sample.notification("a", "1-1")) == .duplicate(id: first))
        guard case .stored(let second) = try await store.accept(Sample.notification("b", "2-1")) else {
            Issue.record("the second notification was not stored")
            return
        }
        #expect(try await store.pendingInboxCount() == 2)
        #expect(try await store.nextInboxItem(dueAt: Sample.t0) == InboxItem(id: first, messageType: "TYPE_NEW_POSTING", postingNumber: "1-1", attempts: 0))

        // Put back for later: not due before its time.
        let later = Timestamp.now().adding(seconds: 3600)
        try await store.retryInboxItem(first, error: "read failed", retryAt: later)
        #expect(try await store.nextInboxItem(dueAt: .now())?.id == second)
        #expect(try await store.nextInboxItem(dueAt: later)?.id == first)
        #expect(try await store.pendingInboxCount() == 2)

        // Done with the posting's change, and failed for good.
        let done = InboxCompletion(id: second, outcome: "created", error: nil, at: Sample.t0)
        _ = try await store.commit(Sample.change("2-1", from: nil, to: .awaitingPackaging, expected: nil, inbox: done))
        try await store.retryInboxItem(first, error: "gone", retryAt: nil)
        #expect(try await store.pendingInboxCount() == 0)
        #expect(try await store.nextInboxItem(dueAt: later.adding(seconds: 86400)) == nil)
    }

    @Test("a notification with nothing to write is marked done on its own", arguments: StoreBackend.allCases)
    func inboxDone(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        guard case .stored(let id) = try await store.accept(Sample.notification("a", "1-1")) else {
            Issue.record("not stored")
            return
        }
        #expect(try await store.commit(.inboxDone(InboxCompletion(id: id, outcome: "unchanged", error: nil, at: Sample.t0)))
                == .written(transitionID: nil))
        #expect(try await store.pendingInboxCount() == 0)
    }

    @Test("requests planned with a transition are kept once, handed out in order and finished", arguments: StoreBackend.allCases)
    func outbox(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        let ship = NewOutboxRequest(kind: "ship", body: ["posting_number": "1-1"])
        let cancel = NewOutboxRequest(kind: "cancel", body: ["posting_number": "2-1", "cancel_reason_id": 352])
        let results = try await store.commit([
            Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil, requests: [ship, ship]),
            Sample.change("2-1", from: nil, to: .awaitingPackaging, expected: nil, requests: [cancel]),
        ])
        let planned = try await store.outboxRequests(postingNumber: "1-1")
        #expect(planned.count == 1)
        #expect(planned.first?.kind == "ship" && planned.first?.body == ship.body && planned.first?.state == .pending)
        #expect(planned.first?.transitionID == results[0].transitionID)

        let next = try #require(try await store.nextOutboxRequest(dueAt: .now()))
        #expect(next.postingNumber == "1-1")
        let later = Timestamp.now().adding(seconds: 3600)
        try await store.finishOutboxRequest(next.id, state: .pending, result: "429", retryAt: later)
        #expect(try await store.nextOutboxRequest(dueAt: .now())?.postingNumber == "2-1")
        let retried = try #require(try await store.nextOutboxRequest(dueAt: later))
        #expect(retried.id == next.id && retried.attempts == 1 && retried.result == "429")

        try await store.finishOutboxRequest(next.id, state: .done, result: "{}", retryAt: nil)
        let other = try #require(try await store.nextOutboxRequest(dueAt: later))
        try await store.finishOutboxRequest(other.id, state: .failed, result: "refused", retryAt: nil)
        #expect(try await store.nextOutboxRequest(dueAt: later) == nil)
        #expect(try await store.outboxRequests(postingNumber: "1-1").map(\.state) == [.done])
        #expect(try await store.outboxRequests(postingNumber: "2-1").map(\.state) == [.failed])

        try await store.recordCall(APICallRecord(
            requestID: next.id, postingNumber: "1-1", path: "/v4/posting/fbs/ship", body: ship.body, applied: true, httpStatus: 200,
            response: "{}", error: nil, attempts: 1, at: Sample.t0, durationMilliseconds: 12))
    }

    @Test("a rules version recorded on reload is listed once", arguments: StoreBackend.allCases)
    func rulesVersions(_ backend: StoreBackend) async throws {
        let folder = try TemporaryFolder()
        let store = try backend.make(in: folder)
        try await store.recordRulesVersion(Sample.version, at: Sample.t0)
        try await store.recordRulesVersion(Sample.otherVersion, at: Sample.t0.adding(seconds: 5))
        try await store.recordRulesVersion(Sample.version, at: Sample.t0.adding(seconds: 9))
        let versions = try await store.rulesVersions()
        #expect(versions.map(\.digest) == [Sample.version.digest, Sample.otherVersion.digest])
        #expect(versions.map(\.firstUsedAt) == [Sample.t0, Sample.t0.adding(seconds: 5)])
    }
}

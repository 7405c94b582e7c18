import Foundation
import PostingModel
import PostingStore
import PostgresStore
import SQLiteStore
import TestSupport
import Testing

/// Every store backend, made fresh and empty for one test.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    /// A new database on the server `OZON_RULES_TEST_POSTGRES_URL` names, for each test.
    case postgres

    var testDescription: String { rawValue }

    /// A new empty store; `folder` keeps its files alive for the test.
    func make(in folder: TemporaryFolder) async throws -> any PostingStore {
        switch self {
        case .sqlite: return try SQLitePostingStore(path: folder.path("conformance.sqlite"))
        case .postgres: return try await PostgresPostingStore.open(try await PostgresTestServer.freshDatabase())
        }
    }

    /// Two handles on one new empty store, for the shops `a` and `b`.
    func makeShops(in folder: TemporaryFolder) async throws -> (a: any PostingStore, b: any PostingStore) {
        switch self {
        case .sqlite:
            let path = folder.path("shops.sqlite")
            return (try SQLitePostingStore(path: path, shop: "a"), try SQLitePostingStore(path: path, shop: "b"))
        case .postgres:
            let location = try await PostgresTestServer.freshDatabase()
            return (try await PostgresPostingStore.open(location, shop: "a"), try await PostgresPostingStore.open(location, shop: "b"))
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
        runs: [HookRunRecord] = [], effects: [NewEffect] = [], inbox: InboxCompletion? = nil
    ) -> StoreChange {
        .posting(PostingChange(
            posting: row(number, to, at: at), expectedRevision: expected, transition: transition(from: from, to: to, at: at, runs: runs),
            effects: effects, inbox: inbox))
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

/// The behaviour every `PostingStore` must have, one check per behaviour, each on a fresh store
/// of `backend`. `SQLiteConformance` and `PostgresConformance` run every check on their backend;
/// a new check is listed in both.
struct StoreConformance {
    let backend: StoreBackend

    func empty() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        #expect(try await store.posting("1-1") == nil)
        #expect(try await store.postings(["1-1", "2-1"]).isEmpty)
        #expect(try await store.countRecorded(since: nil) == 0)
        #expect(try await store.history(postingNumber: nil).isEmpty)
        #expect(try await store.latestDecision(hook: "carrier", postingNumber: "1-1") == nil)
        #expect(try await store.recordedReturns([1, 2]).isEmpty)
        #expect(try await store.nextInboxItem(dueAt: Sample.t0) == nil)
        #expect(try await store.nextEffect(dueAt: Sample.t0, kinds: nil) == nil)
        #expect(try await store.effects(EffectQuery()).isEmpty)
        #expect(try await store.labelFiles(postingNumbers: nil).isEmpty)
        #expect(try await store.recordedCancellationRequests([1]).isEmpty)
        #expect(try await store.pendingInboxCount() == 0)
    }

    func transitionRoundTrip() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
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

    func conflicts() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
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

    func partialCommit() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
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

    func returns() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
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

    func historyOrder() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
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

    func latestDecision() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        _ = try await store.commit(Sample.change(
            "1-1", from: nil, to: .awaitingPackaging, expected: nil, runs: [Sample.run("carrier", decision: #"{"carrier":"cdek"}"#)]))
        _ = try await store.commit(Sample.change(
            "1-1", from: .awaitingPackaging, to: .awaitingDeliver, expected: 1, runs: [Sample.run("carrier")]))
        #expect(try await store.latestDecision(hook: "carrier", postingNumber: "1-1") == #"{"carrier":"cdek"}"#)
        #expect(try await store.latestDecision(hook: "packaging", postingNumber: "1-1") == nil)
    }

    func inbox() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
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

    func inboxDone() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        guard case .stored(let id) = try await store.accept(Sample.notification("a", "1-1")) else {
            Issue.record("not stored")
            return
        }
        #expect(try await store.commit(.inboxDone(InboxCompletion(id: id, outcome: "unchanged", error: nil, at: Sample.t0)))
                == .written(transitionID: nil))
        #expect(try await store.pendingInboxCount() == 0)
    }

    static func ship(_ number: String, transition: String = "t1") -> NewEffect {
        NewEffect(kind: .ship, subject: .posting(number), postingNumber: number, method: "/v4/posting/fbs/ship", request: ["posting_number": .string(number)],
                  key: "ship:\(number):\(transition)")
    }

    func effectsPlanned() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        let ship = Self.ship("1-1")
        let cancel = NewEffect(kind: .cancel, subject: .posting("2-1"), postingNumber: "2-1", method: "/v2/posting/fbs/cancel",
                               request: ["posting_number": "2-1", "cancel_reason_id": 352], key: "cancel:2-1")
        let results = try await store.commit([
            Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil, effects: [ship, ship]),
            Sample.change("2-1", from: nil, to: .awaitingPackaging, expected: nil, effects: [cancel]),
        ])
        let planned = try await store.effects(EffectQuery(postingNumber: "1-1"))
        #expect(planned.count == 1)
        let first = try #require(planned.first)
        #expect(first.kind == .ship && first.request == ship.request && first.state == .planned && first.attempts == 0)
        #expect(first.transitionID == results[0].transitionID && first.key == ship.key && first.subject == "posting:1-1")
        #expect(first.plannedAt == first.nextAttemptAt && first.sentAt == nil && first.response == nil)
        // Planning a known key again (a second process, a retried commit) does nothing.
        #expect(try await store.planEffects([ship, Self.ship("1-1", transition: "t2")], at: Sample.t0) .map { $0 == nil } == [true, false])
        #expect(try await store.effects(EffectQuery(postingNumber: "1-1")).count == 2)
        #expect(try await store.effects(EffectQuery(kinds: [.cancel])).map(\.postingNumber) == ["2-1"])
        #expect(try await store.effects(EffectQuery(states: [.sent])).isEmpty)
        #expect(try await store.effectCounts() == [.planned: 3])
    }

    func effectOrder() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        let now = Sample.t0
        let labels = NewEffect(kind: .labels, subject: .posting("1-1"), postingNumber: "1-1", method: "/v3/posting/fbs/package-label/create",
                               request: ["posting_number": ["1-1"]],
                               key: "labels:1-1")
        let later = NewEffect(kind: .chatMessage, subject: .chat("3-1"), postingNumber: "3-1", method: "/v1/chat/send/message",
                              request: ["text": "hi"], key: "chat:3-1",
                              notBefore: now.adding(seconds: 3600))
        try await store.planEffects([Self.ship("1-1"), labels, Self.ship("2-1"), later], at: now)
        let first = try #require(try await store.nextEffect(dueAt: now, kinds: nil))
        #expect(first.kind == .ship && first.postingNumber == "1-1")
        let claimed = try #require(try await store.claimEffect(first.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 60)))
        #expect(claimed.state == .sending && claimed.attempts == 1 && claimed.sentAt == now)
        // A second claim with the old token loses.
        #expect(try await store.claimEffect(first.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 60)) == nil)
        // The labels of 1-1 wait for its ship; 2-1 goes meanwhile; the chat message is not due.
        let other = try #require(try await store.nextEffect(dueAt: now, kinds: nil))
        #expect(other.postingNumber == "2-1")
        #expect(try await store.nextEffect(dueAt: now, kinds: [.labels]) == nil)
        _ = try #require(try await store.claimEffect(other.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 60)))
        #expect(try await store.finishEffect(other.id, attempts: 1, outcome: EffectOutcome(state: .failed, error: "refused"), at: now))
        // The claim lapses: the effect is due again (its outcome unknown), still ahead of the labels.
        #expect(try await store.nextEffect(dueAt: now.adding(seconds: 61), kinds: [.ship, .labels])?.id == first.id)
        #expect(try await store.finishEffect(first.id, attempts: 1, outcome: EffectOutcome(state: .sent, response: "{}"), at: now))
        #expect(try await store.nextEffect(dueAt: now, kinds: [.labels])?.kind == .labels)
        #expect(try await store.nextEffect(dueAt: now.adding(seconds: 3600), kinds: [.chatMessage])?.kind == .chatMessage)
        let sent = try #require(try await store.effects(EffectQuery(postingNumber: "1-1")).first)
        #expect(sent.state == .sent && sent.response == "{}" && sent.finishedAt == now)
    }

    func effectFollowUps() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        let now = Sample.t0
        let labels = NewEffect(kind: .labels, subject: .posting("1-1"), postingNumber: "1-1", method: "/v3/posting/fbs/package-label/create",
                               request: ["posting_numbers": ["1-1"]], key: "labels:1-1")
        try await store.planEffects([Self.ship("1-1")], at: now)
        let effect = try #require(try await store.nextEffect(dueAt: now, kinds: nil))
        _ = try #require(try await store.claimEffect(effect.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 10)))
        _ = try #require(try await store.claimEffect(effect.id, attempts: 1, now: now.adding(seconds: 11), leaseUntil: now.adding(seconds: 20)))
        // A claim taken over writes neither its outcome nor its follow-ups.
        #expect(try await store.finishEffect(effect.id, attempts: 1, outcome: EffectOutcome(state: .sent, response: "{}"),
                                             followUps: [labels], at: now) == false)
        #expect(try await store.effects(EffectQuery(kinds: [.labels])).isEmpty)
        // The latest claim's outcome and its follow-ups land together; a follow-up's key planned again is ignored.
        #expect(try await store.finishEffect(effect.id, attempts: 2, outcome: EffectOutcome(state: .sent, response: "{}"),
                                             followUps: [labels], at: now))
        let planned = try await store.effects(EffectQuery(kinds: [.labels]))
        #expect(planned.count == 1 && planned.first?.state == .planned && planned.first?.subject == "posting:1-1")
        try await store.planEffects([labels], at: now)
        #expect(try await store.effects(EffectQuery(kinds: [.labels])).count == 1)
        #expect(try await store.effects(EffectQuery(kinds: [.ship])).first?.state == .sent)
    }

    func effectFencing() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        let now = Sample.t0
        try await store.planEffects([Self.ship("1-1")], at: now)
        let effect = try #require(try await store.nextEffect(dueAt: now, kinds: nil))
        _ = try #require(try await store.claimEffect(effect.id, attempts: 0, now: now, leaseUntil: now.adding(seconds: 10)))
        // Another process takes it over after the lease; the first one's late answer is refused.
        let takeover = try #require(try await store.claimEffect(effect.id, attempts: 1, now: now.adding(seconds: 11),
                                                                leaseUntil: now.adding(seconds: 20)))
        #expect(takeover.attempts == 2)
        #expect(try await store.finishEffect(effect.id, attempts: 1, outcome: EffectOutcome(state: .failed, error: "late"), at: now) == false)
        let retryAt = now.adding(seconds: 300)
        #expect(try await store.finishEffect(effect.id, attempts: 2, outcome: EffectOutcome(
            state: .planned, error: "HTTP 429", retryAt: retryAt, progress: ["chat_id": "c-1"]), at: now))
        #expect(try await store.nextEffect(dueAt: now.adding(seconds: 299), kinds: nil) == nil)
        let retried = try #require(try await store.nextEffect(dueAt: retryAt, kinds: nil))
        #expect(retried.state == .planned && retried.error == "HTTP 429" && retried.progress == ["chat_id": "c-1"] && retried.finishedAt == nil)
        _ = try #require(try await store.claimEffect(retried.id, attempts: 2, now: retryAt, leaseUntil: retryAt.adding(seconds: 5)))
        #expect(try await store.finishEffect(retried.id, attempts: 3, outcome: EffectOutcome(state: .notAllowed, error: "Premium"), at: retryAt))
        #expect(try await store.nextEffect(dueAt: retryAt.adding(seconds: 999), kinds: nil) == nil)
        #expect(try await store.effectCounts() == [.notAllowed: 1])
        try await store.recordCall(APICallRecord(
            effectID: effect.id, postingNumber: "1-1", path: "/v4/posting/fbs/ship", body: ["posting_number": "1-1"], applied: true,
            httpStatus: 200, response: "{}", error: nil, attempts: 1, at: Sample.t0, durationMilliseconds: 12))
    }

    func buyerRequests() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        var ret = Sample.returnEvent(7, "1-1")
        ret.effects = [NewEffect(kind: .returnAction, subject: .returnRequest(7), postingNumber: "1-1", returnID: 7, method: "/v1/returns/rfbs/action/set",
                                 request: ["return_id": 7, "id": 1], key: "return_action:7")]
        #expect(try await store.commit(.returnEvent(ret)) == .written(transitionID: nil))
        #expect(try await store.commit(.returnEvent(ret)) == .alreadyRecorded)
        let request = NewCancellationRequest(
            cancellationID: 51, postingNumber: "1-1", snapshot: #"{"cancellation_id":51}"#, postingSnapshot: nil,
            autoApproveAt: Sample.t0.adding(seconds: 86400), at: Sample.t0, rulesVersion: Sample.version,
            hookRuns: [Sample.run("cancellations", decision: #"{"action":"approve"}"#)], log: [],
            effects: [NewEffect(kind: .cancellationAnswer, subject: .cancellationRequest(51), postingNumber: "1-1", cancellationID: 51, method: "/v2/conditional-cancellation/approve",
                                request: ["cancellation_id": 51], key: "cancellation_answer:51")])
        #expect(try await store.commit(.cancellationRequest(request)) == .written(transitionID: nil))
        #expect(try await store.commit(.cancellationRequest(request)) == .alreadyRecorded)
        #expect(try await store.recordedCancellationRequests([51, 52]) == [51])
        let effects = try await store.effects(EffectQuery(postingNumber: "1-1"))
        #expect(effects.map(\.kind) == [.returnAction, .cancellationAnswer])
        #expect(effects.map(\.subject) == ["return:7", "cancellation:51"])
        #expect(effects[0].returnID == 7 && effects[1].cancellationID == 51)
    }

    static func buyerMessage(_ id: String, chat: String, posting: String?, inbox: Int64? = nil) -> NewBuyerMessage {
        NewBuyerMessage(
            messageID: id, chatID: chat, chatType: "Buyer_Seller", postingNumber: posting, userType: "Customer",
            snapshot: #"{"message_id":"\#(id)"}"#, postingSnapshot: nil, source: "push", at: Sample.t0, rulesVersion: Sample.version,
            hookRuns: [Sample.run("messages", decision: #"[{"action":"reply","text":"Здравствуйте!"}]"#)], log: [],
            effects: [NewEffect(kind: .chatMessage, subject: .chat(posting ?? chat), postingNumber: posting, method: "/v1/chat/send/message",
                                request: ["chat_id": .string(chat), "text": "Здравствуйте!"], key: "chat_message:message:\(id):0")],
            inbox: inbox.map { InboxCompletion(id: $0, outcome: "decided", error: nil, at: Sample.t0) })
    }

    func buyerMessages() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        // Ids beyond UInt64, as text; the newest by value, not by spelling.
        let big = "30000000001280042740"
        guard case .stored(let inbox) = try await store.accept(NewNotification(
            dedupeKey: "message:\(big)", messageType: "TYPE_NEW_MESSAGE", postingNumber: nil, payload: #"{"message_id":"\#(big)"}"#,
            peer: nil, receivedAt: Sample.t0)) else {
            Issue.record("not stored")
            return
        }
        #expect(try await store.inboxPayload(inbox) == #"{"message_id":"\#(big)"}"#)
        #expect(try await store.inboxPayload(inbox + 1000) == nil)
        #expect(try await store.commit(.buyerMessage(Self.buyerMessage(big, chat: "c1", posting: nil, inbox: inbox))) == .written(transitionID: nil))
        #expect(try await store.pendingInboxCount() == 0)
        #expect(try await store.commit(.buyerMessage(Self.buyerMessage(big, chat: "c1", posting: nil))) == .alreadyRecorded)
        #expect(try await store.commit(.buyerMessage(Self.buyerMessage("999", chat: "c1", posting: "5-1"))) == .written(transitionID: nil))
        #expect(try await store.recordedBuyerMessages([big, "999", "1000"]) == [big, "999"])
        #expect(try await store.latestBuyerMessageID(chatID: "c1") == big)
        #expect(try await store.latestBuyerMessageID(chatID: "c2") == nil)
        // Each message planned its reply once.
        #expect(try await store.effects(EffectQuery(kinds: [.chatMessage])).map(\.key)
            == ["chat_message:message:\(big):0", "chat_message:message:999:0"])

        // The posting of a chat: from an earlier message recorded with it, or from a chat
        // message effect that opened the chat.
        #expect(try await store.chatPostingNumber(chatID: "c1") == "5-1")
        #expect(try await store.chatPostingNumber(chatID: "c9") == nil)
        let ids = try await store.planEffects([NewEffect(
            kind: .chatMessage, subject: .chat("6-2"), postingNumber: "6-2", method: "/v1/chat/send/message",
            request: ["posting_number": "6-2", "text": "Спасибо!"], key: "chat_message:6-2:r1:0")], at: Sample.t0)
        let effect = try #require(try await store.effects(EffectQuery(postingNumber: "6-2")).first)
        #expect(ids == [effect.id])
        let claimed = try #require(try await store.claimEffect(effect.id, attempts: 0, now: Sample.t0, leaseUntil: Sample.t0.adding(seconds: 30)))
        #expect(try await store.finishEffect(effect.id, attempts: claimed.attempts, outcome: EffectOutcome(
            state: .sent, response: "{}", progress: ["chat_id": "c7"]), at: Sample.t0))
        #expect(try await store.chatPostingNumber(chatID: "c7") == "6-2")

        // The postings of an order number: N-1, N-2, ... by their last part.
        for number in ["77-10", "77-2", "77-1", "770-1", "77-1-x", "177-1"] {
            _ = try await store.commit(Sample.change(number, from: nil, to: .awaitingPackaging, expected: nil))
        }
        #expect(try await store.postingNumbers(ofOrder: "77") == ["77-1", "77-2", "77-10"])
        #expect(try await store.postingNumbers(ofOrder: "78").isEmpty)
    }

    func labelFiles() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        let pdf = Array("%PDF-1.4 labels".utf8)
        let id = try await store.saveLabelFile(LabelFile(postingNumbers: ["1-1", "2-1"], taskID: 77, pdf: pdf, fetchedAt: Sample.t0))
        _ = try await store.saveLabelFile(LabelFile(postingNumbers: ["3-1"], taskID: nil, pdf: [0, 1, 2, 255], fetchedAt: Sample.t0))
        let files = try await store.labelFiles(postingNumbers: ["2-1"])
        #expect(files.map(\.id) == [id])
        #expect(files.first?.file == LabelFile(postingNumbers: ["1-1", "2-1"], taskID: 77, pdf: pdf, fetchedAt: Sample.t0))
        #expect(try await store.labelFiles(postingNumbers: nil).map(\.file.pdf) == [pdf, [0, 1, 2, 255]])
        #expect(try await store.labelFiles(postingNumbers: ["9-9"]).isEmpty)
    }

    // MARK: Timers

    static func armed(_ number: String, at: Timestamp, timers: [NewTimer], expected: Int64?, from: PostingStatus? = nil,
                      to: PostingStatus = .awaitingPackaging) -> StoreChange {
        .posting(PostingChange(
            posting: Sample.row(number, to, at: at), expectedRevision: expected,
            transition: Sample.transition(from: from, to: to, at: at), timers: timers))
    }

    static func firing(_ timer: StoredTimer, at: Timestamp, effects: [NewEffect] = []) -> StoreChange {
        .timerFiring(TimerFiring(
            timerID: timer.id, attempts: timer.attempts, postingNumber: timer.postingNumber, at: at,
            snapshot: #"{"posting_number":"\#(timer.postingNumber)"}"#, rulesVersion: Sample.version,
            hookRuns: [Sample.run(timer.hookName, decision: #"[{"action":"alert","text":"late"}]"#)], log: ["fired"], effects: effects))
    }

    func timersArmAndFire() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        let t0 = Sample.t0
        _ = try await store.commit(Self.armed("1-1", at: t0, timers: [
            NewTimer(name: "warn", status: .awaitingPackaging, due: t0.adding(seconds: 100)),
            NewTimer(name: "urgent", status: .awaitingPackaging, due: t0.adding(seconds: 200)),
        ], expected: nil))
        let stored = try #require(try await store.posting("1-1"))
        #expect(stored.enteredAt == t0)
        #expect(try await store.timers(TimerQuery()).map(\.name) == ["warn", "urgent"])
        #expect(try await store.timers(TimerQuery(dueBefore: t0.adding(seconds: 150))).map(\.name) == ["warn"])
        // Nothing is due a second early; at the due time exactly one timer is.
        #expect(try await store.claimDueTimers(now: t0.adding(seconds: 99), limit: 10, leaseUntil: t0.adding(seconds: 160)).isEmpty)
        let claimed = try await store.claimDueTimers(now: t0.adding(seconds: 100), limit: 10, leaseUntil: t0.adding(seconds: 160))
        #expect(claimed.map(\.name) == ["warn"] && claimed[0].attempts == 1 && claimed[0].armedAt == t0 && claimed[0].state == .armed)
        // Claimed: another ticker does not get it before the lease ends.
        #expect(try await store.claimDueTimers(now: t0.adding(seconds: 101), limit: 10, leaseUntil: t0.adding(seconds: 200)).isEmpty)
        let alert = NewEffect(kind: .alert, subject: .alertChannel("json"), postingNumber: "1-1", method: "json", request: ["text": "late"],
                              key: "timer:\(claimed[0].id):alert")
        #expect(try await store.commit(Self.firing(claimed[0], at: t0.adding(seconds: 100), effects: [alert])) == .written(transitionID: nil))
        // Fired once: a second commit of the same firing writes nothing.
        #expect(try await store.commit(Self.firing(claimed[0], at: t0.adding(seconds: 101))) == .alreadyRecorded)
        #expect(try await store.effects(EffectQuery(kinds: [.alert])).count == 1)
        let firings = try await store.timerFirings(postingNumber: "1-1", since: nil)
        #expect(firings.count == 1)
        #expect(firings.first?.timer.state == .fired && firings.first?.at == t0.adding(seconds: 100))
        #expect(firings.first?.hookRuns.map(\.hook) == ["timers:warn"] && firings.first?.log == ["fired"])
        #expect(firings.first?.hookRuns.first?.decision == #"[{"action":"alert","text":"late"}]"#)
        #expect(firings.first?.rulesVersion == Sample.version.digest)
        #expect(try await store.timerFirings(postingNumber: "2-2", since: nil).isEmpty)
        #expect(try await store.timerFirings(postingNumber: nil, since: t0.adding(seconds: 101)).isEmpty)
        // Leaving the status cancels what is still armed; a timer due then never fires.
        _ = try await store.commit(Self.armed("1-1", at: t0.adding(seconds: 150), timers: [], expected: stored.revision,
                                              from: .awaitingPackaging, to: .awaitingDeliver))
        #expect(try await store.claimDueTimers(now: t0.adding(seconds: 999), limit: 10, leaseUntil: t0.adding(seconds: 2000)).isEmpty)
        let states = try await store.timers(TimerQuery(postingNumber: "1-1")).map { "\($0.name)=\($0.state.rawValue)" }
        #expect(states == ["warn=fired", "urgent=cancelled"])
        #expect(try await store.timers(TimerQuery(states: [.armed])).isEmpty)
    }

    func timerTakeover() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        let t0 = Sample.t0
        _ = try await store.commit(Self.armed("1-1", at: t0, timers: [
            NewTimer(name: "warn", status: .awaitingPackaging, due: t0),
        ], expected: nil))
        let first = try #require(try await store.claimDueTimers(now: t0, limit: 1, leaseUntil: t0.adding(seconds: 10)).first)
        // The first claimant died; after the lease another process takes the timer over...
        let second = try #require(try await store.claimDueTimers(now: t0.adding(seconds: 10), limit: 1, leaseUntil: t0.adding(seconds: 20)).first)
        #expect(second.id == first.id && second.attempts == 2)
        // ...and the first one's late firing is refused: the timer fires once.
        #expect(try await store.commit(Self.firing(first, at: t0.adding(seconds: 11))) == .alreadyRecorded)
        #expect(try await store.commit(Self.firing(second, at: t0.adding(seconds: 11))) == .written(transitionID: nil))
        #expect(try await store.timerFirings(postingNumber: nil, since: nil).count == 1)
        // A claimed timer whose posting moves on is cancelled: its firing is refused too.
        let revision = try #require(try await store.posting("1-1")).revision
        _ = try await store.commit(Self.armed("1-1", at: t0.adding(seconds: 20), timers: [
            NewTimer(name: "warn", status: .awaitingDeliver, due: t0.adding(seconds: 20)),
        ], expected: revision, from: .awaitingPackaging, to: .awaitingDeliver))
        let third = try #require(try await store.claimDueTimers(now: t0.adding(seconds: 20), limit: 5, leaseUntil: t0.adding(seconds: 30)).first)
        let moved = try #require(try await store.posting("1-1")).revision
        _ = try await store.commit(Self.armed("1-1", at: t0.adding(seconds: 21), timers: [], expected: moved,
                                              from: .awaitingDeliver, to: .delivering))
        #expect(try await store.commit(Self.firing(third, at: t0.adding(seconds: 22))) == .alreadyRecorded)
        #expect(try await store.timers(TimerQuery(states: [.fired])).count == 1)
    }

    /// Shops (SPEC §8.2): each handle sees its own shop's rows only.
    func shopsAreApart() async throws {
        let folder = try TemporaryFolder()
        let (a, b) = try await backend.makeShops(in: folder)
        let t0 = Sample.t0
        _ = try await a.commit(Self.armed("1-1", at: t0, timers: [NewTimer(name: "warn", status: .awaitingPackaging, due: t0.adding(seconds: 10))],
                                          expected: nil))
        _ = try await a.commit(Sample.change("1-2", from: nil, to: .awaitingPackaging, expected: nil, effects: [Self.ship("1-2")]))
        guard case .stored = try await a.accept(Sample.notification("k1", "1-1")) else {
            Issue.record("a new notification was not stored")
            return
        }
        _ = try await a.commit(.returnEvent(Sample.returnEvent(7, "1-1")))
        try await a.saveLabelFile(LabelFile(postingNumbers: ["1-2"], taskID: 1, pdf: Array("%PDF".utf8), fetchedAt: t0))
        try await a.recordRulesVersion(Sample.otherVersion, at: t0)

        #expect(try await b.posting("1-1") == nil)
        #expect(try await b.postings(["1-1", "1-2"]).isEmpty)
        #expect(try await b.history(postingNumber: nil).isEmpty)
        #expect(try await b.countRecorded(since: nil) == 0)
        #expect(try await b.latestDecision(hook: "returns", postingNumber: "1-1") == nil)
        #expect(try await b.recordedReturns([7]).isEmpty)
        #expect(try await b.effects(EffectQuery()).isEmpty)
        #expect(try await b.effectCounts().isEmpty)
        #expect(try await b.nextEffect(dueAt: Timestamp(unixSeconds: 4_000_000_000), kinds: nil) == nil)
        #expect(try await b.timers(TimerQuery()).isEmpty)
        #expect(try await b.claimDueTimers(now: t0.adding(seconds: 999), limit: 10, leaseUntil: t0.adding(seconds: 2000)).isEmpty)
        #expect(try await b.nextInboxItem(dueAt: t0.adding(seconds: 999)) == nil)
        #expect(try await b.pendingInboxCount() == 0)
        #expect(try await b.labelFiles(postingNumbers: nil).isEmpty)
        #expect(try await b.labelFiles(postingNumbers: ["1-2"]).isEmpty)
        #expect(try await b.rulesVersions().isEmpty)

        // The same notification key in another shop is another notification.
        guard case .stored = try await b.accept(Sample.notification("k1", "1-1")) else {
            Issue.record("a notification of shop a was taken as a repeat in shop b")
            return
        }
        #expect(try await a.pendingInboxCount() == 1)
        #expect(try await b.pendingInboxCount() == 1)
        // And shop a still sees all of its own.
        #expect(try await a.postings(["1-1", "1-2"]).count == 2)
        #expect(try await a.effects(EffectQuery()).count == 1)
        #expect(try await a.timers(TimerQuery()).count == 1)
        #expect(try await a.history(postingNumber: nil).count == 3)
        #expect(try await a.labelFiles(postingNumbers: nil).count == 1)
        #expect(try await a.rulesVersions().count == 2)
        // A handle cannot claim or finish another shop's effect.
        let effect = try #require(try await a.nextEffect(dueAt: Timestamp(unixSeconds: 4_000_000_000), kinds: nil))
        #expect(try await b.claimEffect(effect.id, attempts: effect.attempts, now: t0, leaseUntil: t0.adding(seconds: 60)) == nil)
        #expect(try await a.claimEffect(effect.id, attempts: effect.attempts, now: t0, leaseUntil: t0.adding(seconds: 60)) != nil)
    }

    /// The same posting number, return id, effect key and cancellation id in two shops are two.
    func sameNumbersInTwoShops() async throws {
        let folder = try TemporaryFolder()
        let (a, b) = try await backend.makeShops(in: folder)
        #expect(try await a.commit(Sample.change("1-1", from: nil, to: .awaitingPackaging, expected: nil, effects: [Self.ship("1-1")]))
                    .transitionID != nil)
        #expect(try await b.commit(Sample.change("1-1", from: nil, to: .awaitingDeliver, expected: nil, effects: [Self.ship("1-1")]))
                    .transitionID != nil)
        #expect(try await a.posting("1-1")?.status == .awaitingPackaging)
        #expect(try await b.posting("1-1")?.status == .awaitingDeliver)
        #expect(try await a.posting("1-1")?.revision == 1)
        #expect(try await b.posting("1-1")?.revision == 1)
        #expect(try await a.effects(EffectQuery()).count == 1)
        #expect(try await b.effects(EffectQuery()).count == 1)
        #expect(try await a.commit(.returnEvent(Sample.returnEvent(7, "1-1"))) == .written(transitionID: nil))
        #expect(try await b.commit(.returnEvent(Sample.returnEvent(7, "1-1"))) == .written(transitionID: nil))
        #expect(try await b.commit(.returnEvent(Sample.returnEvent(7, "1-1"))) == .alreadyRecorded)
        // A buyer message id is per shop too, and so is the chat it belongs to.
        #expect(try await a.commit(.buyerMessage(Self.buyerMessage("42", chat: "c1", posting: "1-1"))) == .written(transitionID: nil))
        #expect(try await b.recordedBuyerMessages(["42"]).isEmpty)
        #expect(try await b.chatPostingNumber(chatID: "c1") == nil)
        #expect(try await b.commit(.buyerMessage(Self.buyerMessage("42", chat: "c1", posting: nil))) == .written(transitionID: nil))
        #expect(try await a.commit(.buyerMessage(Self.buyerMessage("42", chat: "c1", posting: "1-1"))) == .alreadyRecorded)
        #expect(try await a.latestBuyerMessageID(chatID: "c1") == "42")
        #expect(try await a.chatPostingNumber(chatID: "c1") == "1-1")
        let returns = try await b.history(postingNumber: "1-1").compactMap { item -> RecordedReturn? in
            if case .returnEvent(let r) = item { return r } else { return nil }
        }
        #expect(returns.count == 1 && returns.first?.hookRuns.count == 1, "each shop's return has its own hook runs")
        // A write of one shop's posting does not move the other's.
        #expect(try await a.commit(Sample.change("1-1", from: .awaitingPackaging, to: .awaitingDeliver, expected: 1)).transitionID != nil)
        #expect(try await b.posting("1-1")?.revision == 1)
        #expect(try await a.history(postingNumber: "1-1").count == 3)
        #expect(try await b.history(postingNumber: "1-1").count == 2)
    }

    func rulesVersions() async throws {
        let folder = try TemporaryFolder()
        let store = try await backend.make(in: folder)
        try await store.recordRulesVersion(Sample.version, at: Sample.t0)
        try await store.recordRulesVersion(Sample.otherVersion, at: Sample.t0.adding(seconds: 5))
        try await store.recordRulesVersion(Sample.version, at: Sample.t0.adding(seconds: 9))
        let versions = try await store.rulesVersions()
        #expect(versions.map(\.digest) == [Sample.version.digest, Sample.otherVersion.digest])
        #expect(versions.map(\.firstUsedAt) == [Sample.t0, Sample.t0.adding(seconds: 5)])
    }
}

@Suite("Store conformance: SQLite")
struct SQLiteConformance {
    let checks = StoreConformance(backend: .sqlite)

    @Test("an empty store holds nothing") func empty() async throws { try await checks.empty() }
    @Test("a transition is stored with its hook runs, log and rules version") func transitionRoundTrip() async throws { try await checks.transitionRoundTrip() }
    @Test("a commit from a revision that is gone is refused and writes nothing") func conflicts() async throws { try await checks.conflicts() }
    @Test("one refused change of a commit leaves the others written") func partialCommit() async throws { try await checks.partialCommit() }
    @Test("a return is recorded once") func returns() async throws { try await checks.returns() }
    @Test("history is ordered by time, transitions before returns, and honours since and limit") func historyOrder() async throws { try await checks.historyOrder() }
    @Test("the latest decision of a hook is the newest one made") func latestDecision() async throws { try await checks.latestDecision() }
    @Test("the inbox keeps each notification once and hands out what is due") func inbox() async throws { try await checks.inbox() }
    @Test("a notification with nothing to write is marked done on its own") func inboxDone() async throws { try await checks.inboxDone() }
    @Test("effects planned with a transition are kept once per key, with the transition") func effectsPlanned() async throws { try await checks.effectsPlanned() }
    @Test("effects of one subject go out one at a time in planned order; others are not held up") func effectOrder() async throws { try await checks.effectOrder() }
    @Test("an attempt's outcome is kept only for the latest claim; retries wait") func effectFencing() async throws { try await checks.effectFencing() }
    @Test("an attempt's follow-ups are planned in its outcome's commit, only for the latest claim") func effectFollowUps() async throws {
        try await checks.effectFollowUps()
    }
    @Test("a return plans its answer in its own commit; a cancellation request is recorded once with its effects") func buyerRequests() async throws { try await checks.buyerRequests() }
    @Test("label files are kept with their postings") func labelFiles() async throws { try await checks.labelFiles() }
    @Test("a buyer message is recorded once with its effects; a chat's posting and an order's postings are found") func buyerMessages() async throws { try await checks.buyerMessages() }
    @Test("a rules version recorded on reload is listed once") func rulesVersions() async throws { try await checks.rulesVersions() }
    @Test("timers armed with a transition fire once when due and are cancelled by the next transition") func timersArmAndFire() async throws { try await checks.timersArmAndFire() }
    @Test("a timer claimed by a process that died is taken over after its lease and still fires once") func timerTakeover() async throws { try await checks.timerTakeover() }
    @Test("two handles for two shops see only their own postings, effects, timers and inbox") func shopsAreApart() async throws { try await checks.shopsAreApart() }
    @Test("the same posting number (return id, effect key) in two shops is two") func sameNumbersInTwoShops() async throws { try await checks.sameNumbersInTwoShops() }
}

@Suite("Store conformance: PostgreSQL",
    .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct PostgresConformance {
    let checks = StoreConformance(backend: .postgres)

    @Test("an empty store holds nothing") func empty() async throws { try await checks.empty() }
    @Test("a transition is stored with its hook runs, log and rules version") func transitionRoundTrip() async throws { try await checks.transitionRoundTrip() }
    @Test("a commit from a revision that is gone is refused and writes nothing") func conflicts() async throws { try await checks.conflicts() }
    @Test("one refused change of a commit leaves the others written") func partialCommit() async throws { try await checks.partialCommit() }
    @Test("a return is recorded once") func returns() async throws { try await checks.returns() }
    @Test("history is ordered by time, transitions before returns, and honours since and limit") func historyOrder() async throws { try await checks.historyOrder() }
    @Test("the latest decision of a hook is the newest one made") func latestDecision() async throws { try await checks.latestDecision() }
    @Test("the inbox keeps each notification once and hands out what is due") func inbox() async throws { try await checks.inbox() }
    @Test("a notification with nothing to write is marked done on its own") func inboxDone() async throws { try await checks.inboxDone() }
    @Test("effects planned with a transition are kept once per key, with the transition") func effectsPlanned() async throws { try await checks.effectsPlanned() }
    @Test("effects of one subject go out one at a time in planned order; others are not held up") func effectOrder() async throws { try await checks.effectOrder() }
    @Test("an attempt's outcome is kept only for the latest claim; retries wait") func effectFencing() async throws { try await checks.effectFencing() }
    @Test("an attempt's follow-ups are planned in its outcome's commit, only for the latest claim") func effectFollowUps() async throws {
        try await checks.effectFollowUps()
    }
    @Test("a return plans its answer in its own commit; a cancellation request is recorded once with its effects") func buyerRequests() async throws { try await checks.buyerRequests() }
    @Test("label files are kept with their postings") func labelFiles() async throws { try await checks.labelFiles() }
    @Test("a buyer message is recorded once with its effects; a chat's posting and an order's postings are found") func buyerMessages() async throws { try await checks.buyerMessages() }
    @Test("a rules version recorded on reload is listed once") func rulesVersions() async throws { try await checks.rulesVersions() }
    @Test("timers armed with a transition fire once when due and are cancelled by the next transition") func timersArmAndFire() async throws { try await checks.timersArmAndFire() }
    @Test("a timer claimed by a process that died is taken over after its lease and still fires once") func timerTakeover() async throws { try await checks.timerTakeover() }
    @Test("two handles for two shops see only their own postings, effects, timers and inbox") func shopsAreApart() async throws { try await checks.shopsAreApart() }
    @Test("the same posting number (return id, effect key) in two shops is two") func sameNumbersInTwoShops() async throws { try await checks.sameNumbersInTwoShops() }
}

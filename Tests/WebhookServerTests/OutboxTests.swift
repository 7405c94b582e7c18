import FakeOzonAPI
import Foundation
import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import Testing

/// The dispatcher against the fake Seller API over real HTTP on loopback, with a real store
/// file: what is sent for each effect, what a refusal ends in, and that an effect of unknown
/// outcome is read back instead of being sent again.
final class DispatchHarness: @unchecked Sendable {
    let folder: URL
    let fake = FakeOzonAPI()
    let store: SQLitePostingStore
    let dispatcher: EffectDispatcher
    let options: DispatchOptions

    init(shipRecheckDelay: Double = 0) async throws {
        options = DispatchOptions(leaseSeconds: 30, retryDelay: 1, shipRecheckDelay: shipRecheckDelay, labelDelaySeconds: 0,
                                  labelPollDelay: 0.05)
        folder = try temporaryFolder()
        try await fake.start()
        store = try SQLitePostingStore(path: folder.appendingPathComponent("outbox.sqlite").path)
        let client = OzonClient(
            credentials: OzonCredentials(clientID: fake.clientID, apiKey: fake.apiKey), baseURL: fake.baseURL, timeoutSeconds: 30,
            retry: RetryPolicy(maxAttempts: 1, defaultRetryAfter: 0.05, circuitOpenDelay: 0.05, transportDelay: 0.05))
        dispatcher = EffectDispatcher(store: store, client: client, options: options, logger: Logger(label: "test"))
    }

    func stop() async {
        await fake.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    static func ship(_ number: String) -> NewEffect {
        NewEffect(kind: .ship, subject: .posting(number), postingNumber: number, method: OzonClient.Path.ship,
                  request: OzonClient.shipRequest(postingNumber: number, packages: [
                    ShipPackage(items: [.init(sku: 1734059281, quantity: 2)]), ShipPackage(items: [.init(sku: 1822319904, quantity: 1)]),
                  ]),
                  key: "ship:\(number):r0")
    }

    /// The only effect of a posting, as stored now.
    func effect(_ number: String, _ kind: EffectKind) async throws -> Effect {
        try #require(try await store.effects(EffectQuery(postingNumber: number, kinds: [kind])).first)
    }

    /// Carries out what is due at `now`, one effect at a time.
    @discardableResult
    func drain(at now: Timestamp = .now()) async throws -> [EffectDispatcher.Attempt] {
        var attempts: [EffectDispatcher.Attempt] = []
        while let attempt = try await dispatcher.step(now: now) { attempts.append(attempt) }
        return attempts
    }
}

func withDispatch(shipRecheckDelay: Double = 0, _ body: (DispatchHarness) async throws -> Void) async throws {
    let harness = try await DispatchHarness(shipRecheckDelay: shipRecheckDelay)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}

@Suite(.serialized) struct OutboxTests {
    @Test func aShipIsSentWithTheDocumentedBodyThenItsLabelsArePlanned() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("100-1"))
            try await h.store.planEffects([DispatchHarness.ship("100-1")], at: .now())
            let attempts = try await h.drain()
            let ship = try await h.effect("100-1", .ship)
            #expect(attempts.first?.effect.kind == .ship && attempts.first?.state == .sent, "\(ship.state): \(ship.error ?? "")")
            let ships = h.fake.received(OzonClient.Path.ship)
            try #require(ships.count == 1)
            #expect(JSONWriter.write(ships[0].body, sortedKeys: true)
                == #"{"packages":[{"products":[{"product_id":1734059281,"quantity":2}]},{"products":[{"product_id":1822319904,"quantity":1}]}],"#
                + #""posting_number":"100-1","with":{"additional_data":true}}"#)
            #expect(ship.state == .sent && ship.attempts == 1 && ship.sentAt != nil && ship.finishedAt != nil)
            // The labels follow the ship on the same posting.
            let labels = try await h.effect("100-1", .labels)
            #expect(labels.subject == "posting:100-1" && labels.request == ["posting_numbers": ["100-1"]])
            #expect(try h.store.integer("SELECT count(*) FROM api_calls WHERE effect_id = \(ship.id) AND http_status = 200") == 1)
        }
    }

    @Test func anAcceptedShipIsLookedAtAgainLaterWithoutHoldingTheWorker() async throws {
        try await withDispatch(shipRecheckDelay: 2) { h in
            h.fake.put(posting: posting("105-1"))
            try await h.store.planEffects([DispatchHarness.ship("105-1")], at: .now())
            try await h.drain()
            let accepted = try await h.effect("105-1", .ship)
            #expect(accepted.state == .sending && accepted.response?.contains("105-1") == true)
            #expect(accepted.nextAttemptAt > Timestamp.now())
            try await h.drain(at: Timestamp.now().adding(seconds: 5))
            let ship = try await h.effect("105-1", .ship)
            #expect(ship.state == .sent && ship.response == "read back: posting is awaiting_deliver")
            #expect(h.fake.received(OzonClient.Path.ship).count == 1)
            // Its labels follow (fetched in the same drain: the label delay is 0 here).
            #expect(try await h.effect("105-1", .labels).state != .failed)
        }
    }

    @Test func labelsOfShippedPostingsAreFetchedInOneJobAndKept() async throws {
        try await withDispatch { h in
            let numbers = (1...3).map { "110-\($0)" }
            for number in numbers { h.fake.put(posting: posting(number)) }
            h.fake.configure { $0.labelPollsBeforeReady = 1 }
            try await h.store.planEffects(numbers.map(DispatchHarness.ship), at: .now())
            try await h.drain()
            // The job is started, polled while not ready, and its file kept: never waiting in the worker.
            for _ in 0..<4 { try await h.drain(at: Timestamp.now().adding(seconds: 5)) }
            for number in numbers { #expect(try await h.effect(number, .labels).state == .sent, "\(number)") }
            #expect(h.fake.sideEffects(path: OzonClient.Path.labelCreateV3).count == 1)
            let files = try await h.store.labelFiles(postingNumbers: nil)
            #expect(files.count == 1)
            #expect(files.first?.file.postingNumbers == numbers)
            #expect(files.first.map { Array($0.file.pdf.prefix(5)) } == Array("%PDF-".utf8))
        }
    }

    @Test func labelsOfAPostingTheCourierTookAlreadyEndSupersededNotRetried() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("115-1"))
            h.fake.configure { $0.labelPollsBeforeReady = 1 }
            try await h.store.planEffects([DispatchHarness.ship("115-1")], at: .now())
            try await h.drain()
            // The job starts; before it is done the parcel leaves (our own courier took it).
            h.fake.setStatus("115-1", status: "delivering")
            for _ in 0..<4 { try await h.drain(at: Timestamp.now().adding(seconds: 5)) }
            let labels = try await h.effect("115-1", .labels)
            #expect(labels.state == .superseded, "\(labels.state) \(labels.error ?? "")")
            #expect(labels.error?.contains("the posting is delivering now, too late for labels") == true)
            #expect(try await h.store.labelFiles(postingNumbers: ["115-1"]).isEmpty)
            // Nothing more is asked of Ozon for it.
            let jobs = h.fake.received(OzonClient.Path.labelCreateV3).count
            try await h.drain(at: Timestamp.now().adding(seconds: 600))
            #expect(h.fake.received(OzonClient.Path.labelCreateV3).count == jobs)
        }
    }

    @Test func aShipOfUnknownOutcomeThatTookEffectIsReadBackNotSentAgain() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("200-1"))
            try await h.store.planEffects([DispatchHarness.ship("200-1")], at: .now())
            // A process claimed and sent it, Ozon applied it, and the process died before the answer was kept.
            let due = try #require(try await h.store.nextEffect(dueAt: .now(), kinds: nil))
            _ = try #require(try await h.store.claimEffect(due.id, attempts: 0, now: .now(), leaseUntil: .now().adding(seconds: 30)))
            h.fake.setStatus("200-1", status: "awaiting_deliver")
            // Before the lease lapses nobody touches it.
            #expect(try await h.dispatcher.step(now: .now()) == nil)
            try await h.drain(at: Timestamp.now().adding(seconds: 31))
            let ship = try await h.effect("200-1", .ship)
            #expect(ship.state == .sent && ship.attempts == 2)
            #expect(ship.response?.hasPrefix("read back: posting is awaiting_deliver") == true)
            #expect(h.fake.received(OzonClient.Path.ship).isEmpty)
            #expect(h.fake.received(OzonClient.Path.postingGet).count >= 1)
        }
    }

    @Test func aShipOfUnknownOutcomeThatDidNotTakeEffectIsSentOnce() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("210-1"))
            try await h.store.planEffects([DispatchHarness.ship("210-1")], at: .now())
            let due = try #require(try await h.store.nextEffect(dueAt: .now(), kinds: nil))
            _ = try #require(try await h.store.claimEffect(due.id, attempts: 0, now: .now(), leaseUntil: .now().adding(seconds: 30)))
            try await h.drain(at: Timestamp.now().adding(seconds: 31))
            #expect(try await h.effect("210-1", .ship).state == .sent)
            #expect(h.fake.received(OzonClient.Path.ship).count == 1)
        }
    }

    @Test func aPostingCancelledMeanwhileSupersedesItsShip() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("300-1"))
            h.fake.setStatus("300-1", status: "cancelled")
            try await h.store.planEffects([DispatchHarness.ship("300-1")], at: .now())
            try await h.drain()
            let ship = try await h.effect("300-1", .ship)
            #expect(ship.state == .superseded)
            #expect(ship.error?.contains("cancelled") == true)
            #expect(h.fake.received(OzonClient.Path.ship).isEmpty)
        }
    }

    @Test(arguments: [
        (FakeOzonAPI.Failure.error(status: 403, code: 7, message: "Access denied: Premium Plus subscription required"), EffectState.notAllowed),
        (.error(status: 400, code: 3, message: "INVALID_ARGUMENT"), .failed),
        (.error(status: 400, code: 3, message: "POSTING_ALREADY_SHIPPED"), .sent),
        (.tooManyRequests(retryAfter: "1"), .planned),
        (.circuitOpen, .planned),
        (.error(status: 503, code: 14, message: "Service Unavailable"), .sending),
    ])
    func aRefusalEndsAsSPECSays(failure: FakeOzonAPI.Failure, state: EffectState) async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("400-1"))
            h.fake.fail(OzonClient.Path.ship, with: [failure])
            try await h.store.planEffects([DispatchHarness.ship("400-1")], at: .now())
            try await h.drain()
            let ship = try await h.effect("400-1", .ship)
            #expect(ship.state == state, "\(ship.error ?? "")")
            #expect(h.fake.received(OzonClient.Path.ship).count == 1)
            switch state {
            case .failed: #expect(ship.error?.contains("INVALID_ARGUMENT") == true)
            case .notAllowed: #expect(ship.error?.contains("Premium Plus") == true)
            case .planned, .sending:
                // Due again later, not at once.
                #expect(ship.nextAttemptAt > ship.sentAt!)
                // (Asked at the second it was sent: a slow machine may be past the retry time by now.)
                #expect(try await h.dispatcher.step(now: ship.sentAt!) == nil)
            default: break
            }
        }
    }

    @Test func aNotAllowedEffectIsNeverTriedAgain() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("410-1"))
            h.fake.fail(OzonClient.Path.ship, with: [.error(status: 403, code: 7, message: "PermissionDenied")])
            try await h.store.planEffects([DispatchHarness.ship("410-1")], at: .now())
            try await h.drain()
            try await h.drain(at: Timestamp.now().adding(seconds: 86400))
            #expect(h.fake.received(OzonClient.Path.ship).count == 1)
            #expect(try await h.effect("410-1", .ship).state == .notAllowed)
        }
    }

    @Test func rFBSStatusMovesGoOutInOrderWithTheTrackingNumberFirst() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("500-1", status: "awaiting_deliver", tpl: "non_integrated"))
            let number = "500-1"
            try await h.store.planEffects([
                NewEffect(kind: .setTracking, subject: .posting(number), postingNumber: number, method: OzonClient.Path.trackingNumberSet,
                          request: OzonClient.trackingRequest([(number, "KZN-4471")]), key: "set_tracking:\(number)"),
                NewEffect(kind: .setStatus, subject: .posting(number), postingNumber: number, method: RFBSStatusMove.delivering.path,
                          request: ["posting_number": [.string(number)]], key: "set_status:\(number):delivering"),
            ], at: .now())
            let attempts = try await h.drain()
            #expect(attempts.map(\.effect.kind) == [.setTracking, .setStatus])
            #expect(attempts.map(\.state) == [.sent, .sent])
            let moves = h.fake.received(RFBSStatusMove.delivering.path)
            #expect(moves.map { JSONWriter.write($0.body) } == [#"{"posting_number":["500-1"]}"#])
            #expect(h.fake.posting(number)?["status"]?.stringValue == "delivering")
            let calls = h.fake.received().map(\.path).filter { $0 != OzonClient.Path.postingGet }
            #expect(calls == [OzonClient.Path.trackingNumberSet, RFBSStatusMove.delivering.path])
        }
    }

    @Test func aStatusMoveOfUnknownOutcomeIsReadBack() async throws {
        try await withDispatch { h in
            h.fake.put(posting: posting("510-1", status: "delivering", tpl: "non_integrated"))
            try await h.store.planEffects([
                NewEffect(kind: .setStatus, subject: .posting("510-1"), postingNumber: "510-1", method: RFBSStatusMove.delivering.path,
                          request: ["posting_number": ["510-1"]], key: "set_status:510-1:delivering"),
            ], at: .now())
            let due = try #require(try await h.store.nextEffect(dueAt: .now(), kinds: nil))
            _ = try #require(try await h.store.claimEffect(due.id, attempts: 0, now: .now(), leaseUntil: .now().adding(seconds: 30)))
            try await h.drain(at: Timestamp.now().adding(seconds: 31))
            #expect(try await h.effect("510-1", .setStatus).state == .sent)
            #expect(h.fake.received(RFBSStatusMove.delivering.path).isEmpty)
        }
    }

    @Test func aReturnDecisionTheRequestDoesNotOfferFailsWithTheOfferedActions() async throws {
        try await withDispatch { h in
            try await h.store.planEffects([
                NewEffect(kind: .returnAction, subject: .returnRequest(9), postingNumber: "600-1", returnID: 9,
                          method: OzonClient.Path.rfbsReturnAction,
                          request: ["return_id": 9, "not_offered": "compensate", "available_actions": [["id": -1, "name": "Отклонить"]]],
                          key: "return_action:9"),
            ], at: .now())
            try await h.drain()
            let effect = try #require(try await h.store.effects(EffectQuery(kinds: [.returnAction])).first)
            #expect(effect.state == .failed)
            #expect(effect.error == #"decision 'compensate' is not among the request's available_actions [{"id":-1,"name":"Отклонить"}]"#)
            #expect(h.fake.received().isEmpty)
        }
    }
}

import FakeOzonAPI
import Foundation
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import Testing

/// Rules that answer each kind of buyer request in a known way.
let requestRules: [String: String] = testRules.merging([
    "returns.lua": """
        return function(ret, posting, ctx)
          local id = ret.return_id
          if id == 11 then return { action = "approve" } end
          if id == 12 then return { action = "reject", rejection_reason_id = 7, comment = "Товар использовался" } end
          if id == 13 then return { action = "compensate", amount = rub(300.50) } end
          if id == 15 then return { action = "refund" } end
          return { action = "manual_review", reason = "a person looks at it" }
        end
        """,
    "cancellations.lua": """
        return function(request, posting, ctx)
          if posting == nil or posting.status == "awaiting_packaging" then
            return { action = "approve", reason = "not packed yet" }
          end
          return { action = "reject", comment = "Заказ уже передан в доставку." }
        end
        """,
    "transitions.lua": """
        return {
          delivered = function(posting, ctx)
            return { { action = "request_review", text = "Спасибо за заказ {{posting_number}}! Будем рады отзыву." } }
          end,
        }
        """,
]) { $1 }

/// A delivered posting whose buyer the seller may write to (`can_create_chat`).
func delivered(_ number: String) -> JSONValue {
    guard case .object(var object) = posting(number, status: "delivered") else { return .null }
    object["available_actions"] = ["can_create_chat"]
    return .object(object)
}

@Suite(.serialized) struct BuyerRequestTests {
    @Test func returnAndCancellationRequestsAreAnsweredOnceWithTheDocumentedBodies() async throws {
        try await withHarness(worker: false, rules: requestRules) { h in
            for id in [11, 12, 13, 14] as [Int64] { h.fake.put(rfbsReturnRequest: FakeOzonAPI.sampleReturnRequest(id)) }
            // Only reject, approve and compensate are offered: a refund is not.
            h.fake.put(rfbsReturnRequest: FakeOzonAPI.sampleReturnRequest(15))
            h.fake.put(posting: posting("530-1", status: "awaiting_deliver"))
            _ = try await h.processor.applier().apply(try Posting(json: posting("530-1", status: "awaiting_deliver")), now: .now())
            h.fake.put(posting: posting("520-1"))
            h.fake.put(cancellationRequest: FakeOzonAPI.sampleCancellationRequest(51, posting: "520-1"))
            h.fake.put(cancellationRequest: FakeOzonAPI.sampleCancellationRequest(52, posting: "530-1"))
            h.fake.put(cancellationRequest: FakeOzonAPI.sampleCancellationRequest(53, posting: "530-1", state: "APPROVED"))

            let report = await BuyerRequestPoller(processor: h.processor).poll()
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.returnsListed == 5 && report.returnsDecided == 5)
            #expect(report.cancellationsListed == 2 && report.cancellationsDecided == 2)
            let dispatcher = try #require(h.processor.dispatcher)
            _ = try await dispatcher.drain()

            let actions = h.fake.received(OzonClient.Path.rfbsReturnAction).map { JSONWriter.write($0.body, sortedKeys: true) }
            #expect(actions == [
                #"{"id":1,"return_id":11}"#,
                #"{"comment":"Товар использовался","id":-1,"rejection_reason_id":7,"return_id":12}"#,
                #"{"compensation_amount":300.5,"id":1020,"return_id":13}"#,
            ])
            #expect([11, 12, 13, 14, 15].map { h.fake.appliedReturnActions($0) } == [[1], [-1], [1020], [], []])
            let refund = try #require(try await h.store.effects(EffectQuery(kinds: [.returnAction])).first { $0.returnID == 15 })
            #expect(refund.state == .failed && refund.error?.contains("'refund' is not among the request's available_actions") == true)

            #expect(h.fake.received(OzonClient.Path.cancellationApprove).map { JSONWriter.write($0.body) } == [#"{"cancellation_id":51}"#])
            #expect(h.fake.received(OzonClient.Path.cancellationReject).map { JSONWriter.write($0.body, sortedKeys: true) }
                == [#"{"cancellation_id":52,"comment":"Заказ уже передан в доставку."}"#])
            #expect(h.fake.cancellationRequest(51)?["state"]?["state"]?.stringValue == "APPROVED")
            #expect(h.fake.cancellationRequest(52)?["state"]?["state"]?.stringValue == "REJECTED")
            #expect(try h.count("SELECT count(*) FROM cancellation_requests") == 2)
            #expect(try h.count("SELECT auto_approve_at FROM cancellation_requests WHERE cancellation_id = 51")
                == Timestamp(iso8601: "2026-05-16T09:00:00Z")!.unixSeconds)

            // A second poll decides nothing again and sends nothing more.
            let again = await BuyerRequestPoller(processor: h.processor).poll()
            #expect(again.returnsDecided == 0 && again.cancellationsDecided == 0)
            _ = try await dispatcher.drain()
            #expect(h.fake.received(OzonClient.Path.rfbsReturnAction).count == 3)
            #expect(h.fake.sideEffects(path: OzonClient.Path.cancellationApprove).count == 1)
        }
    }

    @Test func aReviewRequestStartsTheChatAndSendsTheRenderedTextOnce() async throws {
        try await withHarness(worker: false, rules: requestRules) { h in
            h.fake.put(posting: delivered("540-1"))
            _ = try await h.processor.applier().apply(try Posting(json: delivered("540-1")), now: .now())
            _ = try await #require(h.processor.dispatcher).drain()
            let text = "Спасибо за заказ 540-1! Будем рады отзыву."
            #expect(h.fake.received(OzonClient.Path.chatStart).map { JSONWriter.write($0.body) } == [#"{"posting_number":"540-1"}"#])
            let sent = h.fake.received(OzonClient.Path.chatSendMessage)
            #expect(sent.count == 1)
            #expect(sent.first?.body["text"]?.stringValue == text)
            #expect(h.fake.chatMessages(postingNumber: "540-1").map(\.text) == [text])
            let effect = try #require(try await h.store.effects(EffectQuery(postingNumber: "540-1", kinds: [.chatMessage])).first)
            #expect(effect.state == .sent && effect.progress?["chat_id"]?.stringValue == h.fake.chatID(postingNumber: "540-1"))
        }
    }

    @Test func aChatMessageOfUnknownOutcomeIsFoundInTheHistoryAndNotSentTwice() async throws {
        try await withHarness(worker: false, rules: requestRules) { h in
            h.fake.put(posting: delivered("550-1"))
            h.fake.dropConnectionAfterApplying(OzonClient.Path.chatSendMessage, times: 1)
            _ = try await h.processor.applier().apply(try Posting(json: delivered("550-1")), now: .now())
            let dispatcher = try #require(h.processor.dispatcher)
            // At one moment: a loaded machine must not reach the retry time within this drain.
            let now = Timestamp.now()
            while try await dispatcher.step(now: now) != nil {}
            let lost = try #require(try await h.store.effects(EffectQuery(postingNumber: "550-1", kinds: [.chatMessage])).first)
            #expect(lost.state == .sending, "\(lost.error ?? "")")
            // The next attempt reads the history first.
            while try await dispatcher.step(now: Timestamp.now().adding(seconds: 600)) != nil {}
            #expect(h.fake.sideEffects(path: OzonClient.Path.chatSendMessage).count == 1)
            let effect = try #require(try await h.store.effects(EffectQuery(postingNumber: "550-1", kinds: [.chatMessage])).first)
            #expect(effect.state == .sent && effect.response?.hasPrefix("read back") == true)
        }
    }

    @Test func aPremiumRefusalIsNotAllowedAndRecordedOnce() async throws {
        try await withHarness(worker: false, rules: requestRules) { h in
            h.fake.configure { $0.chatsNeedPremium = true }
            h.fake.put(posting: delivered("560-1"))
            _ = try await h.processor.applier().apply(try Posting(json: delivered("560-1")), now: .now())
            let dispatcher = try #require(h.processor.dispatcher)
            _ = try await dispatcher.drain()
            _ = try await dispatcher.drain()
            let effect = try #require(try await h.store.effects(EffectQuery(postingNumber: "560-1", kinds: [.chatMessage])).first)
            #expect(effect.state == .notAllowed)
            #expect(h.fake.received(OzonClient.Path.chatStart).count == 1)
            #expect(h.fake.received(OzonClient.Path.chatSendMessage).isEmpty)
        }
    }

    @Test func aDryRunSendsNothingAndListsEverything() async throws {
        try await withHarness(apply: false, worker: false, rules: requestRules) { h in
            h.fake.put(rfbsReturnRequest: FakeOzonAPI.sampleReturnRequest(11))
            h.fake.put(posting: posting("520-1"))
            h.fake.put(cancellationRequest: FakeOzonAPI.sampleCancellationRequest(51, posting: "520-1"))
            h.fake.put(posting: delivered("540-1"))
            _ = try await h.processor.applier().apply(try Posting(json: delivered("540-1")), now: .now())
            _ = try await h.processor.applier().apply(try Posting(json: posting("520-1")), now: .now())
            _ = await BuyerRequestPoller(processor: h.processor).poll()
            #expect(h.processor.dispatcher == nil)
            await h.processor.drain()
            #expect(h.fake.sideEffectCounts().isEmpty)
            let effects = try await h.store.effects(EffectQuery())
            #expect(Set(effects.map(\.kind)) == [.ship, .returnAction, .cancellationAnswer, .chatMessage])
            #expect(effects.allSatisfy { $0.state == .planned && $0.attempts == 0 })
        }
    }
}

import FakeOzonAPI
import Foundation
import LuaKit
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import Testing
import WebhookServer

@Suite(.serialized) struct EndToEndTests {
    @Test func aNewPostingIsShippedOnceWithTheDecidedPackages() async throws {
        try await withHarness { h in
            h.fake.put(posting: posting("61930528-0117-1"))
            let (status, answer) = try await h.post(newPostingNotice("61930528-0117-1"))
            #expect(status == 200)
            #expect(JSONWriter.write(answer) == #"{"result":true}"#)
            #expect(try await h.eventually { try h.count("SELECT count(*) FROM effects WHERE kind = 'ship' AND state = 'sent'") == 1 })
            // Whatever more the worker would do is done (it must not ship again).
            try await h.idle()
            let ships = h.fake.received("/v4/posting/fbs/ship")
            #expect(ships.count == 1)
            // The packages sent are the packaging decision recorded for the transition.
            let decisionText = try #require(try h.string("""
                SELECT h.decision FROM hook_runs h JOIN transitions t ON t.id = h.transition_id
                WHERE t.posting_number = '61930528-0117-1' AND t.to_status = 'awaiting_packaging' AND h.hook = 'packaging'
                """))
            let decision = try JSONParser.parse(decisionText)
            let decided: [JSONValue] = (decision["packages"]?.arrayValue ?? []).map { package in
                ["products": .array((package["items"]?.arrayValue ?? []).map { item in
                    ["product_id": item["sku"]!, "quantity": item["quantity"]!]
                })]
            }
            #expect(decided.count == 2)
            #expect(JSONWriter.write(ships[0].body["packages"]!, sortedKeys: true) == JSONWriter.write(.array(decided), sortedKeys: true))
            // The ship was re-read and applied: the posting moved on to awaiting_deliver.
            #expect(try await h.eventually { try h.string("SELECT status FROM postings WHERE posting_number = '61930528-0117-1'") == "awaiting_deliver" })
            // Every request and answer is recorded, the ship with Ozon's answer.
            #expect(try h.count("SELECT count(*) FROM api_calls WHERE path = '/v4/posting/fbs/ship' AND applied = 1 AND http_status = 200") == 1)
            #expect(try h.count("SELECT count(*) FROM inbox WHERE state = 'done' AND outcome = 'created'") == 1)
        }
    }

    @Test func awaitingDeliverOnAnRFBSPostingSetsTheTrackingNumber() async throws {
        try await withHarness { h in
            // Known in awaiting_packaging, with a held ship (no packaging decision would ship: the test
            // is about the state change), then Ozon reports it in awaiting_deliver.
            h.fake.put(posting: posting("0187342256-0031-1", status: "awaiting_deliver", tpl: "non_integrated"))
            let (status, _) = try await h.post(stateChangedNotice("0187342256-0031-1", state: "posting_transferring_to_delivery"))
            #expect(status == 200)
            #expect(try await h.eventually { h.fake.received("/v2/fbs/posting/tracking-number/set").count == 1 })
            let body = try #require(h.fake.received("/v2/fbs/posting/tracking-number/set").first?.body)
            #expect(JSONWriter.write(body, sortedKeys: true)
                == #"{"tracking_numbers":[{"posting_number":"0187342256-0031-1","tracking_number":"CDEK-0187342256-0031-1"}]}"#)
            #expect(h.fake.posting("0187342256-0031-1")?["tracking_number"]?.stringValue == "CDEK-0187342256-0031-1")
            #expect(try await h.eventually { try h.count("SELECT count(*) FROM effects WHERE kind = 'set_tracking' AND state = 'sent'") == 1 })
            #expect(h.fake.received("/v4/posting/fbs/ship").isEmpty)
        }
    }

    @Test func aRepeatedNotificationIsProcessedOnce() async throws {
        try await withHarness { h in
            h.fake.put(posting: posting("500-1"))
            let first = try await h.post(newPostingNotice("500-1"))
            let second = try await h.post(newPostingNotice("500-1"))
            #expect(first.0 == 200)
            #expect(second.0 == 409)
            #expect(second.1["error"]?["code"]?.stringValue == "ERROR_REQUEST_DUPLICATED")
            #expect(try await h.eventually { try h.count("SELECT count(*) FROM inbox WHERE state = 'done'") == 1 })
            try await h.idle()
            #expect(try h.count("SELECT count(*) FROM inbox") == 1)
            #expect(try h.count("SELECT duplicates FROM inbox") == 1)
            #expect(try h.count("SELECT count(*) FROM transitions WHERE posting_number = '500-1' AND to_status = 'awaiting_packaging'") == 1)
            #expect(h.fake.received("/v4/posting/fbs/ship").count == 1)
            // A later state change of the same posting is a different notification.
            let third = try await h.post(stateChangedNotice("500-1", state: "posting_transferring_to_delivery"))
            #expect(third.0 == 200)
        }
    }

    @Test func aDisallowedAddressIsRefused() async throws {
        // Only a range without 127.0.0.1 is allowed: the test client's own address is refused.
        try await withHarness(allow: ["195.34.21.0/24"]) { h in
            h.fake.put(posting: posting("600-1"))
            let (status, answer) = try await h.post(newPostingNotice("600-1"))
            #expect(status == 403)
            #expect(answer["error"]?["code"]?.stringValue == "ERROR_UNKNOWN")
            #expect(answer["error"]?["message"]?.stringValue?.contains("127.0.0.1") == true)
            try await h.idle()
            #expect(try h.count("SELECT count(*) FROM inbox") == 0)
            #expect(h.fake.received().isEmpty)
        }
    }

    @Test func aShipFailedIsCaughtAndTriedAgain() async throws {
        try await withHarness { h in
            h.fake.put(posting: posting("700-1"))
            h.fake.failShip(of: "700-1")
            _ = try await h.post(newPostingNotice("700-1"))
            #expect(try await h.eventually { try h.count("SELECT count(*) FROM effects WHERE kind = 'ship' AND state = 'sent'") == 1 })
            #expect(h.fake.received("/v4/posting/fbs/ship").count == 2)
            #expect(h.fake.posting("700-1")?["status"]?.stringValue == "awaiting_deliver")
            #expect(try h.count("SELECT attempts FROM effects WHERE kind = 'ship'") == 2)
        }
    }

    @Test func aRateLimitedShipIsRetried() async throws {
        try await withHarness { h in
            h.fake.put(posting: posting("710-1"))
            h.fake.fail("/v4/posting/fbs/ship", with: [.tooManyRequests(retryAfter: "1")])
            _ = try await h.post(newPostingNotice("710-1"))
            #expect(try await h.eventually { try h.count("SELECT count(*) FROM effects WHERE kind = 'ship' AND state = 'sent'") == 1 })
            let ships = h.fake.received("/v4/posting/fbs/ship")
            try #require(ships.count == 2)
            #expect(ships[1].at.timeIntervalSince(ships[0].at) >= 0.95)
        }
    }

    @Test func aCancelDecisionCancelsWithItsReason() async throws {
        try await withHarness { h in
            h.fake.put(posting: posting("720-1", products: [(11, 1, "OUT-OF-STOCK")]))
            _ = try await h.post(newPostingNotice("720-1"))
            #expect(try await h.eventually { h.fake.received("/v2/posting/fbs/cancel").count == 1 })
            #expect(h.fake.received("/v2/posting/fbs/cancel")[0].body["cancel_reason_id"]?.int64Value == 352)
            #expect(h.fake.received("/v4/posting/fbs/ship").isEmpty)
            #expect(try await h.eventually { try h.string("SELECT status FROM postings WHERE posting_number = '720-1'") == "cancelled" })
        }
    }

    @Test func withoutApplyTheEffectsStayPlannedAndNothingIsSent() async throws {
        try await withHarness(apply: false) { h in
            h.fake.put(posting: posting("800-1"))
            _ = try await h.post(newPostingNotice("800-1"))
            #expect(try await h.eventually { try h.count("SELECT count(*) FROM inbox WHERE state = 'done'") == 1 })
            try await h.idle()
            #expect(h.fake.received("/v4/posting/fbs/ship").isEmpty)
            #expect(try h.count("SELECT count(*) FROM effects WHERE kind = 'ship' AND state = 'planned' AND attempts = 0") == 1)
            let request = try #require(try h.string("SELECT request FROM effects WHERE kind = 'ship'"))
            #expect(request.contains(#""product_id":1734059281"#))
            #expect(try h.count("SELECT count(*) FROM api_calls WHERE path = '/v4/posting/fbs/ship'") == 0)
        }
    }

    @Test func syncPollsUnfulfilledPostingsAndReturns() async throws {
        try await withHarness(worker: false) { h in
            h.fake.put(posting: posting("900-1"))
            h.fake.put(posting: posting("900-2", status: "delivering"))
            h.fake.put(returns: [[
                "id": 5001, "posting_number": "900-2", "type": "ClientReturn", "schema": "Fbs", "return_reason_name": "Не подошёл",
                "product": ["sku": 1734059281, "offer_id": "MUG", "name": "Кружка", "quantity": 1, "price": ["price": 649, "currency_code": "RUB"]],
                "visual": ["status": ["id": 1, "display_name": "Возвращён", "sys_name": "ReturnedToOzon"], "change_moment": "2026-05-20T10:00:00Z"],
            ]])
            let report = try await Syncer(processor: h.processor).run(since: Timestamp.now().adding(seconds: -86400))
            #expect(report.postingsRead == 2)
            #expect(report.changes["created"] == 2)
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(h.fake.received("/v4/posting/fbs/ship").count == 1)
            #expect(h.fake.received("/v4/posting/fbs/ship").first?.body["posting_number"]?.stringValue == "900-1")
            #expect(report.returnsRead == 1)
            // Again: nothing new.
            let again = try await Syncer(processor: h.processor).run(since: Timestamp.now().adding(seconds: -86400))
            #expect(again.changes["created"] == nil)
            #expect(h.fake.received("/v4/posting/fbs/ship").count == 1)
        }
    }
}

@Suite struct EndpointTests {
    @Test func pingIsAnsweredWithVersionNameAndTime() async throws {
        try await withHarness(worker: false) { h in
            let (status, answer) = try await h.post(#"{"message_type":"TYPE_PING","time":"2026-05-14T07:41:15Z"}"#)
            #expect(status == 200)
            #expect(answer["name"]?.stringValue == "ozon-rules")
            #expect(answer["version"]?.stringValue != nil)
            let time = try #require(answer["time"]?.stringValue)
            #expect(ISO8601DateFormatter().date(from: time) != nil)
        }
    }

    @Test func everyPostingTypeIsKeptAndOthersAreAnswered() async throws {
        try await withHarness(worker: false) { h in
            let bodies = [
                newPostingNotice("1-1"),
                stateChangedNotice("1-1", state: "posting_delivered"),
                #"{"message_type":"TYPE_POSTING_CANCELLED","posting_number":"1-1","old_state":"posting_created","new_state":"posting_canceled","changed_state_date":"2026-05-14T10:00:00Z","reason":{"id":352,"message":"нет"},"warehouse_id":1,"seller_id":7}"#,
                #"{"message_type":"TYPE_CUTOFF_DATE_CHANGED","posting_number":"1-1","new_cutoff_date":"2026-05-15T10:00:00Z","old_cutoff_date":"2026-05-14T10:00:00Z","warehouse_id":1,"seller_id":7}"#,
                #"{"message_type":"TYPE_DELIVERY_DATE_CHANGED","posting_number":"1-1","new_delivery_date_begin":"2026-05-16T10:00:00Z","new_delivery_date_end":"2026-05-16T18:00:00Z","warehouse_id":1,"seller_id":7}"#,
            ]
            for body in bodies {
                let (status, answer) = try await h.post(body)
                #expect(status == 200, "\(body)")
                #expect(answer["result"]?.boolValue == true)
            }
            #expect(try h.count("SELECT count(*) FROM inbox") == 5)
            // Other chat events are answered, not kept; a buyer message needs its id.
            let (status, answer) = try await h.post(#"{"message_type":"TYPE_MESSAGE_READ","chat_id":"x"}"#)
            #expect(status == 200 && answer["result"]?.boolValue == true)
            #expect(try h.count("SELECT count(*) FROM inbox") == 5)
            let noID = try await h.post(#"{"message_type":"TYPE_NEW_MESSAGE","chat_id":"x"}"#)
            #expect(noID.0 == 400 && noID.1["error"]?["code"]?.stringValue == "ERROR_PARAMETER_VALUE_MISSED")
            #expect(try h.count("SELECT count(*) FROM inbox") == 5)
        }
    }

    @Test func badRequestsGetOzonsErrorShape() async throws {
        try await withHarness(worker: false) { h in
            let missing = try await h.post(#"{"message_type":"TYPE_NEW_POSTING"}"#)
            #expect(missing.0 == 400)
            #expect(missing.1["error"]?["code"]?.stringValue == "ERROR_PARAMETER_VALUE_MISSED")
            #expect(missing.1["error"]?["details"]?.isNull == true)
            let noState = try await h.post(#"{"message_type":"TYPE_STATE_CHANGED","posting_number":"1-1"}"#)
            #expect(noState.1["error"]?["code"]?.stringValue == "ERROR_PARAMETER_VALUE_MISSED")
            let notJSON = try await h.post("{nope")
            #expect(notJSON.0 == 400 && notJSON.1["error"]?["code"]?.stringValue == "ERROR_UNKNOWN")
            let deep = try await h.post(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
            #expect(deep.0 == 400)
            let big = try await h.post(#"{"message_type":"TYPE_NEW_POSTING","posting_number":"1-1","pad":""# + String(repeating: "x", count: 100_000) + #""}"#)
            #expect(big.0 == 413)
            #expect(try h.count("SELECT count(*) FROM inbox") == 0)
        }
    }

    @Test func healthAndMetrics() async throws {
        try await withHarness(worker: false) { h in
            _ = try await h.post(newPostingNotice("2-1"))
            _ = try await h.post(newPostingNotice("2-1"))
            let health = try await h.get("/healthz")
            #expect(health.0 == 200)
            #expect(health.1.contains(#""inbox_pending":1"#))
            let metrics = try await h.get("/metrics")
            #expect(metrics.0 == 200)
            #expect(metrics.1.contains(#"ozon_webhook_notifications_total{result="stored"} 1"#))
            #expect(metrics.1.contains(#"ozon_webhook_notifications_total{result="duplicate"} 1"#))
            #expect(metrics.1.contains("ozon_webhook_answer_seconds_bucket"))
        }
    }
}

@Suite struct UnitTests {
    @Test func allowList() throws {
        let list = IPAllowList.standard
        #expect(list.allows("195.34.21.7"))
        #expect(list.allows("185.73.195.255"))
        #expect(!list.allows("185.73.196.0"))
        #expect(list.allows("91.223.93.1"))
        #expect(list.allows("127.0.0.1"))
        #expect(list.allows("::1"))
        #expect(list.allows("::ffff:195.34.21.9"))
        #expect(!list.allows("10.0.0.1"))
        #expect(!list.allows(nil))
        #expect(!list.allows("garbage"))
        if case .success = IPAllowList.parse(["1.2.3.4/33"]) { Issue.record("accepted /33") }
    }

    @Test func dedupeKeys() throws {
        func key(_ text: String) throws -> String {
            guard case .posting(let notice) = try PushNotification.read(try JSONParser.parse(text)) else { throw CancellationError() }
            return notice.dedupeKey
        }
        #expect(try key(stateChangedNotice("1-1", state: "posting_delivered")) == key(stateChangedNotice("1-1", state: "posting_delivered")))
        #expect(try key(stateChangedNotice("1-1", state: "posting_delivered")) != key(stateChangedNotice("1-1", state: "posting_delivering")))
        #expect(try key(stateChangedNotice("1-1", state: "posting_delivered", at: "2026-05-14T09:00:00Z"))
                != key(stateChangedNotice("1-1", state: "posting_delivered", at: "2026-05-15T09:00:00Z")))
        #expect(try key(#"{"message_type":"TYPE_NEW_POSTING","posting_number":"1-1","uuid":"abc"}"#) == "uuid:abc")
    }

    @Test func pushStatesMapToStatuses() throws {
        guard case .posting(let notice) = try PushNotification.read(try JSONParser.parse(stateChangedNotice("1-1", state: "posting_transferring_to_delivery"))) else {
            Issue.record("not a posting notice")
            return
        }
        #expect(notice.status == .awaitingDeliver)
    }

    @Test func listenAddresses() {
        #expect(WebhookConfiguration.parseListen("127.0.0.1:8080")! == ("127.0.0.1", 8080))
        #expect(WebhookConfiguration.parseListen("[::1]:9000")! == ("::1", 9000))
        #expect(WebhookConfiguration.parseListen("8081")! == ("127.0.0.1", 8081))
        #expect(WebhookConfiguration.parseListen("nope") == nil)
    }
}

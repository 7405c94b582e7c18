import AlertChannels
import FakeOzonAPI
import Foundation
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesRuntime
import Testing

/// Buyer chat messages end to end (SPEC §7.2): a `TYPE_NEW_MESSAGE` push or a polled chat →
/// the inbox → `messages.lua` → a reply `chat_message` effect on that chat (or alerts) →
/// carried out on the fake Seller API, once per message.
@Suite(.serialized) struct BuyerMessageTests {
    static let rules: [String: String] = testRules.merging([
        "messages.lua": """
            return function(message, posting, ctx)
              if string.find(message.text, "брак", 1, true) then
                return { { action = "alert", level = "urgent", text = "Жалоба: " .. message.text } }
              end
              if posting == nil then return { { action = "reply", text = "Здравствуйте! Уточните номер заказа." } } end
              return { { action = "reply", text = "Заказ {{posting_number}}: " .. posting.status .. ", трек " .. posting.tracking_number } }
            end
            """,
    ]) { $1 }

    /// A posting on its way with a tracking number, on the fake and in the store.
    static func onItsWay(_ h: LiveHarness, _ number: String) async throws {
        guard case .object(var object) = posting(number, status: "delivering") else { return }
        object["tracking_number"] = .string("CDEK-\(number)")
        h.fake.put(posting: .object(object))
        _ = try await h.processor.applier().apply(try Posting(json: .object(object)), now: .now())
    }

    static func push(chat: String, id: String, user: String = "Customer", text: String, chatType: String = "Buyer_Seller") -> String {
        let body: JSONValue = [
            "message_type": "TYPE_NEW_MESSAGE", "chat_id": .string(chat), "chat_type": .string(chatType), "message_id": .string(id),
            "created_at": "2026-05-20T11:00:00Z", "user": ["id": "115", "type": .string(user)], "data": [.string(text)], "seller_id": "7",
        ]
        return JSONWriter.write(body)
    }

    static func sellerTexts(_ h: LiveHarness, chat: String) -> [String] {
        h.fake.chatMessages(chatID: chat).filter { $0.userType == "Seller" }.map(\.text)
    }

    @Test func aPushedBuyerMessageIsAnsweredInItsChatOnceEvenWhenRepeated() async throws {
        try await withHarness(rules: Self.rules) { h in
            try await Self.onItsWay(h, "700-1")
            try await Self.onItsWay(h, "701-1")
            // The buyer writes in 700-1's chat; the Cyrillic look-alike spelling of Customer.
            h.fake.configure { $0.spellCustomerWithCyrillicC = true }
            let chat = h.fake.putBuyerMessage(postingNumber: "700-1", text: "Где мой заказ?")
            let id = try #require(h.fake.lastMessageID(chatID: chat))
            let body = Self.push(chat: chat, id: id, user: "\u{0421}ustomer", text: "Где мой заказ?")
            let first = try await h.post(body)
            #expect(first.0 == 200 && first.1["result"]?.boolValue == true)
            let repeated = try await h.post(body)
            #expect(repeated.0 == 409 && repeated.1["error"]?["code"]?.stringValue == "ERROR_REQUEST_DUPLICATED")

            let expected = "Заказ 700-1: delivering, трек CDEK-700-1"
            #expect(try await h.eventually { Self.sellerTexts(h, chat: chat) == [expected] })
            try await h.idle()
            #expect(Self.sellerTexts(h, chat: chat) == [expected])
            // The chat was known: no chat was started. The posting came from the order number.
            #expect(h.fake.received(OzonClient.Path.chatStart).isEmpty)
            #expect(h.fake.received(OzonClient.Path.chatSendMessage).map { JSONWriter.write($0.body, sortedKeys: true) }
                == [JSONWriter.write(["chat_id": .string(chat), "text": .string(expected)], sortedKeys: true)])
            #expect(h.fake.received(OzonClient.Path.chatHistory).count == 1)
            let effect = try #require(try await h.store.effects(EffectQuery(kinds: [.chatMessage])).first)
            #expect(effect.state == .sent && effect.postingNumber == "700-1" && effect.subject == "chat:700-1")
            #expect(try h.count("SELECT count(*) FROM buyer_messages") == 1)
            #expect(try h.string("SELECT posting_number FROM buyer_messages") == "700-1")
            #expect(try h.string("SELECT outcome FROM inbox WHERE message_type = 'TYPE_NEW_MESSAGE'") == "decided")
            #expect(try h.string("SELECT hook_runs FROM buyer_messages")?.contains(#""hook":"messages""#) == true)

            // The same message again in another notification (a later poll or a resend) decides nothing.
            let resent = try await h.post(Self.push(chat: chat, id: id, text: "Где мой заказ?") .replacingOccurrences(
                of: #""seller_id":"7""#, with: #""seller_id":7"#))
            #expect(resent.0 == 409)

            // A second message of the chat finds the posting from the chat this store answered in.
            h.fake.configure { $0.spellCustomerWithCyrillicC = false }
            h.fake.putBuyerMessage(postingNumber: "700-1", text: "А точнее?")
            let second = try #require(h.fake.lastMessageID(chatID: chat))
            #expect(try await h.post(Self.push(chat: chat, id: second, text: "А точнее?")).0 == 200)
            #expect(try await h.eventually { Self.sellerTexts(h, chat: chat).count == 2 })
            try await h.idle()
            #expect(h.fake.received(OzonClient.Path.chatHistory).count == 1)
            #expect(try h.count("SELECT count(*) FROM buyer_messages WHERE posting_number = '700-1'") == 2)
        }
    }

    @Test func aComplaintAlertsTheSellersChannel() async throws {
        let alerts = FakeAlertChannels()
        try await alerts.start()
        defer { Task { await alerts.stop() } }
        let channels = try AlertChannel.parse(["json=\(alerts.baseURL)/json"])
        try await withHarness(rules: Self.rules, alerts: channels) { h in
            try await Self.onItsWay(h, "710-1")
            let chat = h.fake.putBuyerMessage(postingNumber: "710-1", text: "Пришёл брак")
            let id = try #require(h.fake.lastMessageID(chatID: chat))
            #expect(try await h.post(Self.push(chat: chat, id: id, text: "Пришёл брак")).0 == 200)
            #expect(try await h.eventually { !alerts.bodies("/json").isEmpty })
            try await h.idle()
            let body = try #require(alerts.bodies("/json").first)
            #expect(alerts.bodies("/json").count == 1)
            #expect(body["level"] == "urgent" && body["text"] == "Жалоба: Пришёл брак" && body["posting_number"] == "710-1")
            #expect(Self.sellerTexts(h, chat: chat).isEmpty)
        }
    }

    @Test(arguments: [("Support", "Buyer_Seller", "ignored: a message from Ozon support"),
                      ("Seller", "Buyer_Seller", "ignored: the seller's own message"),
                      ("NotificationUser", "Buyer_Seller", "ignored: a message from NotificationUser"),
                      ("Customer", "SELLER_SUPPORT", "ignored: chat type SELLER_SUPPORT")])
    func aMessageNotFromTheBuyerRunsNoHook(user: String, chatType: String, outcome: String) async throws {
        try await withHarness(rules: Self.rules) { h in
            try await Self.onItsWay(h, "720-1")
            let chat = h.fake.putBuyerMessage(postingNumber: "720-1", text: "Где мой заказ?")
            #expect(try await h.post(Self.push(chat: chat, id: "424242", user: user, text: "Ваш заказ в пути", chatType: chatType)).0 == 200)
            #expect(try await h.eventually { try h.count("SELECT count(*) FROM inbox WHERE state = 'done'") == 1 })
            try await h.idle()
            #expect(try h.string("SELECT outcome FROM inbox") == outcome)
            #expect(try h.count("SELECT count(*) FROM buyer_messages") == 0)
            #expect(try await h.store.effects(EffectQuery(kinds: [.chatMessage])).isEmpty)
            #expect(h.fake.received(OzonClient.Path.chatHistory).isEmpty)
        }
    }

    @Test func syncDecidesEachUnreadBuyerMessageOnce() async throws {
        try await withHarness(worker: false, rules: Self.rules) { h in
            try await Self.onItsWay(h, "730-1")
            try await Self.onItsWay(h, "731-1")
            let first = h.fake.putBuyerMessage(postingNumber: "730-1", text: "Где посылка?")
            h.fake.putMessage(chatID: first, userType: "Support", text: "Мы передали вопрос продавцу")
            h.fake.putBuyerMessage(postingNumber: "730-1", text: "Когда доставка?")
            let second = h.fake.putBuyerMessage(postingNumber: "731-1", text: "Где посылка?")
            let unknown = h.fake.putBuyerMessage(postingNumber: "739-1", text: "Здравствуйте")
            h.fake.putSupportChat(text: "Ответ поддержки")

            let report = try await Syncer(processor: h.processor).run(since: Timestamp.now().adding(seconds: -3600))
            #expect(report.failures.isEmpty, "\(report.failures)")
            #expect(report.changes["decided_messages"] == 4)
            #expect(Self.sellerTexts(h, chat: first) == ["Заказ 730-1: delivering, трек CDEK-730-1", "Заказ 730-1: delivering, трек CDEK-730-1"])
            #expect(Self.sellerTexts(h, chat: second) == ["Заказ 731-1: delivering, трек CDEK-731-1"])
            // No stored posting of order 739: the hook got nil.
            #expect(Self.sellerTexts(h, chat: unknown) == ["Здравствуйте! Уточните номер заказа."])
            #expect(try h.count("SELECT count(*) FROM buyer_messages") == 4)
            #expect(try h.count("SELECT count(*) FROM buyer_messages WHERE source = 'poll' AND user_type = 'Customer'") == 4)

            // A second sync decides nothing new and sends nothing more, though the chats are still unread.
            let again = try await Syncer(processor: h.processor).run(since: Timestamp.now().adding(seconds: -3600))
            #expect(again.failures.isEmpty && again.changes["decided_messages"] == nil)
            #expect(h.fake.sideEffects(path: OzonClient.Path.chatSendMessage).count == 4)

            // A push of a message the poll decided already is a repeat: done, not decided again.
            h.fake.putBuyerMessage(postingNumber: "731-1", text: "Спасибо")
            let latest = try #require(h.fake.lastMessageID(chatID: second))
            let polled = try await BuyerMessages(processor: h.processor).poll()
            #expect(polled.decided == 1)
            #expect(try await h.post(Self.push(chat: second, id: latest, text: "Спасибо")).0 == 200)
            await h.processor.drain()
            #expect(try h.string("SELECT outcome FROM inbox WHERE message_type = 'TYPE_NEW_MESSAGE'") == "duplicate")
            #expect(h.fake.sideEffects(path: OzonClient.Path.chatSendMessage).count == 5)
        }
    }
}

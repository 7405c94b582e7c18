import Testing
@testable import PostingModel

/// `TYPE_NEW_MESSAGE` pushes and chat history messages, as ozon-api-actions.md §4 documents them.
@Suite("Buyer chat messages")
struct BuyerMessageTests {
    static func push(_ fields: String) throws -> PushNotification {
        try PushNotification.read(try JSONParser.parse(#"{"message_type":"TYPE_NEW_MESSAGE",\#(fields)}"#))
    }

    @Test func aPushIsReadWithItsIdsAsWrittenEvenBeyondUInt64() throws {
        // Ozon's example id exceeds UInt64; the push writes it as a bare number.
        let notification = try Self.push(#"""
            "chat_id":"0f5c2d7e-93a1-4b6e-8c0d-5b2e7a1f9c44","chat_type":"Buyer_Seller","message_id":30000000001280042740,
            "created_at":"2026-05-14T07:41:15Z","user":{"id":"115","type":"Customer"},"data":["Здравствуйте!","Где **мой** заказ?"],
            "seller_id":"7"
            """#)
        guard case .message(let notice) = notification else {
            Issue.record("not a message: \(notification)")
            return
        }
        let message = notice.message
        #expect(message.messageID == "30000000001280042740")
        #expect(message.chatID == "0f5c2d7e-93a1-4b6e-8c0d-5b2e7a1f9c44")
        #expect(message.chatType == "Buyer_Seller")
        #expect(message.createdAt == "2026-05-14T07:41:15Z")
        #expect(message.userID == "115" && message.sender == .customer)
        #expect(message.text == "Здравствуйте!\nГде **мой** заказ?")
        #expect(notice.sellerID == "7")
        #expect(notice.dedupeKey == "message:30000000001280042740")
        #expect(message.ignoredBecause == nil)
        let fields = message.fields
        #expect(fields["message_id"] == .string("30000000001280042740"))
        #expect(fields["user"]?["type"] == .string("Customer"))
        #expect(fields["data"]?.arrayValue?.count == 2)

        // The same id as a string is the same message (and the same dedupe key).
        guard case .message(let again) = try Self.push(#""chat_id":"c","message_id":"30000000001280042740","seller_id":7,"data":"один""#) else {
            Issue.record("not a message")
            return
        }
        #expect(again.dedupeKey == notice.dedupeKey && again.sellerID == "7" && again.message.data == ["один"])
    }

    @Test func aPushWithoutItsChatOrMessageIsRefused() {
        #expect(throws: PushNotification.Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "chat_id is missing")) {
            try Self.push(#""message_id":"1""#)
        }
        #expect(throws: PushNotification.Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "message_id is missing")) {
            try Self.push(#""chat_id":"c","message_id":"""#)
        }
        // Other chat events are not kept.
        let read = try? PushNotification.read(try JSONParser.parse(#"{"message_type":"TYPE_MESSAGE_READ","chat_id":"c"}"#))
        #expect(read == .ignored(type: "TYPE_MESSAGE_READ"))
    }

    @Test func userTypesAreComparedCaseInsensitivelyAndTheCyrillicLookAlikeIsACustomer() {
        #expect(ChatUserType("\u{0421}ustomer") == .customer)  // "Сustomer", Cyrillic С
        #expect(ChatUserType("CUSTOMER") == .customer)
        #expect(ChatUserType("customer") == .customer)
        #expect(ChatUserType("Seller") == .seller)
        #expect(ChatUserType("SUPPORT") == .support)
        #expect(ChatUserType("NotificationUser") == .notificationUser)
        #expect(ChatUserType("notification_user") == .notificationUser)
        #expect(ChatUserType("Crm") == .crm && ChatUserType("courier") == .courier)
        #expect(ChatUserType("Robot") == .other("Robot"))
    }

    static func message(user: String, chatType: String? = "Buyer_Seller") -> BuyerMessage {
        BuyerMessage(chatID: "c", chatType: chatType, messageID: "1", createdAt: nil, userID: nil, userType: user, data: ["текст"])
    }

    @Test(arguments: ["Seller", "Support", "Crm", "Courier", "NotificationUser", "support", ""])
    func messagesOfOthersThanTheBuyerAreNotForTheHook(user: String) {
        #expect(Self.message(user: user).ignoredBecause != nil)
    }

    @Test func onlyBuyerChatsReachTheHookWhateverTheirCasing() {
        #expect(Self.message(user: "\u{0421}ustomer").ignoredBecause == nil)
        #expect(Self.message(user: "Customer", chatType: "BUYER_SELLER").ignoredBecause == nil)
        #expect(Self.message(user: "Customer", chatType: "buyer_seller_select").ignoredBecause == nil)
        #expect(Self.message(user: "Customer", chatType: nil).ignoredBecause == nil)
        #expect(Self.message(user: "Support").ignoredBecause == "a message from Ozon support")
        #expect(Self.message(user: "Seller").ignoredBecause == "the seller's own message")
        for type in ["SELLER_SUPPORT", "Seller_Notification", "SELLER_API_NOTIFICATIONS", "UNSPECIFIED"] {
            #expect(Self.message(user: "Customer", chatType: type).ignoredBecause == "chat type \(type)")
        }
    }

    @Test func aHistoryMessageNamesItsOrder() throws {
        let object = try #require(try JSONParser.parse(#"""
            {"message_id":"3000000000817031942","created_at":"2026-05-14T07:41:15Z","user":{"id":"1","type":"Сustomer"},
             "data":["Где посылка?"],"is_image":false,"is_read":false,"context":{"order_number":"61930528-0117","sku":"1734059281"}}
            """#).objectValue)
        let message = try #require(BuyerMessage(object: object, chatID: "c1", chatType: "BUYER_SELLER"))
        #expect(message.orderNumber == "61930528-0117" && message.chatID == "c1" && message.chatType == "BUYER_SELLER")
        #expect(message.sender == .customer)
    }

    @Test func messageIdsAreOrderedAsNumbers() {
        #expect(BuyerMessage.isNewer("30000000001280042740", than: "3000000000817031942"))
        #expect(BuyerMessage.isNewer("10", than: "9"))
        #expect(!BuyerMessage.isNewer("9", than: "10"))
        #expect(!BuyerMessage.isNewer("5", than: "5"))
        #expect(BuyerMessage.isNewer("3000000000817031943", than: "3000000000817031942"))
    }
}

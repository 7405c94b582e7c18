/// A buyer's chat message (SPEC §7.2), as `messages.lua` sees it: read from a
/// `TYPE_NEW_MESSAGE` push or from `/v3/chat/history`.
///
/// Message ids are text: Ozon's ids exceed `Double` and, in one example, even
/// `UInt64` (ozon-api-actions.md §4.3), so a number's literal is kept as written.
public struct BuyerMessage: Sendable, Hashable {
    public var chatID: String
    /// `Buyer_Seller` (pushes), `BUYER_SELLER` (`/v3/chat/list`), `SELLER_SUPPORT`, ...; nil when not given.
    public var chatType: String?
    public var messageID: String
    /// UTC ISO 8601, as Ozon sent it.
    public var createdAt: String?
    public var userID: String?
    /// `user.type` as Ozon spells it.
    public var userType: String
    /// The Markdown texts of the message.
    public var data: [String]
    /// `context.order_number` of a history message, where given.
    public var orderNumber: String?

    public init(
        chatID: String, chatType: String?, messageID: String, createdAt: String?, userID: String?, userType: String,
        data: [String], orderNumber: String? = nil
    ) {
        self.chatID = chatID
        self.chatType = chatType
        self.messageID = messageID
        self.createdAt = createdAt
        self.userID = userID
        self.userType = userType
        self.data = data
        self.orderNumber = orderNumber
    }

    /// The texts joined by new lines.
    public var text: String { data.joined(separator: "\n") }

    /// Who wrote it.
    public var sender: ChatUserType { ChatUserType(userType) }

    /// Whether the chat is one with a buyer (`BUYER_SELLER`, `BUYER_SELLER_SELECT`, in any
    /// casing); a message without a chat type counts as one.
    public var isBuyerChat: Bool {
        guard let chatType, !chatType.isEmpty else { return true }
        return chatType.uppercased().hasPrefix("BUYER_SELLER")
    }

    /// Why the message is not for `messages.lua` (Ozon support, the seller's own messages,
    /// couriers, notifications, a chat that is not with a buyer); nil: a buyer wrote it.
    public var ignoredBecause: String? {
        if !isBuyerChat { return "chat type \(chatType ?? "")" }
        switch sender {
        case .customer: return nil
        case .seller: return "the seller's own message"
        case .support: return "a message from Ozon support"
        case .crm, .courier, .notificationUser: return "a message from \(userType)"
        case .other(let type): return "a message from \(type.isEmpty ? "an unknown sender" : type)"
        }
    }

    /// The message as handed to Lua: `{chat_id, chat_type, message_id, created_at,
    /// user = {id, type}, text, data, order_number}` (absent fields left out).
    public var fields: JSONObject {
        var user = JSONObject()
        if let userID { user["id"] = .string(userID) }
        user["type"] = .string(userType)
        var object = JSONObject()
        object["chat_id"] = .string(chatID)
        if let chatType { object["chat_type"] = .string(chatType) }
        object["message_id"] = .string(messageID)
        if let createdAt { object["created_at"] = .string(createdAt) }
        object["user"] = .object(user)
        object["text"] = .string(text)
        object["data"] = .array(data.map(JSONValue.string))
        if let orderNumber { object["order_number"] = .string(orderNumber) }
        return object.sortedByKey()
    }

    /// Reads a message object: a push body (`chat_id`, `chat_type`, `message_id`, `created_at`,
    /// `user`, `data`) or a `/v3/chat/history` message (`chatID` given, `context.order_number`).
    /// Nil without a chat id or a message id.
    public init?(object: JSONObject, chatID: String? = nil, chatType: String? = nil) {
        guard let chat = chatID ?? BuyerMessage.idText(object["chat_id"]), !chat.isEmpty,
              let id = BuyerMessage.idText(object["message_id"]), !id.isEmpty else { return nil }
        self.chatID = chat
        self.chatType = object["chat_type"]?.stringValue ?? chatType
        messageID = id
        createdAt = object["created_at"]?.stringValue
        userID = BuyerMessage.idText(object["user"]?["id"])
        userType = object["user"]?["type"]?.stringValue ?? ""
        switch object["data"] {
        case .array(let items)?: data = items.compactMap(\.stringValue)
        case .string(let one)?: data = [one]
        default: data = []
        }
        // A message given with its joined text only (a test's table).
        if data.isEmpty, let text = object["text"]?.stringValue { data = [text] }
        let order = object["context"]?["order_number"]
        orderNumber = (order?.stringValue ?? order?.numberValue?.literal).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An id written as a string or as a number (its literal, never through `Double`).
    static func idText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text.isEmpty ? nil : text
        case .number(let number)?: number.literal
        default: nil
        }
    }

    /// Orders message ids as the unsigned integers they are (beyond `UInt64` too): fewer
    /// digits first, then by digits; ids that are not digits compare as text.
    public static func isNewer(_ id: String, than other: String) -> Bool {
        let a = id.drop { $0 == "0" }, b = other.drop { $0 == "0" }
        if a.count != b.count, a.allSatisfy(\.isASCII), b.allSatisfy(\.isASCII) { return a.count > b.count }
        return a > b
    }
}

/// Who wrote a chat message (`user.type`): compared case-insensitively, and Ozon's example
/// `Сustomer`, spelt with a Cyrillic `С` (ozon-api-actions.md §4.3), is read as Customer.
public enum ChatUserType: Sendable, Hashable {
    case customer, seller, crm, courier, support, notificationUser
    case other(String)

    public init(_ text: String) {
        // Cyrillic look-alikes of Latin letters, as seen in Ozon's examples.
        let lookAlikes: [Character: Character] = ["с": "c", "о": "o", "е": "e", "а": "a", "р": "p", "х": "x", "у": "y", "к": "k",
                                                  "м": "m", "т": "t", "н": "h", "в": "b", "і": "i"]
        let folded = String(text.lowercased().compactMap { character -> Character? in
            if character == "_" || character == " " || character == "-" { return nil }
            return lookAlikes[character] ?? character
        })
        switch folded {
        case "customer", "buyer": self = .customer
        case "seller": self = .seller
        case "crm": self = .crm
        case "courier": self = .courier
        case "support": self = .support
        case "notificationuser": self = .notificationUser
        default: self = .other(text)
        }
    }
}

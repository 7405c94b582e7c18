
/// A push notification's body, read as ozon-api.md §6 documents it.
public enum PushNotification: Sendable, Hashable {
    /// `TYPE_PING`: answered `{version, name, time}`.
    case ping(time: String?)
    /// A posting notification to keep in the inbox.
    case posting(PostingNotice)
    /// A buyer's chat message (`TYPE_NEW_MESSAGE`, SPEC §7.2), kept in the inbox.
    case message(MessageNotice)
    /// A type ozon-rules does not act on (products, other chat events, FBO, ...): answered, not kept.
    case ignored(type: String)

    /// The posting notification types kept in the inbox (§6.5).
    public static let postingTypes: Set<String> = [
        "TYPE_NEW_POSTING", "TYPE_STATE_CHANGED", "TYPE_POSTING_CANCELLED",
        "TYPE_CUTOFF_DATE_CHANGED", "TYPE_DELIVERY_DATE_CHANGED",
    ]

    /// The error answer's code and message when the body is not a usable notification.
    public struct Rejection: Error, Sendable, Hashable {
        public var code: String
        public var message: String
    }

    /// Reads a parsed body. Missing required fields are `ERROR_PARAMETER_VALUE_MISSED`.
    public static func read(_ body: JSONValue) throws(Rejection) -> PushNotification {
        guard case .object(let object) = body else {
            throw Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "the body must be a JSON object")
        }
        guard let type = object["message_type"]?.stringValue, !type.isEmpty else {
            throw Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "message_type is missing")
        }
        if type == "TYPE_PING" { return .ping(time: object["time"]?.stringValue) }
        if type == MessageNotice.type { return .message(try MessageNotice(object)) }
        guard postingTypes.contains(type) else { return .ignored(type: type) }
        guard let number = object["posting_number"]?.stringValue, !number.isEmpty else {
            throw Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "posting_number is missing")
        }
        var newState: String?
        var status: PostingStatus?
        if type == "TYPE_STATE_CHANGED" {
            guard let state = object["new_state"]?.stringValue, !state.isEmpty else {
                throw Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "new_state is missing")
            }
            newState = state
            status = PushState.status(forNewState: state)
        } else if type == "TYPE_NEW_POSTING" {
            status = .awaitingPackaging
        } else if type == "TYPE_POSTING_CANCELLED" {
            status = .cancelled
            newState = object["new_state"]?.stringValue
        }
        return .posting(PostingNotice(
            type: type, postingNumber: number, newState: newState, status: status,
            dedupeKey: dedupeKey(type: type, postingNumber: number, object)))
    }

    /// §6.4: the event `uuid` where there is one; otherwise the type, the posting and what the
    /// notification says changed (`new_state`, `changed_state_date`, the new dates), so a
    /// repeat of the same event has the same key and a later change another.
    static func dedupeKey(type: String, postingNumber: String, _ object: JSONObject) -> String {
        if let uuid = object["uuid"]?.stringValue, !uuid.isEmpty { return "uuid:" + uuid }
        let fields = ["new_state", "changed_state_date", "in_process_at", "new_cutoff_date", "old_cutoff_date",
                      "new_delivery_date_begin", "new_delivery_date_end", "reason", "cancellation_reason_id"]
        var parts = [type, postingNumber]
        for field in fields {
            if let value = object[field], !value.isNull { parts.append(field + "=" + (value.stringValue ?? JSONWriter.write(value))) }
        }
        if object["cancellation_reason"] != nil, let reason = object["cancellation_reason"] {
            parts.append("cancellation_reason=" + JSONWriter.write(reason, sortedKeys: true))
        }
        return parts.joined(separator: "|")
    }
}

/// A posting notification: what the inbox keeps and the worker acts on.
public struct PostingNotice: Sendable, Hashable {
    public var type: String
    public var postingNumber: String
    /// `new_state` of `TYPE_STATE_CHANGED`, in push vocabulary (`posting_delivered`).
    public var newState: String?
    /// The status the notification implies (a hint: the worker re-reads the posting).
    public var status: PostingStatus?
    public var dedupeKey: String
}

/// A `TYPE_NEW_MESSAGE` push: `chat_id`, `chat_type`, `message_id`, `created_at`,
/// `user {id, type}`, `data` (Markdown texts), `seller_id` (a string or a number). A repeat
/// of the same message id is the same notification, whatever else differs.
public struct MessageNotice: Sendable, Hashable {
    public static let type = "TYPE_NEW_MESSAGE"

    public var message: BuyerMessage
    /// `seller_id`, as written (chat payloads show it as a string).
    public var sellerID: String?

    public var dedupeKey: String { "message:" + message.messageID }

    init(_ object: JSONObject) throws(PushNotification.Rejection) {
        guard let chat = BuyerMessage.idText(object["chat_id"]) else {
            throw PushNotification.Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "chat_id is missing")
        }
        guard BuyerMessage.idText(object["message_id"]) != nil, let message = BuyerMessage(object: object, chatID: chat) else {
            throw PushNotification.Rejection(code: "ERROR_PARAMETER_VALUE_MISSED", message: "message_id is missing")
        }
        self.message = message
        sellerID = BuyerMessage.idText(object["seller_id"])
    }

    /// Reads the body of a stored `TYPE_NEW_MESSAGE` notification.
    public static func read(payload: String) -> MessageNotice? {
        guard let value = try? JSONParser.parse(Array(payload.utf8)),
              case .message(let notice)? = try? PushNotification.read(value) else { return nil }
        return notice
    }
}

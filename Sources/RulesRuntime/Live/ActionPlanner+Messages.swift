import AlertChannels
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine

/// What `messages.lua` decided, as effects (SPEC §6, §7.2).
extension EffectPlanner {
    /// For a buyer's chat message: each `reply` → a `chat_message` effect on that chat
    /// (`/v1/chat/send/message` with the chat id known: no `/v1/chat/start`), each `alert` → one
    /// `alert` effect per configured channel. Keys carry the message id, so a message decided
    /// twice never plans twice.
    public static func effects(
        forMessage message: BuyerMessage, postingNumber: String?, decisions: Decisions, now: Timestamp,
        alertChannels: [AlertChannel] = []
    ) -> [NewEffect] {
        var planned: [NewEffect] = []
        let id = message.messageID
        for (index, action) in decisions.actions.enumerated() {
            switch action.action {
            case "reply":
                guard action.isBuyerMessage, let text = action.text("text"), !text.isEmpty else { continue }
                var request: JSONObject = ["chat_id": .string(message.chatID), "text": .string(text)]
                if let postingNumber { request["posting_number"] = .string(postingNumber) }
                planned.append(NewEffect(
                    kind: .chatMessage, subject: .chat(postingNumber ?? message.chatID), postingNumber: postingNumber,
                    method: OzonClient.Path.chatSendMessage, request: .object(request.sortedByKey()),
                    key: "chat_message:message:\(id):\(index)"))
            case "alert":
                planned += alertEffects(action, postingNumber: postingNumber, key: "alert:message:\(id):\(index)", now: now,
                                        channels: alertChannels)
            default: continue
            }
        }
        return planned
    }
}

import PostingModel

/// Buyer chat messages (SPEC §7.2): `messages.lua` answers each with a list of
/// actions, called like `returns.lua`: `hook(message, posting_or_nil, ctx)`.
extension Hook {
    /// `messages.lua`: a buyer's chat message → a list of actions, only `reply`
    /// (a chat message to the buyer, checked by Ozon's rules for talking to
    /// buyers) and `alert` (to the seller's team).
    public static let messages = Hook(
        name: "messages", fileName: "messages.lua", arguments: .messagePostingAndContext, isKeyed: false,
        isVisibleToLaterHooks: false,
        check: { value, subject throws(DecisionViolation) in
            let (actions, recorded) = try DecisionValidator.messageActions(value, texts: subject?.texts, live: subject != nil)
            return Validated(.actions(actions), recorded: recorded)
        })
}

extension RulesEngine {
    /// Runs the `messages` hook for one buyer message; `posting` is the posting the chat
    /// belongs to when known. A folder without `messages.lua` decides nothing.
    public func evaluate(_ message: BuyerMessage, posting: Posting?, now: Timestamp) -> Evaluation {
        evaluate(.buyerMessage(message, posting: posting.map { catalog.apply(to: $0) }), transition: nil, now: now,
                 steps: messageSteps)
    }

    /// Runs the `messages` hook for a message given as a table of fields (tooling): `chat_id`
    /// and `message_id` are required; a message without them is an `input_error` of that message.
    public func evaluate(buyerMessage object: JSONObject, posting: Posting?, now: Timestamp) -> Evaluation {
        guard let message = BuyerMessage(object: object) else {
            let missing = object["chat_id"] == nil ? "chat_id" : "message_id"
            return Evaluation(postingNumber: posting?.postingNumber, status: posting?.status.rawValue, errors: [
                RuleError(code: .inputError, hook: Hook.messages.name, postingNumber: posting?.postingNumber,
                          message: "buyer message: missing field '\(missing)'"),
            ])
        }
        return evaluate(message, posting: posting, now: now)
    }

    /// Whether the folder defines `messages.lua`.
    public var hasMessagesHook: Bool { functions[Hook.messages.name] != nil }

    /// The `messages` hook, when the folder defines it.
    var messageSteps: [HookStep] {
        functions[Hook.messages.name].map { [HookStep(hook: .messages, name: Hook.messages.name, function: $0)] } ?? []
    }
}

extension DecisionValidator {
    /// The actions `messages.lua` may return.
    static let messageActionNames = ["reply", "alert"]

    /// `messages.lua`: a list of actions, each `reply` (to the buyer, with a `text`: rendered over
    /// the posting when there is one, 1–1000 characters, no contact details) or `alert`; any
    /// other action is refused. `live`: the texts are checked even without a posting to render
    /// them over (a recorded decision is decoded without that).
    static func messageActions(_ value: JSONValue, texts: PostingTexts?, live: Bool) throws(DecisionViolation) -> ([ActionDecision], JSONValue?) {
        guard value.arrayValue != nil else {
            throw DecisionViolation(message: "messages.lua must return a list of actions ({action = \"reply\", text = ...} or "
                + "{action = \"alert\", text = ..., level = ...}), got \(value.kindName)")
        }
        let (actions, recorded) = try DecisionValidator.actions(value, texts: texts)
        for (index, action) in actions.enumerated() {
            let path = "actions[\(index + 1)]"
            guard messageActionNames.contains(action.action) else {
                throw DecisionViolation(message: "\(path): messages.lua may return only 'reply' and 'alert' actions, got '\(action.action)'")
            }
            guard action.action == "reply" else { continue }
            if let to = action.fields["to"], to.stringValue != "buyer" {
                throw DecisionViolation(message: "\(path): a 'reply' goes to the buyer's chat: 'to' must be absent or \"buyer\" "
                    + "(use 'alert' for the seller's team)")
            }
            guard let text = action.fields["text"]?.stringValue, !text.isEmpty else {
                throw DecisionViolation(message: "\(path): a 'reply' needs a non-empty text")
            }
            if live, texts == nil {
                try checkLength(text, maximum: ActionDecision.maxMessageLength, at: "\(path).text")
                try checkForContacts(text, at: "\(path).text", in: "messages to buyers")
            }
        }
        return (actions, recorded)
    }
}

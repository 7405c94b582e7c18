import PostingModel

/// A buyer's chat message and what `messages.lua` decided (SPEC §7.2), recorded once per
/// message id with its hook run and the effects it plans, in one commit.
public struct NewBuyerMessage: Sendable, Hashable {
    /// Ozon's message id, as text (ids exceed `UInt64`).
    public var messageID: String
    public var chatID: String
    public var chatType: String?
    /// The posting the chat belongs to, when the host found it.
    public var postingNumber: String?
    /// `user.type` as Ozon spelt it.
    public var userType: String
    /// The message as the hook saw it (canonical JSON).
    public var snapshot: String
    /// The posting the hook was given (canonical JSON), nil when none was found.
    public var postingSnapshot: String?
    /// Where it came from: `push` or `poll`.
    public var source: String
    public var at: Timestamp
    public var rulesVersion: RulesVersion
    public var hookRuns: [HookRunRecord]
    public var log: [String]
    public var effects: [NewEffect]
    /// The push notification it completes, marked done in the same commit (also when the
    /// message was recorded already).
    public var inbox: InboxCompletion?

    public init(
        messageID: String, chatID: String, chatType: String?, postingNumber: String?, userType: String, snapshot: String,
        postingSnapshot: String?, source: String, at: Timestamp, rulesVersion: RulesVersion, hookRuns: [HookRunRecord],
        log: [String], effects: [NewEffect], inbox: InboxCompletion? = nil
    ) {
        self.messageID = messageID
        self.chatID = chatID
        self.chatType = chatType
        self.postingNumber = postingNumber
        self.userType = userType
        self.snapshot = snapshot
        self.postingSnapshot = postingSnapshot
        self.source = source
        self.at = at
        self.rulesVersion = rulesVersion
        self.hookRuns = hookRuns
        self.log = log
        self.effects = effects
        self.inbox = inbox
    }
}

import PostingModel

// MARK: Inbox

/// A push notification to keep (ozon-api.md §6), as received.
public struct NewNotification: Sendable, Hashable {
    /// Identifies a repeat of the same notification (ozon-api.md §6.4).
    public var dedupeKey: String
    public var messageType: String
    public var postingNumber: String?
    /// The body as received.
    public var payload: String
    /// The sender's address.
    public var peer: String?
    public var receivedAt: Timestamp

    public init(
        dedupeKey: String, messageType: String, postingNumber: String?, payload: String, peer: String?, receivedAt: Timestamp
    ) {
        self.dedupeKey = dedupeKey
        self.messageType = messageType
        self.postingNumber = postingNumber
        self.payload = payload
        self.peer = peer
        self.receivedAt = receivedAt
    }
}

/// What `accept` did with a notification.
public enum InboxAcceptance: Sendable, Hashable {
    case stored(id: Int64)
    /// A repeat of the notification stored as `id`.
    case duplicate(id: Int64)
}

/// A notification waiting in the inbox.
public struct InboxItem: Sendable, Hashable {
    public var id: Int64
    public var messageType: String
    public var postingNumber: String
    public var attempts: Int

    public init(id: Int64, messageType: String, postingNumber: String, attempts: Int) {
        self.id = id
        self.messageType = messageType
        self.postingNumber = postingNumber
        self.attempts = attempts
    }
}

/// Marks a notification processed.
public struct InboxCompletion: Sendable, Hashable {
    public var id: Int64
    /// What became of its posting: `created`, `transitioned`, `updated`, `unchanged`, `rejected`.
    public var outcome: String
    /// Why the posting was refused, if it was.
    public var error: String?
    public var at: Timestamp

    public init(id: Int64, outcome: String, error: String?, at: Timestamp) {
        self.id = id
        self.outcome = outcome
        self.error = error
        self.at = at
    }
}

/// One Seller API call and its answer, as recorded.
public struct APICallRecord: Sendable, Hashable {
    /// The effect it carried out, if any (reads have none).
    public var effectID: Int64?
    public var postingNumber: String?
    public var path: String
    public var body: JSONValue
    /// False: recorded without sending.
    public var applied: Bool
    public var httpStatus: Int?
    public var response: String?
    public var error: String?
    public var attempts: Int
    public var at: Timestamp
    public var durationMilliseconds: Int64

    public init(
        effectID: Int64?, postingNumber: String?, path: String, body: JSONValue, applied: Bool, httpStatus: Int?,
        response: String?, error: String?, attempts: Int, at: Timestamp, durationMilliseconds: Int64
    ) {
        self.effectID = effectID
        self.postingNumber = postingNumber
        self.path = path
        self.body = body
        self.applied = applied
        self.httpStatus = httpStatus
        self.response = response
        self.error = error
        self.attempts = attempts
        self.at = at
        self.durationMilliseconds = durationMilliseconds
    }
}

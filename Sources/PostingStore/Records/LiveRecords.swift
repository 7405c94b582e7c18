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

// MARK: Outbox

/// Where a request to Ozon stands.
public enum OutboxState: String, Sendable, Hashable, CaseIterable {
    /// Waiting to be sent (again, after `nextAttemptAt`).
    case pending
    /// Sent and accepted.
    case done
    /// Refused for good, or out of attempts.
    case failed
    /// Recorded without sending (no `--apply`).
    case dryRun = "dry_run"
    /// No longer wanted.
    case skipped
}

/// A request to Ozon that a transition's decisions ask for, planned with the transition.
public struct NewOutboxRequest: Sendable, Hashable {
    /// `ship`, `tracking_number`, `cancel`, ...
    public var kind: String
    /// The request body to send.
    public var body: JSONValue

    public init(kind: String, body: JSONValue) {
        self.kind = kind
        self.body = body
    }
}

/// A planned request as stored. At most one per posting, transition and kind.
public struct OutboxRequest: Sendable, Hashable {
    public var id: Int64
    public var postingNumber: String
    public var transitionID: Int64?
    public var kind: String
    public var body: JSONValue
    public var state: OutboxState
    public var attempts: Int
    public var result: String?

    public init(
        id: Int64, postingNumber: String, transitionID: Int64?, kind: String, body: JSONValue, state: OutboxState,
        attempts: Int, result: String?
    ) {
        self.id = id
        self.postingNumber = postingNumber
        self.transitionID = transitionID
        self.kind = kind
        self.body = body
        self.state = state
        self.attempts = attempts
        self.result = result
    }
}

/// One Seller API call and its answer, as recorded.
public struct APICallRecord: Sendable, Hashable {
    /// The outbox request it carried out, if any (reads have none).
    public var requestID: Int64?
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
        requestID: Int64?, postingNumber: String?, path: String, body: JSONValue, applied: Bool, httpStatus: Int?,
        response: String?, error: String?, attempts: Int, at: Timestamp, durationMilliseconds: Int64
    ) {
        self.requestID = requestID
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

import PostingModel

// The outbox (SPEC §6): every request a decision asks Ozon (or the seller's alert channel) to
// carry out is an effect, written in the same commit as the decision.

/// What an effect does (SPEC §6 table).
public enum EffectKind: String, Sendable, Hashable, CaseIterable {
    case ship
    case labels
    case setTracking = "set_tracking"
    case setStatus = "set_status"
    case cancel
    case returnAction = "return_action"
    case cancellationAnswer = "cancellation_answer"
    case chatMessage = "chat_message"
    case alert
}

/// Where an effect stands (SPEC §6).
public enum EffectState: String, Sendable, Hashable, CaseIterable {
    /// Recorded; `--apply` not given, or not yet due.
    case planned
    /// Claimed and (perhaps) sent; no answer recorded yet. Found after a crash or a timeout, its
    /// outcome is unknown: it is read back before anything is sent again.
    case sending
    /// Ozon accepted it (or a read-back showed it had taken effect).
    case sent
    /// A permanent error, or retries exhausted.
    case failed
    /// Refused for a subscription, permission or time-window reason: recorded once, never retried.
    case notAllowed = "not_allowed"
    /// The posting, return or request moved on before the effect was sent.
    case superseded

    /// Whether the effect may still be carried out.
    public var isOpen: Bool { self == .planned || self == .sending }
}

/// What the effects of one posting, return, cancellation request or chat are ordered by: they
/// are carried out one at a time, in the order they were planned.
public enum EffectSubject: Sendable, Hashable, CustomStringConvertible {
    case posting(String)
    case returnRequest(Int64)
    case cancellationRequest(Int64)
    /// A buyer chat, by the posting it belongs to.
    case chat(String)
    /// The seller's own alert channel.
    case alertChannel(String)

    /// The stored form: `posting:<n>`, `return:<id>`, `cancellation:<id>`, `chat:<n>`, `alert:<channel>`.
    public var description: String {
        switch self {
        case .posting(let number): "posting:\(number)"
        case .returnRequest(let id): "return:\(id)"
        case .cancellationRequest(let id): "cancellation:\(id)"
        case .chat(let number): "chat:\(number)"
        case .alertChannel(let name): "alert:\(name)"
        }
    }
}

/// An effect to plan.
public struct NewEffect: Sendable, Hashable {
    public var kind: EffectKind
    public var subject: EffectSubject
    /// The posting it concerns, where there is one.
    public var postingNumber: String?
    public var returnID: Int64?
    public var cancellationID: Int64?
    /// The Seller API method it is sent to (or the alert channel).
    public var method: String
    /// The request body to send.
    public var request: JSONValue
    /// Identifies the effect for good: planning the same key again does nothing, so a decision
    /// evaluated twice (a retried commit, a second process) never plans it twice.
    public var key: String
    /// Not to be sent before this time (a review asked for a day after delivery; labels 45 s
    /// after the ship).
    public var notBefore: Timestamp?

    public init(
        kind: EffectKind, subject: EffectSubject, postingNumber: String? = nil, returnID: Int64? = nil,
        cancellationID: Int64? = nil, method: String, request: JSONValue, key: String, notBefore: Timestamp? = nil
    ) {
        self.method = method
        self.kind = kind
        self.subject = subject
        self.postingNumber = postingNumber
        self.returnID = returnID
        self.cancellationID = cancellationID
        self.request = request
        self.key = key
        self.notBefore = notBefore
    }
}

/// An effect as stored.
public struct Effect: Sendable, Hashable {
    public var id: Int64
    public var key: String
    public var kind: EffectKind
    /// `EffectSubject.description`.
    public var subject: String
    public var postingNumber: String?
    public var returnID: Int64?
    public var cancellationID: Int64?
    /// The transition whose decisions planned it, if any.
    public var transitionID: Int64?
    /// The Seller API method it is sent to (or the alert channel).
    public var method: String
    public var request: JSONValue
    public var state: EffectState
    /// Claims so far; also the fencing token of the current claim.
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    public var plannedAt: Timestamp
    /// When it was last claimed for sending.
    public var sentAt: Timestamp?
    public var finishedAt: Timestamp?
    /// Ozon's answer (or what the read-back found), as text.
    public var response: String?
    public var error: String?
    /// What a multi-step effect learnt on the way (a chat's `chat_id`, a label job's `task_id`).
    public var progress: JSONValue?

    public init(
        id: Int64, key: String, kind: EffectKind, subject: String, postingNumber: String?, returnID: Int64?,
        cancellationID: Int64?, transitionID: Int64?, method: String, request: JSONValue, state: EffectState, attempts: Int,
        nextAttemptAt: Timestamp, plannedAt: Timestamp, sentAt: Timestamp?, finishedAt: Timestamp?, response: String?,
        error: String?, progress: JSONValue?
    ) {
        self.id = id
        self.key = key
        self.kind = kind
        self.subject = subject
        self.postingNumber = postingNumber
        self.returnID = returnID
        self.cancellationID = cancellationID
        self.transitionID = transitionID
        self.method = method
        self.request = request
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.plannedAt = plannedAt
        self.sentAt = sentAt
        self.finishedAt = finishedAt
        self.response = response
        self.error = error
        self.progress = progress
    }
}

/// How an attempt at an effect ended.
public struct EffectOutcome: Sendable, Hashable {
    public var state: EffectState
    public var response: String?
    public var error: String?
    /// For `planned` (a retry) or `sending` (read back later): when to look at it again.
    public var retryAt: Timestamp?
    public var progress: JSONValue?

    public init(state: EffectState, response: String? = nil, error: String? = nil, retryAt: Timestamp? = nil,
                progress: JSONValue? = nil) {
        self.state = state
        self.response = response
        self.error = error
        self.retryAt = retryAt
        self.progress = progress
    }
}

/// Which effects to list.
public struct EffectQuery: Sendable, Hashable {
    public var postingNumber: String?
    public var states: Set<EffectState>?
    public var kinds: Set<EffectKind>?
    public var limit: Int?

    public init(postingNumber: String? = nil, states: Set<EffectState>? = nil, kinds: Set<EffectKind>? = nil, limit: Int? = nil) {
        self.postingNumber = postingNumber
        self.states = states
        self.kinds = kinds
        self.limit = limit
    }
}

/// A package-label PDF fetched from Ozon, covering one or more postings (a label job prints up
/// to 20 postings into one file).
public struct LabelFile: Sendable, Hashable {
    public var postingNumbers: [String]
    /// Ozon's job id, where the file came from a job.
    public var taskID: Int64?
    public var pdf: [UInt8]
    public var fetchedAt: Timestamp

    public init(postingNumbers: [String], taskID: Int64?, pdf: [UInt8], fetchedAt: Timestamp) {
        self.postingNumbers = postingNumbers
        self.taskID = taskID
        self.pdf = pdf
        self.fetchedAt = fetchedAt
    }
}

/// A stored label file and its id.
public struct StoredLabelFile: Sendable, Hashable {
    public var id: Int64
    public var file: LabelFile

    public init(id: Int64, file: LabelFile) {
        self.id = id
        self.file = file
    }
}

/// An rFBS buyer cancellation request and what `cancellations.lua` decided, recorded once per
/// cancellation id.
public struct NewCancellationRequest: Sendable, Hashable {
    public var cancellationID: Int64
    public var postingNumber: String
    /// The request as Ozon listed it (canonical JSON).
    public var snapshot: String
    /// The posting the hook was given (canonical JSON), nil when the store did not know it.
    public var postingSnapshot: String?
    /// Ozon's `auto_approve_date`: after it the request approves itself.
    public var autoApproveAt: Timestamp?
    public var at: Timestamp
    public var rulesVersion: RulesVersion
    public var hookRuns: [HookRunRecord]
    public var log: [String]
    public var effects: [NewEffect]

    public init(
        cancellationID: Int64, postingNumber: String, snapshot: String, postingSnapshot: String?, autoApproveAt: Timestamp?,
        at: Timestamp, rulesVersion: RulesVersion, hookRuns: [HookRunRecord], log: [String], effects: [NewEffect]
    ) {
        self.cancellationID = cancellationID
        self.postingNumber = postingNumber
        self.snapshot = snapshot
        self.postingSnapshot = postingSnapshot
        self.autoApproveAt = autoApproveAt
        self.at = at
        self.rulesVersion = rulesVersion
        self.hookRuns = hookRuns
        self.log = log
        self.effects = effects
    }
}

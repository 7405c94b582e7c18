import PostingModel

/// A recorded transition with everything needed to show it or replay it.
public struct RecordedTransition: Sendable, Hashable {
    public var id: Int64
    public var postingNumber: String
    public var from: PostingStatus?
    public var to: PostingStatus
    public var at: Timestamp
    public var source: String
    /// The posting as the hooks saw it (canonical JSON of the normalised fields).
    public var snapshot: String
    public var carrierDecided: Bool
    /// Digest of the rules that ran.
    public var rulesVersion: String
    public var hookRuns: [HookRunRecord]
    public var log: [String]

    public init(
        id: Int64, postingNumber: String, from: PostingStatus?, to: PostingStatus, at: Timestamp, source: String,
        snapshot: String, carrierDecided: Bool, rulesVersion: String, hookRuns: [HookRunRecord], log: [String]
    ) {
        self.id = id
        self.postingNumber = postingNumber
        self.from = from
        self.to = to
        self.at = at
        self.source = source
        self.snapshot = snapshot
        self.carrierDecided = carrierDecided
        self.rulesVersion = rulesVersion
        self.hookRuns = hookRuns
        self.log = log
    }
}

/// A recorded return with its `returns` hook run.
public struct RecordedReturn: Sendable, Hashable {
    public var returnID: Int64
    public var postingNumber: String
    public var snapshot: String
    public var postingSnapshot: String?
    public var at: Timestamp
    public var source: String
    public var rulesVersion: String
    public var hookRuns: [HookRunRecord]
    public var log: [String]

    public init(
        returnID: Int64, postingNumber: String, snapshot: String, postingSnapshot: String?, at: Timestamp, source: String,
        rulesVersion: String, hookRuns: [HookRunRecord], log: [String]
    ) {
        self.returnID = returnID
        self.postingNumber = postingNumber
        self.snapshot = snapshot
        self.postingSnapshot = postingSnapshot
        self.at = at
        self.source = source
        self.rulesVersion = rulesVersion
        self.hookRuns = hookRuns
        self.log = log
    }
}

/// One recorded evaluation: a transition or a return.
public enum RecordedEvaluation: Sendable, Hashable {
    case transition(RecordedTransition)
    case returnEvent(RecordedReturn)

    public var postingNumber: String {
        switch self {
        case .transition(let t): t.postingNumber
        case .returnEvent(let r): r.postingNumber
        }
    }

    public var at: Timestamp {
        switch self {
        case .transition(let t): t.at
        case .returnEvent(let r): r.at
        }
    }

    public var hookRuns: [HookRunRecord] {
        switch self {
        case .transition(let t): t.hookRuns
        case .returnEvent(let r): r.hookRuns
        }
    }
}

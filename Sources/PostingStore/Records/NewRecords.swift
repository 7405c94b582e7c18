import PostingModel

/// Where a transition came from.
public enum TransitionSource: String, Sendable, Hashable {
    /// `ozon-rules ingest`.
    case ingest
    /// `ozon-rules transition` (a person, by hand).
    case manual
}

/// What one posting's change writes, all or nothing: the new latest snapshot and, when the status
/// changed (or the posting is new), the transition with its hook runs, the effects its decisions
/// ask for, and the notification it completes.
public struct PostingChange: Sendable, Hashable {
    public var posting: StoredPosting
    /// The revision of the stored posting the change was computed from; nil when it was not
    /// stored. The commit refuses the change if the store holds another.
    public var expectedRevision: Int64?
    /// Nil for a snapshot-only update (same status, other fields changed).
    public var transition: NewTransition?
    /// Effects that the transition's decisions ask for, planned in the same commit.
    public var effects: [NewEffect]
    /// The notification this change completes, marked done in the same commit.
    public var inbox: InboxCompletion?
    /// Timers the transition arms. A transition cancels the posting's armed timers first.
    public var timers: [NewTimer]

    public init(
        posting: StoredPosting, expectedRevision: Int64?, transition: NewTransition?, effects: [NewEffect] = [],
        inbox: InboxCompletion? = nil, timers: [NewTimer] = []
    ) {
        self.timers = timers
        self.posting = posting
        self.expectedRevision = expectedRevision
        self.transition = transition
        self.effects = effects
        self.inbox = inbox
    }
}

/// A transition to record. The posting the hooks saw is the change's snapshot.
public struct NewTransition: Sendable, Hashable {
    public var from: PostingStatus?
    public var to: PostingStatus
    /// `ctx.now` of the evaluation.
    public var at: Timestamp
    public var source: TransitionSource
    /// Whether a carrier decision was already recorded (it decides whether `carrier` runs).
    public var carrierDecided: Bool
    public var rulesVersion: RulesVersion
    public var hookRuns: [HookRunRecord]
    /// What the scripts printed.
    public var log: [String]

    public init(
        from: PostingStatus?, to: PostingStatus, at: Timestamp, source: TransitionSource, carrierDecided: Bool,
        rulesVersion: RulesVersion, hookRuns: [HookRunRecord], log: [String]
    ) {
        self.from = from
        self.to = to
        self.at = at
        self.source = source
        self.carrierDecided = carrierDecided
        self.rulesVersion = rulesVersion
        self.hookRuns = hookRuns
        self.log = log
    }
}

/// A return event and what the `returns` hook decided, recorded once per return id.
public struct NewReturn: Sendable, Hashable {
    public var returnID: Int64
    public var postingNumber: String
    /// The normalised return (`ReturnEvent.fields`), canonical JSON.
    public var snapshot: String
    /// The posting the hook was given (canonical JSON), nil when the store did not know it.
    public var postingSnapshot: String?
    public var at: Timestamp
    public var source: TransitionSource
    public var rulesVersion: RulesVersion
    public var hookRuns: [HookRunRecord]
    public var log: [String]
    /// What the decision asks Ozon to do (an rFBS request's answer), planned in the same commit.
    public var effects: [NewEffect]

    public init(
        returnID: Int64, postingNumber: String, snapshot: String, postingSnapshot: String?, at: Timestamp,
        source: TransitionSource, rulesVersion: RulesVersion, hookRuns: [HookRunRecord], log: [String],
        effects: [NewEffect] = []
    ) {
        self.effects = effects
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

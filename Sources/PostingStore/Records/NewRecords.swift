import PostingModel

/// Where a transition came from.
public enum TransitionSource: String, Sendable, Hashable {
    /// `ozon-rules ingest`.
    case ingest
    /// `ozon-rules transition` (a person, by hand).
    case manual
}

/// What one posting's ingest writes, all or nothing: the new latest snapshot and, when the status
/// changed (or the posting is new), the transition with its hook runs.
public struct PostingChange: Sendable, Hashable {
    public var posting: StoredPosting
    /// Nil for a snapshot-only update (same status, other fields changed).
    public var transition: NewTransition?

    public init(posting: StoredPosting, transition: NewTransition?) {
        self.posting = posting
        self.transition = transition
    }
}

/// A transition to record. The posting the hooks saw is the change's snapshot.
public struct NewTransition: Sendable, Hashable {
    public var from: PostingStatus?
    public var to: PostingStatus
    /// `ctx.now` of the evaluation, Unix seconds.
    public var at: Int64
    public var source: TransitionSource
    /// Whether a carrier decision was already recorded (it decides whether `carrier` runs).
    public var carrierDecided: Bool
    public var rulesVersion: RulesVersion
    public var hookRuns: [HookRunRecord]
    /// What the scripts printed.
    public var log: [String]

    public init(
        from: PostingStatus?, to: PostingStatus, at: Int64, source: TransitionSource, carrierDecided: Bool,
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
    public var at: Int64
    public var source: TransitionSource
    public var rulesVersion: RulesVersion
    public var hookRuns: [HookRunRecord]
    public var log: [String]

    public init(
        returnID: Int64, postingNumber: String, snapshot: String, postingSnapshot: String?, at: Int64,
        source: TransitionSource, rulesVersion: RulesVersion, hookRuns: [HookRunRecord], log: [String]
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

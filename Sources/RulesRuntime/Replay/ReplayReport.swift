import PostingModel
import PostingStore
import RulesEngine

/// What a rules folder would have decided differently over the recorded history.
public struct ReplayReport: Sendable {
    /// Digest of the rules replayed.
    public var rulesVersion: String
    /// Only evaluations at or after this time were replayed.
    public var since: Timestamp?
    /// Transitions and returns replayed.
    public var transitions = 0
    public var returns = 0
    /// Timer firings replayed (their `run` again, at the firing time).
    public var timerFirings = 0
    /// Recorded rows that could not be replayed (a snapshot that no longer decodes), with why.
    public var skipped: [String] = []
    /// Per hook, in run order (`packaging`, `inserts`, `carrier`, `transitions:*`, `returns`).
    public var hooks: [HookDiff] = []
    /// Postings with at least one changed decision, sorted.
    public var affectedPostings: [String] = []
    public var carrier = CarrierSummary()

    public init(rulesVersion: String, since: Timestamp?) {
        self.rulesVersion = rulesVersion
        self.since = since
    }

    public var replayed: Int { transitions + returns + timerFirings }

    /// Changed decisions over every hook.
    public var changedDecisions: Int { hooks.reduce(0) { $0 + $1.changed } }
}

/// How one hook's decisions compare.
public struct HookDiff: Sendable {
    public var hook: String
    /// Evaluations where the hook ran before or after.
    public var compared = 0
    /// Decisions that differ (other than in `reason` texts), including a decision that became an
    /// error, appeared or disappeared.
    public var changed = 0
    /// Decisions that differ only in `reason` texts.
    public var reasonOnly = 0
    public var errorsBefore = 0
    public var errorsAfter = 0
    /// Postings with a changed decision of this hook, sorted.
    public var affectedPostings: [String] = []
    /// The first few changes, oldest first.
    public var examples: [ReplayExample] = []

    public init(hook: String) { self.hook = hook }
}

/// One changed decision, before and after.
public struct ReplayExample: Sendable, Hashable {
    public var postingNumber: String
    public var returnID: Int64?
    /// `awaiting_packaging`, `awaiting_packaging → awaiting_deliver`, or `return` for a return.
    public var event: String
    public var at: Timestamp
    public var before: ReplayOutcome
    public var after: ReplayOutcome
}

/// What a hook produced in one evaluation.
public enum ReplayOutcome: Sendable, Hashable {
    /// The hook did not run, or returned nil.
    case none
    case decision(JSONValue)
    case error(RecordedError)
}

/// Carrier cost and mix before and after, over the carrier decisions of every replayed evaluation.
public struct CarrierSummary: Sendable, Hashable {
    /// Σ `decisions.carrier.cost`, minor units (kopecks).
    public var costBefore: Int64 = 0
    public var costAfter: Int64 = 0
    /// Carrier decisions by `carrier service`, most used before first.
    public var mix: [CarrierShare] = []

    public init() {}

    public var costChange: Int64 {
        let (delta, overflow) = costAfter.subtractingReportingOverflow(costBefore)
        return overflow ? (costAfter > costBefore ? Int64.max : Int64.min) : delta
    }
}

/// How many carrier decisions chose one option, before and after.
public struct CarrierShare: Sendable, Hashable {
    /// `cdek pickup_point`, or just the carrier when no service was given.
    public var label: String
    public var before: Int
    public var after: Int
}

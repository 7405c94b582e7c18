import PostingModel

// Timers (SPEC §7.1): armed with the transition into a status, cancelled by the next
// transition, fired once when due.

/// A timer's state.
public enum TimerState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its due time, the posting still in the status entry that armed it.
    case armed
    /// Ran once; its actions were planned as effects in the same commit.
    case fired
    /// The posting left the status entry before the timer was due.
    case cancelled
}

/// A timer that `at` armed on a transition (written with it).
public struct NewTimer: Sendable, Hashable {
    /// The timer's name in `timers.lua`.
    public var name: String
    /// The status whose entry armed it.
    public var status: PostingStatus
    public var due: Timestamp

    public init(name: String, status: PostingStatus, due: Timestamp) {
        self.name = name
        self.status = status
        self.due = due
    }
}

/// A timer as stored.
public struct StoredTimer: Sendable, Hashable {
    public var id: Int64
    public var postingNumber: String
    public var name: String
    public var status: PostingStatus
    public var due: Timestamp
    /// When the posting entered `status` (the arming transition's time).
    public var armedAt: Timestamp
    /// The transition that armed it.
    public var transitionID: Int64
    public var state: TimerState
    /// Claims so far: the fencing token of the latest one.
    public var attempts: Int
    /// When it fired or was cancelled.
    public var endedAt: Timestamp?

    public init(
        id: Int64, postingNumber: String, name: String, status: PostingStatus, due: Timestamp, armedAt: Timestamp,
        transitionID: Int64, state: TimerState, attempts: Int, endedAt: Timestamp?
    ) {
        self.id = id
        self.postingNumber = postingNumber
        self.name = name
        self.status = status
        self.due = due
        self.armedAt = armedAt
        self.transitionID = transitionID
        self.state = state
        self.attempts = attempts
        self.endedAt = endedAt
    }

    /// The recorded hook name of its firing: `timers:<name>`.
    public var hookName: String { "timers:\(name)" }
}

/// What a timer's firing writes, all or nothing: the run, its effects, the timer marked fired.
/// Written only while the timer is still armed and `attempts` is still its latest claim;
/// otherwise the commit answers `.alreadyRecorded` (it fired, or the posting moved on).
public struct TimerFiring: Sendable, Hashable {
    public var timerID: Int64
    /// The claim's token (`StoredTimer.attempts` as claimed).
    public var attempts: Int
    public var postingNumber: String
    /// `ctx.now` of the run.
    public var at: Timestamp
    /// The posting the run was given (canonical JSON).
    public var snapshot: String
    public var rulesVersion: RulesVersion
    /// The `timers:<name>` run (none when `timers.lua` no longer defines the timer).
    public var hookRuns: [HookRunRecord]
    public var log: [String]
    public var effects: [NewEffect]

    public init(
        timerID: Int64, attempts: Int, postingNumber: String, at: Timestamp, snapshot: String, rulesVersion: RulesVersion,
        hookRuns: [HookRunRecord], log: [String], effects: [NewEffect]
    ) {
        self.timerID = timerID
        self.attempts = attempts
        self.postingNumber = postingNumber
        self.at = at
        self.snapshot = snapshot
        self.rulesVersion = rulesVersion
        self.hookRuns = hookRuns
        self.log = log
        self.effects = effects
    }
}

/// A recorded firing, for `log` and `replay`.
public struct RecordedTimerFiring: Sendable, Hashable {
    public var timer: StoredTimer
    public var at: Timestamp
    public var snapshot: String
    public var rulesVersion: String
    public var hookRuns: [HookRunRecord]
    public var log: [String]

    public init(timer: StoredTimer, at: Timestamp, snapshot: String, rulesVersion: String, hookRuns: [HookRunRecord], log: [String]) {
        self.timer = timer
        self.at = at
        self.snapshot = snapshot
        self.rulesVersion = rulesVersion
        self.hookRuns = hookRuns
        self.log = log
    }

    public var postingNumber: String { timer.postingNumber }
}

/// Which timers to list.
public struct TimerQuery: Sendable, Hashable {
    public var postingNumber: String?
    public var states: Set<TimerState>?
    /// Only timers due before this time.
    public var dueBefore: Timestamp?
    public var limit: Int?

    public init(postingNumber: String? = nil, states: Set<TimerState>? = nil, dueBefore: Timestamp? = nil, limit: Int? = nil) {
        self.postingNumber = postingNumber
        self.states = states
        self.dueBefore = dueBefore
        self.limit = limit
    }
}

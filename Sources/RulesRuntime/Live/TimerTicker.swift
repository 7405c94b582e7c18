import AlertChannels
import PostingModel
import PostingStore
import RulesEngine

/// Fires due timers (SPEC §7.1), for `ozon-rules tick` and `serve`'s ticker.
///
/// A tick claims due timers in batches (each claim raises the timer's fencing token and holds it
/// for `lease` seconds), runs each one's `run` on the rules' workers with the posting as stored,
/// and commits each firing with the effects its actions ask for. The commit fires a timer only
/// while it is still armed and the claim is still its latest, so:
/// - two processes ticking at once take different timers (a claimed timer is not due to others);
/// - a process killed after its claim loses nothing: the timer is due again when the lease ends;
/// - a posting that moved on in the meantime cancelled the timer, and the firing writes nothing.
public struct TimerTicker: Sendable {
    public let store: any PostingStore
    public let rules: LoadedRules
    /// Where `alert` actions go.
    public var alertChannels: [AlertChannel] = []
    /// Timers claimed and committed together.
    public var batchSize = 256
    /// How long a claim holds, in seconds.
    public var lease: Int64 = 300

    public init(store: any PostingStore, rules: LoadedRules) {
        self.store = store
        self.rules = rules
    }

    /// What one tick did.
    public struct Report: Sendable, Hashable {
        /// Timers fired by this tick.
        public var fired: [StoredTimer] = []
        /// Firings that found their timer gone (fired by another process, or cancelled).
        public var lost = 0
        /// Rule errors of the runs that fired.
        public var errors: [RuleError] = []
    }

    /// Fires every timer due at `now`; `limit` stops after that many claims (tests, cron slices).
    /// `progress` hears the number fired so far after each batch.
    public func tick(now: Timestamp, limit: Int? = nil, progress: (@Sendable (Int) -> Void)? = nil) async throws -> Report {
        var report = Report()
        var claimedSoFar = 0
        while limit.map({ claimedSoFar < $0 }) ?? true {
            let size = min(batchSize, limit.map { $0 - claimedSoFar } ?? batchSize)
            let batch = try await store.claimDueTimers(now: now, limit: size, leaseUntil: now.adding(seconds: lease))
            if batch.isEmpty { break }
            claimedSoFar += batch.count
            try await fire(batch, now: now, into: &report)
            progress?(report.fired.count)
        }
        return report
    }

    /// Runs and commits one claimed batch.
    func fire(_ batch: [StoredTimer], now: Timestamp, into report: inout Report) async throws {
        let stored = try await store.postings(batch.map(\.postingNumber))
        var runnable: [(timer: StoredTimer, row: StoredPosting, posting: Posting)] = []
        var changes: [StoreChange] = []
        var owners: [(timer: StoredTimer, errors: [RuleError])] = []
        for timer in batch {
            guard let row = stored[timer.postingNumber], let posting = try? row.posting() else {
                // Nothing to run it on: it fires with no run, so it is not claimed again forever.
                changes.append(.timerFiring(TimerFiring(
                    timerID: timer.id, attempts: timer.attempts, postingNumber: timer.postingNumber, at: now,
                    snapshot: stored[timer.postingNumber]?.snapshot ?? "{}", rulesVersion: rules.version, hookRuns: [], log: [],
                    effects: [])))
                owners.append((timer, []))
                continue
            }
            runnable.append((timer, row, posting))
        }
        let evaluations = await rules.workers.evaluate(runnable.map { item in
            TimerEvaluationRequest(
                timer: TimerRunContext(name: item.timer.name, status: item.timer.status, due: item.timer.due, armedAt: item.timer.armedAt),
                posting: item.posting, now: now)
        })
        for (item, evaluation) in zip(runnable, evaluations) {
            changes.append(.timerFiring(TimerFiring(
                timerID: item.timer.id, attempts: item.timer.attempts, postingNumber: item.timer.postingNumber, at: now,
                snapshot: item.row.snapshot, rulesVersion: rules.version, hookRuns: HookRunRecords.make(evaluation), log: evaluation.log,
                effects: EffectPlanner.effects(forTimer: item.timer, posting: item.posting, decisions: evaluation.decisions, now: now,
                                               alertChannels: alertChannels))))
            owners.append((item.timer, evaluation.errors))
        }
        let outcomes = try await store.commit(changes)
        for (owner, outcome) in zip(owners, outcomes) {
            if outcome == .alreadyRecorded {
                report.lost += 1
            } else {
                var fired = owner.timer
                fired.state = .fired
                fired.endedAt = now
                report.fired.append(fired)
                report.errors.append(contentsOf: owner.errors)
            }
        }
    }
}

import PostingModel
import PostingStore
import RulesEngine

/// Applies one posting (or return) to the store: compares it with what is stored, checks the
/// transition, runs the hooks and writes the result through a session (SPEC §2).
///
/// - A posting not stored yet: a transition from nothing to its status (any status is possible).
/// - A stored posting in another status: the transition must be possible
///   (`TransitionTable.isPossible`); an impossible one is rejected with `invalid_transition` and
///   nothing is written.
/// - The same status: no transition and no hooks. If other fields changed the snapshot is updated
///   (`updated`); if nothing changed nothing is written (`unchanged`).
/// - A return: the `returns` hook runs once per return id, with the stored posting if any.
///
/// Rule errors do not stop a transition: Ozon moved the posting whatever the rules said, so the
/// transition is stored and the errors are recorded in its hook runs.
///
/// `apply` does everything in one call. `prepare` and `complete` split a posting's work around its
/// evaluation, so a batch of distinct postings can be evaluated on parallel workers in between.
///
/// Not `Sendable`: it owns a `RulesEngine` (one Lua state). Use it from one thread.
public final class TransitionApplier {
    public let engine: RulesEngine
    public let rulesVersion: RulesVersion
    public let now: Timestamp
    public let source: TransitionSource

    public init(engine: RulesEngine, rulesVersion: RulesVersion, now: Timestamp, source: TransitionSource) {
        self.engine = engine
        self.rulesVersion = rulesVersion
        self.now = now
        self.source = source
    }

    /// What a posting needs after comparing it with the store.
    public enum Step {
        /// Nothing to write (unchanged, or an impossible transition).
        case done(ItemResult)
        /// A transition: run the hooks for `request`, then `complete`.
        case evaluate(Pending)
    }

    /// A transition waiting for its evaluation.
    public struct Pending: Sendable {
        public let request: EvaluationRequest
        let row: StoredPosting
    }

    /// Ingests one posting as it arrived.
    public func apply(_ posting: Posting, in session: any PostingStoreSession) throws -> ItemResult {
        switch try prepare(posting, in: session) {
        case .done(let result):
            return result
        case .evaluate(let pending):
            return try complete(pending, with: EvaluationWorkers.run(engine, pending.request), in: session)
        }
    }

    /// Compares a posting with the store. A snapshot-only change is written here; a transition is
    /// checked and handed back for evaluation.
    public func prepare(_ posting: Posting, in session: any PostingStoreSession) throws -> Step {
        let number = posting.postingNumber
        let stored = try session.posting(number)
        let row = StoredPosting(posting, updatedAt: now.unixSeconds)
        if let stored, stored.status == posting.status {
            if stored.snapshot == row.snapshot {
                return .done(ItemResult(change: .unchanged, postingNumber: number, from: stored.status, to: stored.status))
            }
            try session.apply(PostingChange(posting: row, transition: nil))
            return .done(ItemResult(change: .updated, postingNumber: number, from: stored.status, to: stored.status))
        }
        return try check(posting, row: row, from: stored?.status, in: session)
    }

    /// Records a transition with its evaluation.
    public func complete(_ pending: Pending, with evaluation: Evaluation, in session: any PostingStoreSession) throws -> ItemResult {
        let request = pending.request
        let record = NewTransition(
            from: request.transition.from, to: request.transition.to, at: now.unixSeconds, source: source,
            carrierDecided: request.carrierDecided, rulesVersion: rulesVersion,
            hookRuns: HookRunRecords.make(evaluation), log: evaluation.log)
        let id = try session.apply(PostingChange(posting: pending.row, transition: record))
        return ItemResult(
            change: request.transition.from == nil ? .created : .transitioned, postingNumber: pending.row.postingNumber,
            from: request.transition.from, to: request.transition.to, transitionID: id, evaluation: evaluation)
    }

    /// Moves a stored posting to `status` by hand: the stored snapshot with the new status (and
    /// no substatus, which only Ozon knows). Moving to the current status is `invalid_transition`.
    public func applyManually(
        postingNumber: String, to status: PostingStatus, in session: any PostingStoreSession
    ) throws -> ItemResult {
        guard let stored = try session.posting(postingNumber) else {
            throw StoreError(.unknownPosting, "posting \(postingNumber) is not in the store (ingest it first)")
        }
        let posting = try stored.posting().withStatus(status, substatus: nil)
        let row = StoredPosting(posting, updatedAt: now.unixSeconds)
        switch try check(posting, row: row, from: stored.status, in: session) {
        case .done(let result):
            return result
        case .evaluate(let pending):
            return try complete(pending, with: EvaluationWorkers.run(engine, pending.request), in: session)
        }
    }

    /// Checks the move `from` → the posting's status; a possible one becomes a pending evaluation.
    private func check(_ posting: Posting, row: StoredPosting, from: PostingStatus?, in session: any PostingStoreSession) throws -> Step {
        let number = posting.postingNumber
        do {
            try TransitionTable.check(from: from, to: posting.status)
        } catch {
            return .done(ItemResult(change: .rejected, postingNumber: number, from: from, to: posting.status, rejection: error))
        }
        let carrierDecided = from == nil ? false : try session.hasCarrierDecision(postingNumber: number)
        let request = EvaluationRequest(
            posting: posting, transition: Transition(from: from, to: posting.status), now: now, carrierDecided: carrierDecided)
        return .evaluate(Pending(request: request, row: row))
    }

    /// Ingests one return: runs the `returns` hook the first time its return id is seen.
    public func apply(_ event: ReturnEvent, in session: any PostingStoreSession) throws -> ItemResult {
        if try session.containsReturn(event.returnID) {
            return ItemResult(change: .known, postingNumber: event.postingNumber, returnID: event.returnID)
        }
        let stored = try session.posting(event.postingNumber)
        let posting = try stored?.posting()
        let evaluation = engine.evaluate(event, posting: posting, now: now)
        try session.record(NewReturn(
            returnID: event.returnID, postingNumber: event.postingNumber, snapshot: Snapshot.text(event.fields),
            postingSnapshot: stored?.snapshot, at: now.unixSeconds, source: source, rulesVersion: rulesVersion,
            hookRuns: HookRunRecords.make(evaluation), log: evaluation.log))
        return ItemResult(
            change: .recorded, postingNumber: event.postingNumber, returnID: event.returnID, to: stored?.status,
            evaluation: evaluation)
    }
}

import PostingModel
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
/// Not `Sendable`: it owns a `RulesEngine` (one Lua state). Use it from one thread.
public final class TransitionApplier {
    public let engine: RulesEngine
    public let rulesVersion: RulesVersion
    public let now: EvaluationTime
    public let source: TransitionSource

    public init(engine: RulesEngine, rulesVersion: RulesVersion, now: EvaluationTime, source: TransitionSource) {
        self.engine = engine
        self.rulesVersion = rulesVersion
        self.now = now
        self.source = source
    }

    /// Ingests one posting as it arrived.
    public func apply(_ posting: Posting, in session: any PostingStoreSession) throws -> ItemResult {
        let number = posting.postingNumber
        let stored = try session.posting(number)
        let row = StoredPosting(posting, updatedAt: now.unixSeconds)
        if let stored, stored.status == posting.status {
            if stored.snapshot == row.snapshot {
                return ItemResult(change: .unchanged, postingNumber: number, from: stored.status, to: stored.status)
            }
            try session.apply(PostingChange(posting: row, transition: nil))
            return ItemResult(change: .updated, postingNumber: number, from: stored.status, to: stored.status)
        }
        return try transition(posting, row: row, from: stored?.status, in: session)
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
        return try transition(posting, row: row, from: stored.status, in: session)
    }

    private func transition(
        _ posting: Posting, row: StoredPosting, from: PostingStatus?, in session: any PostingStoreSession
    ) throws -> ItemResult {
        let number = posting.postingNumber
        do {
            try TransitionTable.check(from: from, to: posting.status)
        } catch {
            return ItemResult(change: .rejected, postingNumber: number, from: from, to: posting.status, rejection: error)
        }
        let carrierDecided = from == nil ? false : try session.hasCarrierDecision(postingNumber: number)
        let transition = Transition(from: from, to: posting.status)
        let evaluation = engine.evaluate(posting, transition: transition, now: now, carrierDecided: carrierDecided)
        let record = NewTransition(
            from: from, to: posting.status, at: now.unixSeconds, source: source, carrierDecided: carrierDecided,
            rulesVersion: rulesVersion,
            hookRuns: HookRunRecords.make(evaluation), log: evaluation.log)
        let id = try session.apply(PostingChange(posting: row, transition: record))
        return ItemResult(
            change: from == nil ? .created : .transitioned, postingNumber: number, from: from, to: posting.status,
            transitionID: id, evaluation: evaluation)
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

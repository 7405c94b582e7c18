import AlertChannels
import PostingModel
import PostingStore
import RulesEngine

/// Applies postings (and returns) to the store, as they arrived from a file, from Ozon or by hand:
/// compares each with the stored row, checks the transition, runs the hooks, and commits the
/// result (SPEC §2).
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
/// **Read, evaluate outside any transaction, commit with a re-check.** The hooks run on the
/// rules' own threads with no transaction open; the commit then checks that each posting is
/// still at the revision that was read. One that moved on in the meantime (another process, a
/// notification handled twice) is evaluated again from its new state, so a transition is never
/// recorded from a state that is gone, and a slow rule never holds the store's writer.
public struct PostingApplier: Sendable {
    public let store: any PostingStore
    public let rules: LoadedRules
    public let source: TransitionSource
    /// Whether the effects the decisions ask for are planned into the same commit (the live
    /// path: `serve`, `sync`, `transition --plan`); ingest plans nothing.
    public let plansEffects: Bool
    /// Where `alert` actions go (one effect per channel); none: alerts are recorded only.
    public var alertChannels: [AlertChannel] = []
    /// How often a posting that keeps changing under the commit is evaluated again.
    public var maxAttempts = 5

    public init(
        store: any PostingStore, rules: LoadedRules, source: TransitionSource,
        plansEffects: Bool = false
    ) {
        self.store = store
        self.rules = rules
        self.source = source
        self.plansEffects = plansEffects
    }

    /// A posting to apply, and the notification it completes, if any.
    public struct Arrival: Sendable {
        public var posting: Posting
        public var inbox: Int64?

        public init(posting: Posting, inbox: Int64? = nil) {
            self.posting = posting
            self.inbox = inbox
        }
    }

    /// Applies distinct postings at `now`: their hooks are evaluated in parallel on the rules'
    /// workers and committed together. Results in input order.
    public func apply(_ arrivals: [Arrival], now: Timestamp) async throws -> [ItemResult] {
        var results: [ItemResult?] = Array(repeating: nil, count: arrivals.count)
        var waiting = Array(arrivals.indices)
        var attempt = 0
        while !waiting.isEmpty {
            attempt += 1
            let stored = try await store.postings(waiting.map { arrivals[$0].posting.postingNumber })
            let items = waiting.map { index in
                Attempt(posting: arrivals[index].posting, stored: stored[arrivals[index].posting.postingNumber],
                        inbox: arrivals[index].inbox)
            }
            let outcomes = try await self.attempt(items, now: now)
            var conflicts: [Int] = []
            for (index, outcome) in zip(waiting, outcomes) {
                switch outcome {
                case .done(let result): results[index] = result
                case .conflict: conflicts.append(index)
                }
            }
            if !conflicts.isEmpty && attempt >= maxAttempts {
                let numbers = conflicts.map { arrivals[$0].posting.postingNumber }.joined(separator: ", ")
                throw StoreError(.database, "postings kept changing while being applied (\(maxAttempts) attempts): \(numbers)")
            }
            waiting = conflicts
        }
        return results.map { $0! }
    }

    /// Applies one posting.
    public func apply(_ posting: Posting, inbox: Int64? = nil, now: Timestamp) async throws -> ItemResult {
        try await apply([Arrival(posting: posting, inbox: inbox)], now: now)[0]
    }

    /// Moves a stored posting to `status` by hand: the stored snapshot with the new status (and
    /// no substatus, which only Ozon knows). Moving to the current status is `invalid_transition`.
    public func applyManually(postingNumber: String, to status: PostingStatus, now: Timestamp) async throws -> ItemResult {
        for _ in 0..<maxAttempts {
            guard let stored = try await store.posting(postingNumber) else {
                throw StoreError(.unknownPosting, "posting \(postingNumber) is not in the store (ingest it first)")
            }
            let posting = try stored.posting().withStatus(status, substatus: nil)
            let item = Attempt(posting: posting, stored: stored, inbox: nil, forceTransition: true)
            if case .done(let result) = try await attempt([item], now: now)[0] { return result }
        }
        throw StoreError(.database, "posting \(postingNumber) kept changing while being moved (\(maxAttempts) attempts)")
    }

    /// Applies returns: each return id's hook runs once; one recorded already is `known`.
    public func apply(_ events: [ReturnEvent], now: Timestamp) async throws -> [ItemResult] {
        let known = try await store.recordedReturns(events.map(\.returnID))
        let fresh = events.filter { !known.contains($0.returnID) }
        let stored = try await store.postings(fresh.map(\.postingNumber))
        var requests: [ReturnRequest] = []
        for event in fresh {
            requests.append(ReturnRequest(event: event, posting: try stored[event.postingNumber]?.posting(), now: now))
        }
        let evaluations = await rules.workers.evaluate(requests)
        let changes = zip(fresh, evaluations).map { event, evaluation in
            StoreChange.returnEvent(NewReturn(
                returnID: event.returnID, postingNumber: event.postingNumber, snapshot: Snapshot.text(event.fields),
                postingSnapshot: stored[event.postingNumber]?.snapshot, at: now, source: source, rulesVersion: rules.version,
                hookRuns: HookRunRecords.make(evaluation), log: evaluation.log,
                effects: plansEffects ? EffectPlanner.effects(forReturn: event, decision: evaluation.decisions.returns) : []))
        }
        let outcomes = try await store.commit(changes)
        var byID: [Int64: ItemResult] = [:]
        for ((event, evaluation), outcome) in zip(zip(fresh, evaluations), outcomes) where outcome != .alreadyRecorded {
            byID[event.returnID] = ItemResult(
                change: .recorded, postingNumber: event.postingNumber, returnID: event.returnID,
                to: stored[event.postingNumber]?.status, evaluation: evaluation)
        }
        return events.map { event in
            byID.removeValue(forKey: event.returnID)
                ?? ItemResult(change: .known, postingNumber: event.postingNumber, returnID: event.returnID)
        }
    }

    // MARK: One attempt

    /// A posting with the stored row it is compared with.
    struct Attempt {
        var posting: Posting
        var stored: StoredPosting?
        var inbox: Int64?
        /// A manual move: the snapshot may be equal apart from the status.
        var forceTransition = false
    }

    enum Outcome {
        case done(ItemResult)
        /// The stored posting moved on before the commit: try again from the new state.
        case conflict
    }

    /// Compares, evaluates and commits once; what conflicted is handed back.
    func attempt(_ items: [Attempt], now: Timestamp) async throws -> [Outcome] {
        var outcomes: [Outcome?] = Array(repeating: nil, count: items.count)
        var changes: [StoreChange] = []
        var owners: [(index: Int, result: ItemResult)] = []
        var evaluations: [(index: Int, request: EvaluationRequest, row: StoredPosting)] = []

        for (index, item) in items.enumerated() {
            let number = item.posting.postingNumber
            let row = StoredPosting(item.posting, updatedAt: now)
            let from = item.stored?.status
            let completion = { (outcome: ItemResult.Change, error: String?) in
                item.inbox.map { InboxCompletion(id: $0, outcome: outcome.rawValue, error: error, at: now) }
            }
            /// Nothing to write for the posting: done now, or once its notification is marked done.
            func settle(_ result: ItemResult, error: String? = nil) {
                if let done = completion(result.change, error) {
                    changes.append(.inboxDone(done))
                    owners.append((index, result))
                } else {
                    outcomes[index] = .done(result)
                }
            }
            if !item.forceTransition, let stored = item.stored, stored.status == item.posting.status {
                if stored.snapshot == row.snapshot {
                    settle(ItemResult(change: .unchanged, postingNumber: number, from: from, to: from))
                    continue
                }
                changes.append(.posting(PostingChange(
                    posting: row, expectedRevision: stored.revision, transition: nil, inbox: completion(.updated, nil))))
                owners.append((index, ItemResult(change: .updated, postingNumber: number, from: from, to: from)))
                continue
            }
            do {
                try TransitionTable.check(from: from, to: item.posting.status)
            } catch {
                settle(ItemResult(change: .rejected, postingNumber: number, from: from, to: item.posting.status, rejection: error),
                       error: error.message)
                continue
            }
            let carrierDecided = from == nil
                ? false : try await store.latestDecision(hook: Hook.carrier.name, postingNumber: number) != nil
            let request = EvaluationRequest(
                posting: item.posting, transition: Transition(from: from, to: item.posting.status), now: now,
                carrierDecided: carrierDecided)
            evaluations.append((index, request, row))
        }

        let evaluated = await rules.workers.evaluate(evaluations.map(\.request))
        for (pending, evaluation) in zip(evaluations, evaluated) {
            let item = items[pending.index]
            let request = pending.request
            let change: ItemResult.Change = request.transition.from == nil ? .created : .transitioned
            let result = ItemResult(
                change: change, postingNumber: pending.row.postingNumber, from: request.transition.from,
                to: request.transition.to, evaluation: evaluation)
            var planned: [NewEffect] = []
            if plansEffects {
                var recordedCarrier: CarrierDecision?
                if request.transition.to == .awaitingDeliver, evaluation.decisions.carrier == nil {
                    recordedCarrier = try await store.latestDecision(hook: Hook.carrier.name, postingNumber: pending.row.postingNumber)
                        .flatMap { try? JSONParser.parse($0) }.flatMap(CarrierDecision.init(recorded:))
                }
                planned = EffectPlanner.effects(RequestPlanningInput(
                    posting: item.posting, result: result, recordedCarrierDecision: recordedCarrier,
                    revision: item.stored?.revision ?? 0, now: now, alertChannels: alertChannels))
            }
            let transition = NewTransition(
                from: request.transition.from, to: request.transition.to, at: now, source: source,
                carrierDecided: request.carrierDecided, rulesVersion: rules.version,
                hookRuns: HookRunRecords.make(evaluation), log: evaluation.log)
            changes.append(.posting(PostingChange(
                posting: pending.row, expectedRevision: item.stored?.revision, transition: transition, effects: planned,
                inbox: item.inbox.map { InboxCompletion(id: $0, outcome: change.rawValue, error: nil, at: now) },
                timers: evaluation.timers.map { NewTimer(name: $0.name, status: $0.status, due: $0.due) })))
            owners.append((pending.index, result))
        }

        let committed = try await store.commit(changes)
        for (owner, outcome) in zip(owners, committed) {
            switch outcome {
            case .conflict:
                outcomes[owner.index] = .conflict
            case .written(let transitionID):
                var result = owner.result
                result.transitionID = transitionID
                outcomes[owner.index] = .done(result)
            case .alreadyRecorded:
                outcomes[owner.index] = .done(owner.result)
            }
        }
        return outcomes.map { $0! }
    }
}

/// What the request planner gets for one applied transition.
public struct RequestPlanningInput: Sendable {
    public var posting: Posting
    public var result: ItemResult
    /// The latest recorded carrier decision, when this transition made none (entering
    /// `awaiting_deliver` after the carrier was decided earlier).
    public var recordedCarrierDecision: CarrierDecision?
    /// The stored revision the decisions were computed from (0: a new posting).
    public var revision: Int64
    /// The evaluation time.
    public var now: Timestamp
    /// The seller's alert channels.
    public var alertChannels: [AlertChannel] = []
}

import PostingModel
import PostingStore
import RulesEngine

/// What happened to one posting or return.
public struct ItemResult: Sendable {
    public enum Change: String, Sendable, Hashable, CaseIterable {
        /// A posting seen for the first time: stored, with its first transition.
        case created
        /// The status changed: the transition and its hook runs are recorded.
        case transitioned
        /// Same status, other fields changed: the snapshot is updated, no hook runs.
        case updated
        /// Nothing changed (a re-ingest).
        case unchanged
        /// The status change is impossible: nothing stored, `invalid_transition`.
        case rejected
        /// A return seen for the first time: its `returns` hook run is recorded.
        case recorded
        /// A return already recorded: nothing runs again.
        case known
    }

    public var change: Change
    public var postingNumber: String
    public var returnID: Int64?
    public var from: PostingStatus?
    public var to: PostingStatus?
    public var transitionID: Int64?
    /// The hooks that ran (nil when none ran).
    public var evaluation: Evaluation?
    /// Why the transition was refused.
    public var rejection: InvalidTransition?

    public init(
        change: Change, postingNumber: String, returnID: Int64? = nil, from: PostingStatus? = nil, to: PostingStatus? = nil,
        transitionID: Int64? = nil, evaluation: Evaluation? = nil, rejection: InvalidTransition? = nil
    ) {
        self.change = change
        self.postingNumber = postingNumber
        self.returnID = returnID
        self.from = from
        self.to = to
        self.transitionID = transitionID
        self.evaluation = evaluation
        self.rejection = rejection
    }

    /// The `invalid_transition` error of a rejected item.
    public var rejectionError: RuleError? {
        rejection.map { RuleError(code: .invalidTransition, postingNumber: postingNumber, message: $0.message) }
    }

    /// Every error of this item: rule errors and a refused transition.
    public var errors: [RuleError] {
        (evaluation?.errors ?? []) + (rejectionError.map { [$0] } ?? [])
    }

    /// Whether the item counts as failed for the exit code.
    public var failed: Bool { !errors.isEmpty }
}

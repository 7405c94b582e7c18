import PostingModel

/// Everything ozon-rules stores, behind one async protocol: postings, transitions with their hook
/// runs, returns, rules versions, the inbox of push notifications and the outbox of requests to
/// Ozon with their answers.
///
/// The store is storage only: it never runs a rule. Callers read, evaluate outside any
/// transaction, and then `commit` what they decided together with the revision they read. A
/// posting that changed in the meantime is not written: the commit answers `.conflict` with the
/// stored row, and the caller evaluates again from the new state. So a slow rule never holds the
/// store's writer, and two writers never record a transition from a state that is gone.
///
/// `SQLitePostingStore` (module SQLiteStore) is the embedded default; `StoreConformance` in the
/// tests holds every implementation to the same behaviour.
public protocol PostingStore: AnyObject, Sendable {
    // MARK: Postings

    /// The latest state of a posting.
    func posting(_ postingNumber: String) async throws -> StoredPosting?

    /// The latest state of each of these postings that is stored, by posting number.
    func postings(_ postingNumbers: [String]) async throws -> [String: StoredPosting]

    /// The decision (canonical JSON) of the latest recorded run of `hook` that made one for the
    /// posting, or nil.
    func latestDecision(hook: String, postingNumber: String) async throws -> String?

    /// Of these return ids, the ones recorded already.
    func recordedReturns(_ returnIDs: [Int64]) async throws -> Set<Int64>

    // MARK: Writing

    /// Writes `changes` in one transaction and answers one result per change, in order.
    ///
    /// A `.posting` change is written only if the stored posting's revision is still the one it
    /// was computed from (`PostingChange.expectedRevision`; nil: the posting must not be stored
    /// yet); otherwise it answers `.conflict` and writes nothing of that change. A `.returnEvent`
    /// whose id is recorded already answers `.alreadyRecorded`. Each change is atomic on its own:
    /// its rows are stored together or not at all. If the store itself fails, nothing is written.
    func commit(_ changes: [StoreChange]) async throws -> [CommitResult]

    /// Records a rules version as in use from `at` (a reload), if it is not recorded yet.
    func recordRulesVersion(_ version: RulesVersion, at: Timestamp) async throws

    /// The recorded rules versions, oldest first: digest and when first used.
    func rulesVersions() async throws -> [(digest: String, firstUsedAt: Timestamp)]

    // MARK: History

    /// Calls `body` with the recorded transitions and returns, oldest first (by time, then
    /// transitions before returns, then by recording order), of one posting or of all; `since`
    /// keeps those at or after it; `limit` keeps the last `limit` of them. Streams them from one
    /// consistent snapshot of the store, without loading them all at once.
    func forEachRecorded(
        postingNumber: String?, since: Timestamp?, limit: Int?, _ body: (RecordedEvaluation) throws -> Void
    ) async throws

    /// How many recorded evaluations `forEachRecorded(since:)` would visit.
    func countRecorded(since: Timestamp?) async throws -> Int

    // MARK: Inbox

    /// Stores a push notification durably before it is answered; one with a known dedupe key
    /// is counted as a repeat and not stored again.
    func accept(_ notification: NewNotification) async throws -> InboxAcceptance

    /// The oldest pending notification due at `now`, if any.
    func nextInboxItem(dueAt now: Timestamp) async throws -> InboxItem?

    /// Puts a notification back for another attempt at `retryAt`, or (nil) fails it for good;
    /// either way its attempt is counted and `error` kept.
    func retryInboxItem(_ id: Int64, error: String, retryAt: Timestamp?) async throws

    /// How many notifications wait to be processed.
    func pendingInboxCount() async throws -> Int

    // MARK: Outbox

    /// The oldest pending request due at `now`, if any.
    func nextOutboxRequest(dueAt now: Timestamp) async throws -> OutboxRequest?

    /// Ends an attempt at a request: its new state, what came of it, and (for `.pending`) when
    /// to try again.
    func finishOutboxRequest(_ id: Int64, state: OutboxState, result: String?, retryAt: Timestamp?) async throws

    /// Records one Seller API call and Ozon's answer (or, with `applied` false, one that would
    /// have been sent).
    func recordCall(_ call: APICallRecord) async throws

    /// The requests planned for a posting, oldest first.
    func outboxRequests(postingNumber: String) async throws -> [OutboxRequest]
}

extension PostingStore {
    /// Every recorded transition and return at or after `since`, streamed oldest first (for replay).
    public func forEachRecorded(since: Timestamp?, _ body: (RecordedEvaluation) throws -> Void) async throws {
        try await forEachRecorded(postingNumber: nil, since: since, limit: nil, body)
    }

    /// The recorded history collected in an array; see `forEachRecorded`.
    public func history(postingNumber: String?, since: Timestamp? = nil, limit: Int? = nil) async throws -> [RecordedEvaluation] {
        var all: [RecordedEvaluation] = []
        try await forEachRecorded(postingNumber: postingNumber, since: since, limit: limit) { all.append($0) }
        return all
    }

    /// Commits one change.
    public func commit(_ change: StoreChange) async throws -> CommitResult {
        try await commit([change])[0]
    }
}

/// One thing to write in a commit.
public enum StoreChange: Sendable, Hashable {
    /// A posting's new snapshot, with its transition and what to send, if any.
    case posting(PostingChange)
    /// A return and its hook runs, once per return id.
    case returnEvent(NewReturn)
    /// A notification processed with nothing to write for its posting (unchanged, refused).
    case inboxDone(InboxCompletion)
}

/// What became of one change of a commit.
public enum CommitResult: Sendable, Hashable {
    /// Written; the transition's id when the change recorded one.
    case written(transitionID: Int64?)
    /// Not written: the posting is no longer at the expected revision. `current` is what is
    /// stored now (nil: it is not stored).
    case conflict(current: StoredPosting?)
    /// Not written: the return is recorded already.
    case alreadyRecorded

    public var transitionID: Int64? {
        if case .written(let id) = self { return id }
        return nil
    }
}

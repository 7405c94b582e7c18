import PostingModel

/// Everything ozon-rules stores, behind one async protocol: postings, transitions with their hook
/// runs, returns and buyer requests, rules versions, the inbox of push notifications, the outbox of
/// effects with Ozon's answers, and label files.
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

    /// Plans effects outside a decision's commit (labels after an accepted ship); a key planned
    /// already is left as it is. Answers the new ids (nil for a key known already), in order.
    @discardableResult
    func planEffects(_ effects: [NewEffect], at: Timestamp) async throws -> [Int64?]

    /// The next effect to carry out at `now`: the oldest open one that is due and has no earlier
    /// open effect of the same subject (effects of one posting go out in the order planned).
    /// With `kinds`, only those kinds. A `sending` effect is due once its claim has lapsed.
    func nextEffect(dueAt now: Timestamp, kinds: Set<EffectKind>?) async throws -> Effect?

    /// Claims an open effect for one attempt: it becomes `sending`, its attempt count (the
    /// claim's fencing token) grows by one, and nobody else takes it before `leaseUntil`. Nil when
    /// it is no longer at `attempts` or no longer open (another process took it).
    func claimEffect(_ id: Int64, attempts: Int, now: Timestamp, leaseUntil: Timestamp) async throws -> Effect?

    /// Ends the attempt `attempts` (the token `claimEffect` answered) with `outcome` and plans
    /// `followUps` (the labels after a ship) in the same commit, so a crash between the two can
    /// never keep one without the other; false, writing nothing, when that claim is no longer
    /// the effect's latest one.
    @discardableResult
    func finishEffect(_ id: Int64, attempts: Int, outcome: EffectOutcome, followUps: [NewEffect], at: Timestamp) async throws -> Bool

    /// Effects matching `query`, oldest first.
    func effects(_ query: EffectQuery) async throws -> [Effect]

    /// How many effects are in each state.
    func effectCounts() async throws -> [EffectState: Int]

    /// Records one Seller API call and Ozon's answer.
    func recordCall(_ call: APICallRecord) async throws

    // MARK: Labels

    /// Keeps a label file; answers its id.
    @discardableResult
    func saveLabelFile(_ file: LabelFile) async throws -> Int64

    /// The label files of these postings (of every posting: nil), oldest first.
    func labelFiles(postingNumbers: [String]?) async throws -> [StoredLabelFile]

    // MARK: Buyer requests

    /// Of these cancellation request ids, the ones recorded already.
    func recordedCancellationRequests(_ ids: [Int64]) async throws -> Set<Int64>

    // MARK: Timers

    /// Claims up to `limit` armed timers due at `now` (oldest due first) whose earlier claim, if
    /// any, has lapsed: each one's attempt count (the claim's fencing token) grows by one and
    /// nobody else takes it before `leaseUntil`. A `.timerFiring` commit then fires it.
    func claimDueTimers(now: Timestamp, limit: Int, leaseUntil: Timestamp) async throws -> [StoredTimer]

    /// Timers matching `query`, by due time.
    func timers(_ query: TimerQuery) async throws -> [StoredTimer]

    /// Fired timers with their runs, of one posting or of all, oldest firing first; `since` keeps
    /// those fired at or after it.
    func timerFirings(postingNumber: String?, since: Timestamp?) async throws -> [RecordedTimerFiring]

    // MARK: Buyer messages

    /// The body of an inbox notification as received, nil for an unknown id.
    func inboxPayload(_ id: Int64) async throws -> String?

    /// Of these chat message ids, the ones recorded already (`.buyerMessage`).
    func recordedBuyerMessages(_ messageIDs: [String]) async throws -> Set<String>

    /// The newest recorded message of a chat (by id as an unsigned integer), nil for none.
    func latestBuyerMessageID(chatID: String) async throws -> String?

    /// The posting a chat belongs to, as far as the store knows: the one whose `chat_message`
    /// effect opened the chat (its `progress.chat_id`), else the one an earlier message of the
    /// chat was recorded with; nil when neither.
    func chatPostingNumber(chatID: String) async throws -> String?

    /// The stored postings of an Ozon order number `N` (`N-1`, `N-2`, ...), sorted by their
    /// number's last part.
    func postingNumbers(ofOrder orderNumber: String) async throws -> [String]
}

extension PostingStore {
    /// Ends an attempt that leads to nothing more.
    @discardableResult
    public func finishEffect(_ id: Int64, attempts: Int, outcome: EffectOutcome, at: Timestamp) async throws -> Bool {
        try await finishEffect(id, attempts: attempts, outcome: outcome, followUps: [], at: at)
    }

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
    /// An rFBS buyer cancellation request and its hook run, once per cancellation id.
    case cancellationRequest(NewCancellationRequest)
    /// A due timer's run: `.alreadyRecorded` when the timer fired already, was cancelled by a
    /// transition, or was claimed again by someone else since.
    case timerFiring(TimerFiring)
    /// A buyer's chat message and its hook run, once per message id.
    case buyerMessage(NewBuyerMessage)
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
    /// Not written: the return or cancellation request is recorded already (the timer fired or
    /// ended already).
    case alreadyRecorded

    public var transitionID: Int64? {
        if case .written(let id) = self { return id }
        return nil
    }
}

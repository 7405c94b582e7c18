/// Postings, transitions and the decision log.
///
/// Writes happen inside `write(_:)`: everything done through the session is committed together,
/// or not at all. Within a session, `apply(_:)` and `record(_:)` are each atomic on their own too
/// (one posting's snapshot, transition and hook runs are stored together or not at all), so a
/// caller can batch many postings in one commit for speed without weakening that guarantee.
/// `SQLitePostingStore` is the embedded default.
public protocol PostingStore: AnyObject, Sendable {
    /// Runs `body` in one write transaction. If `body` throws, nothing it wrote is kept.
    func write<T>(_ body: (any PostingStoreSession) throws -> T) throws -> T

    /// The latest state of a posting.
    func posting(_ postingNumber: String) throws -> StoredPosting?

    /// Calls `body` with the recorded transitions and returns, oldest first (by time, then
    /// transitions before returns, then by recording order), of one posting or of all; `since`
    /// (Unix seconds) keeps those at or after it; `limit` keeps the last `limit` of them. Streams
    /// them from one consistent snapshot of the store, without loading them all at once.
    func forEachRecorded(
        postingNumber: String?, since: Int64?, limit: Int?, _ body: (RecordedEvaluation) throws -> Void
    ) throws

    /// How many recorded evaluations `forEachRecorded(since:)` would visit.
    func countRecorded(since: Int64?) throws -> Int
}

extension PostingStore {
    /// Every recorded transition and return at or after `since`, streamed oldest first (for replay).
    public func forEachRecorded(since: Int64?, _ body: (RecordedEvaluation) throws -> Void) throws {
        try forEachRecorded(postingNumber: nil, since: since, limit: nil, body)
    }

    /// The recorded history collected in an array; see `forEachRecorded`.
    public func history(postingNumber: String?, since: Int64?, limit: Int?) throws -> [RecordedEvaluation] {
        var all: [RecordedEvaluation] = []
        try forEachRecorded(postingNumber: postingNumber, since: since, limit: limit) { all.append($0) }
        return all
    }
}

/// Reads and writes inside one write transaction of a `PostingStore`.
public protocol PostingStoreSession {
    /// The latest state of a posting, including changes made earlier in this session.
    func posting(_ postingNumber: String) throws -> StoredPosting?

    /// Whether a `carrier` hook run with a decision is recorded for the posting.
    func hasCarrierDecision(postingNumber: String) throws -> Bool

    /// Whether the return is recorded already.
    func containsReturn(_ returnID: Int64) throws -> Bool

    /// Stores the posting's new snapshot and, if any, its transition and hook runs, atomically.
    /// Returns the new transition's id.
    @discardableResult
    func apply(_ change: PostingChange) throws -> Int64?

    /// Stores a return and its hook runs, atomically.
    func record(_ returnEvent: NewReturn) throws
}

import PostingModel
import PostingStore
import RulesEngine

/// Feeds postings and returns to a `PostingApplier` in batches: one commit per `batchSize`
/// postings, for speed. Each posting is still stored atomically, and a batch that fails or is
/// cut short by a crash leaves none of its postings behind, so running the same input again
/// finishes the job without doubles.
///
/// A batch holds distinct postings (a posting seen again starts a new batch), so the hooks of a
/// batch's transitions run on the workers in parallel: each evaluation depends only on what was
/// stored before the batch. Results are reported in input order, and only after their batch has
/// committed. Returns are held back until every posting has been applied (as `evaluate` does), so
/// a return sees its posting even when the returns file comes first.
public final class BatchIngestor {
    public let applier: PostingApplier
    public let now: Timestamp
    public let batchSize: Int
    private let report: (ItemResult) -> Void
    private var postings: [PostingApplier.Arrival] = []
    private var numbers: Set<String> = []
    private var returns: [ReturnEvent] = []

    public init(applier: PostingApplier, now: Timestamp, batchSize: Int = 500, report: @escaping (ItemResult) -> Void) {
        self.applier = applier
        self.now = now
        self.batchSize = max(1, batchSize)
        self.report = report
        postings.reserveCapacity(self.batchSize)
    }

    /// Queues a posting; writes a batch when one is full or the posting is already in it.
    public func add(_ posting: Posting) async throws {
        if numbers.contains(posting.postingNumber) { try await flushPostings() }
        postings.append(PostingApplier.Arrival(posting: posting))
        numbers.insert(posting.postingNumber)
        if postings.count >= batchSize { try await flushPostings() }
    }

    /// Queues a return until `finish()`.
    public func add(_ event: ReturnEvent) {
        returns.append(event)
    }

    /// Writes what is queued: the last postings, then every return.
    public func finish() async throws {
        try await flushPostings()
        var start = 0
        while start < returns.count {
            let batch = Array(returns[start..<min(start + batchSize, returns.count)])
            try await applier.apply(batch, now: now).forEach(report)
            start += batchSize
        }
        returns.removeAll()
    }

    private func flushPostings() async throws {
        guard !postings.isEmpty else { return }
        let batch = postings
        postings.removeAll(keepingCapacity: true)
        numbers.removeAll(keepingCapacity: true)
        try await applier.apply(batch, now: now).forEach(report)
    }
}

import PostingModel

/// Feeds postings and returns to a `TransitionApplier` in batches: one database transaction per
/// `batchSize` items, for speed. Each posting is still stored atomically (its own savepoint), and
/// a batch that fails or is cut short by a crash leaves none of its postings behind, so running
/// the same input again finishes the job without doubles.
///
/// Results are reported only after their batch has committed. Returns are held back until every
/// posting has been applied (as `evaluate` does), so a return sees its posting even when the
/// returns file comes first.
public final class BatchIngestor {
    public let store: any PostingStore
    public let applier: TransitionApplier
    public let batchSize: Int
    private let report: (ItemResult) -> Void
    private var postings: [Posting] = []
    private var returns: [ReturnEvent] = []

    public init(store: any PostingStore, applier: TransitionApplier, batchSize: Int = 500, report: @escaping (ItemResult) -> Void) {
        self.store = store
        self.applier = applier
        self.batchSize = max(1, batchSize)
        self.report = report
        postings.reserveCapacity(self.batchSize)
    }

    /// Queues a posting; writes a batch when one is full.
    public func add(_ posting: Posting) throws {
        postings.append(posting)
        if postings.count >= batchSize { try flushPostings() }
    }

    /// Queues a return until `finish()`.
    public func add(_ event: ReturnEvent) {
        returns.append(event)
    }

    /// Writes what is queued: the last postings, then every return.
    public func finish() throws {
        try flushPostings()
        var start = 0
        while start < returns.count {
            let batch = returns[start..<min(start + batchSize, returns.count)]
            let results = try store.write { session in
                try batch.map { try applier.apply($0, in: session) }
            }
            results.forEach(report)
            start += batchSize
        }
        returns.removeAll()
    }

    private func flushPostings() throws {
        guard !postings.isEmpty else { return }
        let batch = postings
        postings.removeAll(keepingCapacity: true)
        let results = try store.write { session in
            try batch.map { try applier.apply($0, in: session) }
        }
        results.forEach(report)
    }
}

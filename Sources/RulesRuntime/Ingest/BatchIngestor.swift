import PostingModel
import PostingStore
import RulesEngine

/// Feeds postings and returns to a `TransitionApplier` in batches: one database transaction per
/// `batchSize` postings, for speed. Each posting is still stored atomically (its own savepoint),
/// and a batch that fails or is cut short by a crash leaves none of its postings behind, so
/// running the same input again finishes the job without doubles.
///
/// A batch holds distinct postings (a posting seen again starts a new batch), so the hooks of a
/// batch's transitions run on the `workers` in parallel: each evaluation depends only on what was
/// stored before the batch. Results are reported in input order, and only after their batch has
/// committed. Returns are held back until every posting has been applied (as `evaluate` does), so
/// a return sees its posting even when the returns file comes first.
public final class BatchIngestor {
    public let store: any PostingStore
    public let applier: TransitionApplier
    public let workers: EvaluationWorkers
    public let batchSize: Int
    private let report: (ItemResult) -> Void
    private var postings: [Posting] = []
    private var numbers: Set<String> = []
    private var returns: [ReturnEvent] = []

    /// `workers` defaults to the applier's own engine (no parallelism); when given, its engines
    /// must come from the same rules folder as the applier's.
    public init(
        store: any PostingStore, applier: TransitionApplier, workers: EvaluationWorkers? = nil, batchSize: Int = 500,
        report: @escaping (ItemResult) -> Void
    ) {
        self.store = store
        self.applier = applier
        self.workers = workers ?? EvaluationWorkers(engine: applier.engine)
        self.batchSize = max(1, batchSize)
        self.report = report
        postings.reserveCapacity(self.batchSize)
    }

    /// Queues a posting; writes a batch when one is full or the posting is already in it.
    public func add(_ posting: Posting) throws {
        if numbers.contains(posting.postingNumber) { try flushPostings() }
        postings.append(posting)
        numbers.insert(posting.postingNumber)
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
        numbers.removeAll(keepingCapacity: true)
        let results = try store.write { session in try apply(batch, in: session) }
        results.forEach(report)
    }

    /// Compares every posting with the store, evaluates the transitions on the workers, writes.
    private func apply(_ batch: [Posting], in session: any PostingStoreSession) throws -> [ItemResult] {
        var results: [ItemResult?] = Array(repeating: nil, count: batch.count)
        var pending: [(index: Int, pending: TransitionApplier.Pending)] = []
        for (index, posting) in batch.enumerated() {
            switch try applier.prepare(posting, in: session) {
            case .done(let result): results[index] = result
            case .evaluate(let waiting): pending.append((index, waiting))
            }
        }
        let evaluations = workers.evaluate(pending.map(\.pending.request))
        for (item, evaluation) in zip(pending, evaluations) {
            results[item.index] = try applier.complete(item.pending, with: evaluation, in: session)
        }
        return results.compactMap { $0 }
    }
}

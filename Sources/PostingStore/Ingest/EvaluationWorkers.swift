import Dispatch
import PostingModel
import RulesEngine

/// One posting entering a status: the input of one evaluation.
public struct EvaluationRequest: Sendable {
    public var posting: Posting
    public var transition: Transition
    public var now: EvaluationTime
    public var carrierDecided: Bool

    public init(posting: Posting, transition: Transition, now: EvaluationTime, carrierDecided: Bool) {
        self.posting = posting
        self.transition = transition
        self.now = now
        self.carrierDecided = carrierDecided
    }
}

/// Rules engines (one Lua state each) that evaluate a batch of requests on parallel threads and
/// return the evaluations in request order, so results never depend on the number of workers.
///
/// Not for concurrent use: one caller hands it one batch at a time.
public final class EvaluationWorkers: @unchecked Sendable {
    // Safety: during `evaluate`, engine `i` is used only by worker `i`; outside it, only by the
    // caller's thread (through `first`). `evaluate` is not reentrant.
    private let engines: [RulesEngine]

    /// Workers over engines loaded from the same rules folder (at least one); the workers own
    /// them from now on.
    public init(engines: [RulesEngine]) {
        precondition(!engines.isEmpty, "EvaluationWorkers needs at least one engine")
        self.engines = engines
    }

    /// One engine: evaluation in the caller's thread.
    public convenience init(engine: RulesEngine) {
        self.init(engines: [engine])
    }

    public var count: Int { engines.count }

    /// The engine used for serial work (returns, a posting repeated in a batch).
    public var first: RulesEngine { engines[0] }

    public func evaluate(_ requests: [EvaluationRequest]) -> [Evaluation] {
        if engines.count == 1 || requests.count < 2 {
            return requests.map { Self.run(engines[0], $0) }
        }
        let slots = Slots(count: requests.count)
        let workers = min(engines.count, requests.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let engine = engines[worker]
            var index = worker
            while index < requests.count {
                slots.set(index, Self.run(engine, requests[index]))
                index += workers
            }
        }
        return slots.values()
    }

    static func run(_ engine: RulesEngine, _ request: EvaluationRequest) -> Evaluation {
        engine.evaluate(request.posting, transition: request.transition, now: request.now, carrierDecided: request.carrierDecided)
    }

    /// Write-once result slots, one per request.
    private final class Slots: @unchecked Sendable {
        // Safety: each index is written by exactly one worker, and read after concurrentPerform
        // returned, which orders every write before the reads.
        private var storage: UnsafeMutableBufferPointer<Evaluation?>

        init(count: Int) {
            storage = .allocate(capacity: count)
            storage.initialize(repeating: nil)
        }

        deinit {
            storage.deinitialize()
            storage.deallocate()
        }

        func set(_ index: Int, _ value: Evaluation) { storage[index] = value }

        func values() -> [Evaluation] {
            storage.map { $0 ?? Evaluation(postingNumber: nil, status: nil) }
        }
    }
}

import PostingModel
import PostingStore
import RulesEngine

/// One posting entering a status: the input of one evaluation.
public struct EvaluationRequest: Sendable {
    public var posting: Posting
    public var transition: Transition
    public var now: Timestamp
    public var carrierDecided: Bool

    public init(posting: Posting, transition: Transition, now: Timestamp, carrierDecided: Bool) {
        self.posting = posting
        self.transition = transition
        self.now = now
        self.carrierDecided = carrierDecided
    }
}

/// Evaluations of a batch of requests on a pool of rules engines, returned in
/// request order, so results never depend on the number of workers.
///
/// Not for concurrent use: one caller hands it one batch at a time.
public final class EvaluationWorkers: Sendable {
    private let pool: RulesEnginePool

    /// Workers over engines loaded from the same rules folder (at least one); the workers own
    /// them from now on.
    public init(engines: [RulesEngine]) {
        pool = RulesEnginePool(engines: engines)
    }

    /// One engine: evaluation in the caller's thread.
    public convenience init(engine: RulesEngine) {
        self.init(engines: [engine])
    }

    public var count: Int { pool.count }

    /// The engine used for serial work (returns, a posting repeated in a batch).
    public var first: RulesEngine { pool.first }

    public func evaluate(_ requests: [EvaluationRequest]) -> [Evaluation] {
        pool.map(requests, Self.run)
    }

    static func run(_ engine: RulesEngine, _ request: EvaluationRequest) -> Evaluation {
        engine.evaluate(request.posting, transition: request.transition, now: request.now, carrierDecided: request.carrierDecided)
    }
}

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

/// One return and the posting it belongs to: the input of a `returns` evaluation.
public struct ReturnRequest: Sendable {
    public var event: ReturnEvent
    public var posting: Posting?
    public var now: Timestamp

    public init(event: ReturnEvent, posting: Posting?, now: Timestamp) {
        self.event = event
        self.posting = posting
        self.now = now
    }
}

/// A buyer's rFBS cancellation request (as Ozon lists it) and the posting it belongs to: the
/// input of a `cancellations` evaluation.
public struct CancellationEvaluationRequest: Sendable {
    public var request: JSONObject
    public var posting: Posting?
    public var now: Timestamp

    public init(request: JSONObject, posting: Posting?, now: Timestamp) {
        self.request = request
        self.posting = posting
        self.now = now
    }
}

/// A due timer and the posting as stored: the input of a timer's `run`.
public struct TimerEvaluationRequest: Sendable {
    public var timer: TimerRunContext
    public var posting: Posting
    public var now: Timestamp

    public init(timer: TimerRunContext, posting: Posting, now: Timestamp) {
        self.timer = timer
        self.posting = posting
        self.now = now
    }
}

/// A buyer's chat message and the posting its chat belongs to: the input of a `messages`
/// evaluation.
public struct MessageEvaluationRequest: Sendable {
    public var message: BuyerMessage
    public var posting: Posting?
    public var now: Timestamp

    public init(message: BuyerMessage, posting: Posting?, now: Timestamp) {
        self.message = message
        self.posting = posting
        self.now = now
    }
}

/// Evaluations of a batch of requests on a pool of rules engines, returned in request order, so
/// results never depend on the number of workers. Rules run on the pool's own threads: the async
/// variants never hold one of Swift's cooperative threads while a rule runs.
///
/// Not for concurrent use: one caller hands it one batch at a time.
public final class EvaluationWorkers: Sendable {
    private let pool: RulesEnginePool

    /// Workers over engines loaded from the same rules folder (at least one); the workers own
    /// them from now on.
    public convenience init(engines: [RulesEngine]) {
        self.init(pool: RulesEnginePool(engines: engines))
    }

    /// Workers over a pool's engines; the workers own the pool from now on.
    public init(pool: RulesEnginePool) {
        self.pool = pool
    }

    /// One engine.
    public convenience init(engine: RulesEngine) {
        self.init(engines: [engine])
    }

    public var count: Int { pool.count }

    /// The engine used for serial work in the caller's thread (replay's returns).
    public var first: RulesEngine { pool.first }

    /// Evaluates in the caller's thread (and the workers'), blocking it until all are done.
    public func evaluate(_ requests: [EvaluationRequest]) -> [Evaluation] {
        pool.map(requests, Self.run)
    }

    public func evaluate(_ requests: [EvaluationRequest]) async -> [Evaluation] {
        await pool.run(requests, Self.run)
    }

    public func evaluate(_ requests: [ReturnRequest]) async -> [Evaluation] {
        await pool.run(requests) { engine, request in engine.evaluate(request.event, posting: request.posting, now: request.now) }
    }

    public func evaluate(_ requests: [CancellationEvaluationRequest]) async -> [Evaluation] {
        await pool.run(requests) { engine, request in
            engine.evaluate(cancellationRequest: request.request, posting: request.posting, now: request.now)
        }
    }

    public func evaluate(_ requests: [TimerEvaluationRequest]) async -> [Evaluation] {
        await pool.run(requests) { engine, request in engine.fire(timer: request.timer, posting: request.posting, now: request.now) }
    }

    public func evaluate(_ requests: [MessageEvaluationRequest]) async -> [Evaluation] {
        await pool.run(requests) { engine, request in engine.evaluate(request.message, posting: request.posting, now: request.now) }
    }

    static func run(_ engine: RulesEngine, _ request: EvaluationRequest) -> Evaluation {
        engine.evaluate(request.posting, transition: request.transition, now: request.now, carrierDecided: request.carrierDecided)
    }
}

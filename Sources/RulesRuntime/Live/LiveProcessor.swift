import AlertChannels
import Foundation
import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine
import Synchronization

/// Options of the worker.
public struct ProcessorOptions: Sendable {
    /// Carry effects out (`--apply`); otherwise they stay `planned`, listed by `outbox`.
    public var apply: Bool
    /// Attempts at one notification (re-read failures) before it is failed.
    public var maxInboxAttempts: Int
    /// First wait before retrying a notification, in seconds; doubles per attempt, at most `maxRetryDelay`.
    public var retryDelay: Double
    public var maxRetryDelay: Double
    /// How effects are carried out.
    public var dispatch: DispatchOptions
    /// How often the worker polls the buyers' rFBS return and cancellation requests, in
    /// seconds (they have no push type); nil: never (`sync` polls them itself).
    public var requestPollInterval: Double?
    /// The seller's alert channels (`--alert`).
    public var alertChannels: [AlertChannel]
    /// How often the worker fires due timers, in seconds (`--tick-interval`); nil: never.
    public var tickInterval: Double?
    /// Seconds a claimed timer is held before another process may take it over.
    public var claimLease: Int64

    public init(apply: Bool = false, maxInboxAttempts: Int = 10, retryDelay: Double = 1, maxRetryDelay: Double = 300,
                dispatch: DispatchOptions = DispatchOptions(), requestPollInterval: Double? = nil, alertChannels: [AlertChannel] = [],
                tickInterval: Double? = nil, claimLease: Int64 = 300) {
        self.tickInterval = tickInterval
        self.claimLease = claimLease
        self.apply = apply
        self.alertChannels = alertChannels
        self.requestPollInterval = requestPollInterval
        self.maxInboxAttempts = maxInboxAttempts
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.dispatch = dispatch
    }

    /// When to try again after `attempts` failed attempts, doubling per attempt.
    func retryTime(afterAttempts attempts: Int, now: Timestamp = .now()) -> Timestamp {
        Backoff.retryTime(now: now, firstDelay: retryDelay, maxDelay: maxRetryDelay, doublings: attempts, minimumSeconds: 0)
    }
}

/// The retry delays of the worker: `firstDelay` doubled `doublings` times, at most `maxDelay`,
/// rounded up to whole seconds (times are stored in whole seconds).
enum Backoff {
    static func retryTime(now: Timestamp, firstDelay: Double, maxDelay: Double, doublings: Int, minimumSeconds: Int64) -> Timestamp {
        let delay = min(maxDelay, firstDelay * pow(2, Double(max(0, doublings))))
        return now.adding(seconds: max(minimumSeconds, Int64(delay.rounded(.up))))
    }
}

/// The live path's use case: applies postings read from Ozon to the store (the same checks and
/// records as `ingest`), plans the effects the decisions ask for in the same commit, and (with
/// `--apply`) carries them out through the `EffectDispatcher`.
///
/// Work is one piece at a time (`step`); rules run on the rules' own threads, never inside a
/// store transaction, so the push endpoint's inbox insert never waits on a rule. Every error the
/// worker meets is logged and counted (`ozon_worker_errors_total`); none is dropped silently.
public final class LiveProcessor: Sendable {
    public let store: any PostingStore
    public let client: OzonClient
    public let rules: RulesHolder
    public let options: ProcessorOptions
    public let metrics: WorkerMetrics?
    public let logger: Logger
    private let idleChecks = Atomic<Int>(0)
    private let turn = Atomic<Int>(0)
    /// When the buyers' requests were last polled.
    private let lastRequestPoll = Mutex<ContinuousClock.Instant?>(nil)
    /// When timers were last ticked.
    private let lastTick = Mutex<ContinuousClock.Instant?>(nil)
    /// Carries effects out; nil without `--apply`.
    public let dispatcher: EffectDispatcher?

    public init(store: any PostingStore, client: OzonClient, rules: RulesHolder, options: ProcessorOptions,
                metrics: WorkerMetrics? = nil, logger: Logger = Logger(label: "ozon-rules.worker")) {
        self.store = store
        self.client = client
        self.rules = rules
        self.options = options
        self.metrics = metrics
        self.logger = logger
        if options.apply {
            let rules = rules
            let reapplier = { @Sendable (posting: Posting) async in
                do {
                    var applier = PostingApplier(store: store, rules: rules.current, source: .ingest, plansEffects: true)
                    applier.alertChannels = options.alertChannels
                    _ = try await applier.apply(posting, now: .now())
                } catch {
                    logger.error("cannot apply a posting read back from Ozon", metadata: [
                        "posting_number": .string(posting.postingNumber), "error": "\(error)"])
                    metrics?.error("reapply").increment()
                }
            }
            dispatcher = EffectDispatcher(store: store, client: client, options: options.dispatch, metrics: metrics,
                                          logger: logger, alerts: AlertSender(channels: options.alertChannels), reapply: reapplier)
        } else {
            dispatcher = nil
        }
    }

    /// The applier for the rules in force now.
    public func applier(source: TransitionSource = .ingest) -> PostingApplier {
        var applier = PostingApplier(store: store, rules: rules.current, source: source, plansEffects: true)
        applier.alertChannels = options.alertChannels
        return applier
    }

    /// Does one piece of pending work (an effect first, then a notification); false when none
    /// is due.
    public func step() async -> Bool {
        if let interval = options.requestPollInterval, isDue(interval, since: lastRequestPoll) {
            let found = await BuyerRequestPoller(processor: self).poll()
            for failure in found.failures {
                logger.error("cannot poll the buyers' requests", metadata: ["error": .string(failure), "stage": "poll"])
                metrics?.error("poll").increment()
            }
            return true
        }
        if let interval = options.tickInterval, isDue(interval, since: lastTick) {
            await tick()
            return true
        }
        // Effects and notifications take turns, so neither a long outbox nor a burst of
        // notifications holds the other up.
        let effectsFirst = turn.add(1, ordering: .relaxed).oldValue % 2 == 0
        do {
            if effectsFirst, let dispatcher, try await dispatcher.step() != nil { return true }
            if let item = try await store.nextInboxItem(dueAt: .now()) {
                await process(item)
                return true
            }
            if !effectsFirst, let dispatcher, try await dispatcher.step() != nil { return true }
        } catch {
            report(error, stage: "store", "cannot read the work queue")
        }
        idleChecks.add(1, ordering: .relaxed)
        return false
    }

    /// Fires the timers due now, with the rules in force; errors are logged and counted.
    public func tick() async {
        var ticker = TimerTicker(store: store, rules: rules.current)
        ticker.alertChannels = options.alertChannels
        ticker.lease = options.claimLease
        do {
            let report = try await ticker.tick(now: .now())
            if !report.fired.isEmpty { logger.info("timers fired", metadata: ["count": "\(report.fired.count)"]) }
            for error in report.errors {
                logger.warning("a timer's run failed", metadata: ["error": .string(error.description)])
            }
        } catch {
            report(error, stage: "timers", "cannot fire due timers")
        }
    }

    /// Whether `interval` has passed since `last` (true the first time); if so, `last` is now.
    private func isDue(_ interval: Double, since last: borrowing Mutex<ContinuousClock.Instant?>) -> Bool {
        let now = ContinuousClock.now
        return last.withLock { last in
            if let last, (now - last).inSeconds < interval { return false }
            last = now
            return true
        }
    }

    /// How many times `step` found nothing due: the worker was idle when this grows.
    public var idleCheckCount: Int { idleChecks.load(ordering: .relaxed) }

    /// Works until nothing is due.
    public func drain() async {
        while await step() {}
    }

    /// Logs and counts an error the worker carries on after.
    package func report(_ error: any Error, stage: String, _ what: String, metadata: Logger.Metadata = [:]) {
        var metadata = metadata
        metadata["error"] = "\(error)"
        metadata["stage"] = .string(stage)
        logger.error("\(what)", metadata: metadata)
        metrics?.error(stage).increment()
    }

    /// Runs a store write whose failure must not stop the worker: logged and counted.
    func attempt(_ what: String, stage: String = "store", metadata: Logger.Metadata = [:], _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            report(error, stage: stage, what, metadata: metadata)
        }
    }

    // MARK: Notifications

    func process(_ item: InboxItem) async {
        if item.messageType == MessageNotice.type {
            await BuyerMessages(processor: self).process(item)
            return
        }
        let started = ContinuousClock.now
        let metadata: Logger.Metadata = ["inbox_id": "\(item.id)", "posting_number": .string(item.postingNumber)]
        let posting: Posting
        do {
            posting = try await client.posting(item.postingNumber)
        } catch {
            let gone: Bool
            if case .api(_, let status, _, let message, _) = error { gone = status == 404 || message == "POSTING_NOT_FOUND" } else { gone = false }
            let retryAt = gone || item.attempts + 1 >= options.maxInboxAttempts ? nil : options.retryTime(afterAttempts: item.attempts)
            logger.warning("cannot read the posting of a notification", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            await attempt("cannot reschedule a notification", metadata: metadata) {
                try await store.retryInboxItem(item.id, error: error.description, retryAt: retryAt)
            }
            metrics?.inboxFailures.increment()
            return
        }
        do {
            _ = try await applier().apply(posting, inbox: item.id, now: .now())
            metrics?.inboxProcessed.increment()
            metrics?.processingSeconds.recordNanoseconds((ContinuousClock.now - started).inNanoseconds)
        } catch {
            report(error, stage: "inbox", "cannot apply a notification's posting", metadata: metadata)
            let retryAt = item.attempts + 1 >= options.maxInboxAttempts ? nil : options.retryTime(afterAttempts: item.attempts)
            await attempt("cannot reschedule a notification", metadata: metadata) {
                try await store.retryInboxItem(item.id, error: "\(error)", retryAt: retryAt)
            }
            metrics?.inboxFailures.increment()
        }
    }

    /// Records one Seller API call made outside an effect.
    public func record(_ exchange: APIExchange) async {
        await attempt("cannot record a Seller API call", metadata: ["path": .string(exchange.path)]) {
            try await store.recordCall(CallRecording.record(exchange, effectID: nil))
        }
    }
}

/// Seller API calls as recorded in the store.
public enum CallRecording {
    public static func record(_ exchange: APIExchange, effectID: Int64?) -> APICallRecord {
        let body = exchange.request
        let postingNumber = body["posting_number"]?.stringValue
            ?? body["posting_numbers"]?[0]?.stringValue
            ?? body["posting_number"]?[0]?.stringValue
            ?? body["tracking_numbers"]?[0]?["posting_number"]?.stringValue
        return APICallRecord(
            effectID: effectID, postingNumber: postingNumber, path: exchange.path, body: body, applied: true,
            httpStatus: exchange.httpStatus, response: exchange.response, error: exchange.error.map { "\($0)" },
            attempts: exchange.attempts, at: .now(), durationMilliseconds: Int64((exchange.durationSeconds * 1000).rounded()))
    }

    /// A client observer that records every call the client makes (reads included) in `store`,
    /// logging a record that cannot be written.
    public static func observer(store: any PostingStore, logger: Logger) -> @Sendable (APIExchange) -> Void {
        { exchange in
            Task {
                do {
                    try await store.recordCall(record(exchange, effectID: nil))
                } catch {
                    logger.error("cannot record a Seller API call", metadata: ["path": .string(exchange.path), "error": "\(error)"])
                }
            }
        }
    }
}

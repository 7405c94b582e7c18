import Foundation
import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine
import Synchronization

/// Options of the worker.
public struct ProcessorOptions: Sendable {
    /// Carry decisions out (`--apply`); otherwise record the requests that would be sent.
    public var apply: Bool
    /// Attempts at one notification (re-read failures) before it is failed.
    public var maxInboxAttempts: Int
    /// Attempts at one action (rate limits, timeouts, `ship_failed`) before it is failed.
    public var maxActionAttempts: Int
    /// Wait before re-reading a posting after ship (the operation is asynchronous), in seconds.
    public var shipRecheckDelay: Double
    /// First wait before retrying, in seconds; doubles per attempt, at most `maxRetryDelay`.
    public var retryDelay: Double
    public var maxRetryDelay: Double

    public init(apply: Bool = false, maxInboxAttempts: Int = 10, maxActionAttempts: Int = 5,
                shipRecheckDelay: Double = 2, retryDelay: Double = 1, maxRetryDelay: Double = 300) {
        self.apply = apply
        self.maxInboxAttempts = maxInboxAttempts
        self.maxActionAttempts = maxActionAttempts
        self.shipRecheckDelay = shipRecheckDelay
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
    }

    /// When to try again after `attempts` failed attempts: whole seconds, at least the next one
    /// (times are stored in whole seconds), doubling per attempt.
    func retryTime(afterAttempts attempts: Int, now: Timestamp = .now()) -> Timestamp {
        let delay = min(maxRetryDelay, retryDelay * pow(2, Double(max(0, attempts))))
        return now.adding(seconds: max(0, Int64(delay.rounded(.up))))
    }
}

/// The live path's use case: applies postings read from Ozon to the store (the same checks and
/// records as `ingest`), plans what the decisions ask of Ozon in the same commit, and carries the
/// plans out.
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

    public init(store: any PostingStore, client: OzonClient, rules: RulesHolder, options: ProcessorOptions,
                metrics: WorkerMetrics? = nil, logger: Logger = Logger(label: "ozon-rules.worker")) {
        self.store = store
        self.client = client
        self.rules = rules
        self.options = options
        self.metrics = metrics
        self.logger = logger
    }

    /// The applier for the rules in force now.
    func applier(source: TransitionSource = .ingest) -> PostingApplier {
        PostingApplier(store: store, rules: rules.current, source: source, planner: ActionPlanner.outboxRequests)
    }

    /// Does one piece of pending work (a request to Ozon first, then a notification); false when
    /// none is due.
    public func step() async -> Bool {
        do {
            if let request = try await store.nextOutboxRequest(dueAt: .now()) {
                await carryOut(request)
                return true
            }
            if let item = try await store.nextInboxItem(dueAt: .now()) {
                await process(item)
                return true
            }
        } catch {
            report(error, stage: "store", "cannot read the work queue")
        }
        idleChecks.add(1, ordering: .relaxed)
        return false
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
        metrics?.workerErrors.increment()
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

    /// Applies a posting as read from Ozon (a re-read after an action), logging a failure.
    func reapply(_ postingNumber: String) async {
        do {
            let posting = try await client.posting(postingNumber)
            _ = try await applier().apply(posting, now: .now())
        } catch {
            report(error, stage: "reread", "cannot re-read and apply a posting", metadata: ["posting_number": .string(postingNumber)])
        }
    }

    // MARK: Requests to Ozon

    func carryOut(_ request: OutboxRequest) async {
        let metadata: Logger.Metadata = ["request_id": "\(request.id)", "posting_number": .string(request.postingNumber), "kind": .string(request.kind)]
        guard let kind = ActionKind(rawValue: request.kind) else {
            report(StoreError.corrupt("unknown request kind '\(request.kind)'"), stage: "dispatch", "cannot send a request", metadata: metadata)
            await attempt("cannot fail a request", metadata: metadata) {
                try await store.finishOutboxRequest(request.id, state: .failed, result: "unknown request kind '\(request.kind)'", retryAt: nil)
            }
            return
        }
        guard options.apply else {
            await record(APIExchange(path: kind.path, request: request.body, httpStatus: nil, response: nil, error: nil,
                                     attempts: 0, durationSeconds: 0), requestID: request.id, applied: false)
            await finish(request, .dryRun, "not sent (run with --apply to send)", metadata: metadata)
            metrics?.actions(kind.rawValue, "dry_run").increment()
            return
        }
        let exchange = ExchangeBox()
        let answer: JSONValue
        do {
            answer = try await client.call(kind.path, request.body, record: { exchange.value = $0 })
        } catch {
            if let sent = exchange.value { await record(sent, requestID: request.id, applied: true) }
            if kind == .ship, error.ozonMessage == "POSTING_ALREADY_SHIPPED" {
                // Sent before a crash and answered, but the answer was not recorded: done already.
                await finish(request, .done, error.description, metadata: metadata)
                metrics?.actions(kind.rawValue, "already_done").increment()
                await reapply(request.postingNumber)
                return
            }
            let transient: Bool
            switch error {
            case .rateLimited, .timeout, .transport: transient = true
            default: transient = false
            }
            let retry = transient && request.attempts + 1 < options.maxActionAttempts
            logger.warning("Ozon refused a request", metadata: metadata.merging(["error": "\(error)", "retry": "\(retry)"]) { $1 })
            await finish(request, retry ? .pending : .failed, error.description,
                         retryAt: options.retryTime(afterAttempts: request.attempts), metadata: metadata)
            metrics?.actions(kind.rawValue, retry ? "retry" : "failed").increment()
            return
        }
        if let sent = exchange.value { await record(sent, requestID: request.id, applied: true) }
        switch kind {
        case .ship:
            await recheckShip(request, answer: answer, metadata: metadata)
        case .trackingNumber:
            let failed = OzonClient.actionResults(answer).filter { !$0.ok }
            let result = failed.isEmpty
                ? JSONWriter.write(answer) : failed.map { "\($0.postingNumber): \($0.error ?? "refused")" }.joined(separator: "; ")
            await finish(request, failed.isEmpty ? .done : .failed, result, metadata: metadata)
            metrics?.actions(kind.rawValue, failed.isEmpty ? "done" : "failed").increment()
        case .cancel:
            await finish(request, .done, JSONWriter.write(answer), metadata: metadata)
            metrics?.actions(kind.rawValue, "done").increment()
            await reapply(request.postingNumber)
        }
    }

    /// HTTP 200 from ship does not mean packed (ozon-api.md §4.1): re-read the posting. With
    /// substatus `ship_failed` the ship is tried again later; otherwise the re-read posting is
    /// applied (usually entering `awaiting_deliver`, which may plan a tracking number).
    func recheckShip(_ request: OutboxRequest, answer: JSONValue, metadata: Logger.Metadata) async {
        if options.shipRecheckDelay > 0 {
            try? await Task.sleep(for: .milliseconds(Int64(options.shipRecheckDelay * 1000)))
        }
        let posting: Posting
        do {
            posting = try await client.posting(request.postingNumber)
        } catch {
            logger.warning("cannot re-read a shipped posting", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            await finish(request, .done, JSONWriter.write(answer) + " (re-read failed)", metadata: metadata)
            metrics?.actions("ship", "done").increment()
            return
        }
        if posting.substatus == "ship_failed" {
            let retry = request.attempts + 1 < options.maxActionAttempts
            await finish(request, retry ? .pending : .failed, "ship_failed",
                         retryAt: options.retryTime(afterAttempts: request.attempts), metadata: metadata)
            metrics?.actions("ship", retry ? "ship_failed_retry" : "failed").increment()
            return
        }
        await finish(request, .done, JSONWriter.write(answer), metadata: metadata)
        metrics?.actions("ship", "done").increment()
        do {
            _ = try await applier().apply(posting, now: .now())
        } catch {
            report(error, stage: "reread", "cannot apply a shipped posting", metadata: metadata)
        }
    }

    private func finish(
        _ request: OutboxRequest, _ state: OutboxState, _ result: String?, retryAt: Timestamp? = nil, metadata: Logger.Metadata
    ) async {
        await attempt("cannot record a request's outcome", metadata: metadata) {
            try await store.finishOutboxRequest(request.id, state: state, result: result, retryAt: state == .pending ? retryAt : nil)
        }
    }

    /// Records one Seller API call (or, with `applied` false, one that would have been sent).
    public func record(_ exchange: APIExchange, requestID: Int64?, applied: Bool) async {
        await attempt("cannot record a Seller API call", metadata: ["path": .string(exchange.path)]) {
            try await store.recordCall(CallRecording.record(exchange, requestID: requestID, applied: applied))
        }
    }
}

/// The exchange the client reports for one call, handed from its callback to the caller.
private final class ExchangeBox: @unchecked Sendable {
    // Safety: written by the client's callback before `call` returns, read after.
    var value: APIExchange?
}

/// Seller API calls as recorded in the store.
public enum CallRecording {
    public static func record(_ exchange: APIExchange, requestID: Int64?, applied: Bool) -> APICallRecord {
        let body = exchange.request
        let postingNumber = body["posting_number"]?.stringValue
            ?? body["posting_number"]?[0]?.stringValue
            ?? body["tracking_numbers"]?[0]?["posting_number"]?.stringValue
        return APICallRecord(
            requestID: requestID, postingNumber: postingNumber, path: exchange.path, body: body, applied: applied,
            httpStatus: exchange.httpStatus, response: exchange.response, error: exchange.error.map { "\($0)" },
            attempts: exchange.attempts, at: .now(), durationMilliseconds: Int64((exchange.durationSeconds * 1000).rounded()))
    }

    /// A client observer that records every call the client makes (reads included) in `store`,
    /// logging a record that cannot be written.
    public static func observer(store: any PostingStore, logger: Logger) -> @Sendable (APIExchange) -> Void {
        { exchange in
            Task {
                do {
                    try await store.recordCall(record(exchange, requestID: nil, applied: true))
                } catch {
                    logger.error("cannot record a Seller API call", metadata: ["path": .string(exchange.path), "error": "\(error)"])
                }
            }
        }
    }
}

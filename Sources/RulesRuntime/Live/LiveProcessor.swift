import Foundation
import GRDB
import OzonSellerAPI
import PostingModel
import PostingStore
import SQLiteStore
import RulesEngine

/// Options of the worker.
public struct ProcessorOptions: Sendable {
    /// Carry decisions out (`--apply`); otherwise record the requests that would be sent.
    public var apply: Bool
    /// Attempts at one notification (re-read failures) before it is failed.
    public var maxInboxAttempts: Int
    /// Attempts at one action (rate limits, timeouts, `ship_failed`) before it is failed.
    public var maxActionAttempts: Int
    /// Wait before re-reading a posting after ship (the operation is asynchronous).
    public var shipRecheckDelay: Double
    /// First wait before retrying; doubles per attempt, at most `maxRetryDelay`.
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

    func delay(afterAttempts attempts: Int) -> Double {
        min(maxRetryDelay, retryDelay * pow(2, Double(max(0, attempts))))
    }
}

/// Applies postings read from Ozon to the store (the same checks and records as `ingest`),
/// plans what the decisions ask of Ozon in the same transaction, and carries the plans out.
///
/// Not thread-safe: it owns the rules engine (one Lua state). One task uses it at a time.
public final class LiveProcessor: @unchecked Sendable {
    public let live: LiveStore
    public let client: OzonClient
    public let engine: RulesEngine
    public let rulesVersion: RulesVersion
    public let options: ProcessorOptions
    public let metrics: WorkerMetrics?

    public init(live: LiveStore, client: OzonClient, engine: RulesEngine, rulesVersion: RulesVersion,
                options: ProcessorOptions, metrics: WorkerMetrics? = nil) {
        self.live = live
        self.client = client
        self.engine = engine
        self.rulesVersion = rulesVersion
        self.options = options
        self.metrics = metrics
    }

    /// Does one piece of pending work (an action first, then a notification); false when none is due.
    public func step() async -> Bool {
        do {
            if let action = try live.nextAction() {
                await carryOut(action)
                return true
            }
            if let item = try live.nextInboxItem() {
                await process(item)
                return true
            }
        } catch {
            metrics?.workerErrors.increment()
        }
        return false
    }

    /// Works until nothing is due.
    public func drain() async {
        while await step() {}
    }

    // MARK: notifications

    func process(_ item: InboxItem) async {
        let started = Date()
        let posting: Posting
        do {
            posting = try await client.posting(item.postingNumber)
        } catch {
            if case .api(_, let status, _, let message, _) = error, status == 404 || message == "POSTING_NOT_FOUND" {
                try? live.fail(inbox: item.id, error: error.description)
            } else {
                try? live.retryLater(inbox: item.id, attempts: item.attempts, error: error.description,
                                     maxAttempts: options.maxInboxAttempts, delay: options.delay(afterAttempts: item.attempts))
            }
            metrics?.inboxFailures.increment()
            return
        }
        do {
            _ = try apply(posting, inbox: item.id)
            metrics?.inboxProcessed.increment()
            metrics?.processingSeconds.recordSeconds(Date().timeIntervalSince(started))
        } catch {
            try? live.retryLater(inbox: item.id, attempts: item.attempts, error: "\(error)",
                                 maxAttempts: options.maxInboxAttempts, delay: options.delay(afterAttempts: item.attempts))
            metrics?.inboxFailures.increment()
        }
    }

    /// Applies a posting as read from Ozon: transition, hook runs, planned actions and (when
    /// `inbox` is given) the notification marked done, in one transaction.
    @discardableResult
    public func apply(_ posting: Posting, inbox: Int64? = nil, source: TransitionSource = .ingest) throws -> ItemResult {
        let applier = TransitionApplier(engine: engine, rulesVersion: rulesVersion, now: .now(), source: source)
        return try live.store.write(withDatabase: { session, db in
            let result = try applier.apply(posting, in: session)
            var recorded: CarrierDecision?
            if posting.status == .awaitingDeliver, result.evaluation?.decisions.carrier == nil,
               let text = try SQLitePostingStore.latestDecision(hook: "carrier", postingNumber: posting.postingNumber, in: db) {
                recorded = (try? JSONParser.parse(text)).flatMap { CarrierDecision(recorded: $0) }
            }
            for plan in ActionPlanner.plan(posting: posting, result: result, recordedCarrierDecision: recorded) {
                try LiveStore.plan(db, postingNumber: posting.postingNumber, transitionID: result.transitionID, kind: plan.kind, request: plan.request)
            }
            if let inbox {
                try LiveStore.markDone(db, id: inbox, outcome: result.change.rawValue, transitionID: result.transitionID,
                                       error: result.rejection?.message)
            }
            return result
        })
    }

    // MARK: actions

    func carryOut(_ action: PendingAction) async {
        guard options.apply else {
            live.record(APIExchange(path: action.kind.path, request: action.request, httpStatus: nil, response: nil, error: nil,
                                    attempts: 0, durationSeconds: 0), actionID: action.id, applied: false)
            try? live.finish(action: action.id, state: "dry_run", result: "not sent (run with --apply to send)")
            metrics?.actions(action.kind.rawValue, "dry_run").increment()
            return
        }
        var exchange: APIExchange?
        let answer: JSONValue
        do {
            answer = try await client.call(action.kind.path, action.request, record: { exchange = $0 })
        } catch {
            if let exchange { live.record(exchange, actionID: action.id, applied: true) }
            let transient: Bool
            switch error {
            case .rateLimited, .timeout, .transport: transient = true
            default: transient = false
            }
            if action.kind == .ship, error.ozonMessage == "POSTING_ALREADY_SHIPPED" {
                // Sent before a crash and answered, but the answer was not recorded: done already.
                try? live.finish(action: action.id, state: "done", result: error.description)
                metrics?.actions(action.kind.rawValue, "already_done").increment()
                if let posting = try? await client.posting(action.postingNumber) { _ = try? apply(posting) }
                return
            }
            let retry = transient && action.attempts + 1 < options.maxActionAttempts
            try? live.finish(action: action.id, state: retry ? "pending" : "failed", result: error.description,
                             delay: options.delay(afterAttempts: action.attempts))
            metrics?.actions(action.kind.rawValue, retry ? "retry" : "failed").increment()
            return
        }
        if let exchange { live.record(exchange, actionID: action.id, applied: true) }
        switch action.kind {
        case .ship:
            await recheckShip(action, answer: answer)
        case .trackingNumber:
            let results = OzonClient.actionResults(answer)
            let failed = results.filter { !$0.ok }
            try? live.finish(action: action.id, state: failed.isEmpty ? "done" : "failed",
                             result: failed.isEmpty ? JSONWriter.write(answer) : failed.map { "\($0.postingNumber): \($0.error ?? "refused")" }.joined(separator: "; "))
            metrics?.actions(action.kind.rawValue, failed.isEmpty ? "done" : "failed").increment()
        case .cancel:
            try? live.finish(action: action.id, state: "done", result: JSONWriter.write(answer))
            metrics?.actions(action.kind.rawValue, "done").increment()
            if let posting = try? await client.posting(action.postingNumber) { _ = try? apply(posting) }
        }
    }

    /// HTTP 200 from ship does not mean packed (ozon-api.md §4.1): re-read the posting. With
    /// substatus `ship_failed` the ship is tried again later; otherwise the re-read posting is
    /// applied (usually entering `awaiting_deliver`, which may plan a tracking number).
    func recheckShip(_ action: PendingAction, answer: JSONValue) async {
        if options.shipRecheckDelay > 0 {
            try? await Task.sleep(nanoseconds: UInt64(options.shipRecheckDelay * 1_000_000_000))
        }
        guard let posting = try? await client.posting(action.postingNumber) else {
            try? live.finish(action: action.id, state: "done", result: JSONWriter.write(answer) + " (re-read failed)")
            metrics?.actions("ship", "done").increment()
            return
        }
        if posting.substatus == "ship_failed" {
            let retry = action.attempts + 1 < options.maxActionAttempts
            try? live.finish(action: action.id, state: retry ? "pending" : "failed", result: "ship_failed",
                             delay: options.delay(afterAttempts: action.attempts))
            metrics?.actions("ship", retry ? "ship_failed_retry" : "failed").increment()
            return
        }
        try? live.finish(action: action.id, state: "done", result: JSONWriter.write(answer))
        metrics?.actions("ship", "done").increment()
        _ = try? apply(posting)
    }
}

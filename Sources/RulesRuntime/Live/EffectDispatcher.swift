import AlertChannels
import Foundation
import Logging
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine

/// How the dispatcher paces itself.
public struct DispatchOptions: Sendable {
    /// How long a claim holds an effect: no other process takes it before, and after a crash it
    /// is read back once this has passed. Longer than the client's timeout.
    public var leaseSeconds: Int64
    /// Attempts at one effect before it is `failed`.
    public var maxAttempts: Int
    /// First wait before a retry, in seconds; doubles per attempt, at most `maxRetryDelay`.
    public var retryDelay: Double
    public var maxRetryDelay: Double
    /// Wait before re-reading a posting after ship (the operation is asynchronous), in seconds.
    public var shipRecheckDelay: Double
    /// Labels are asked for this long after an accepted ship (Ozon advises 45–60 s).
    public var labelDelaySeconds: Int64
    /// Polls of a label job, `labelPollDelay` seconds apart, before it is tried again later.
    public var labelPolls: Int
    public var labelPollDelay: Double

    public init(leaseSeconds: Int64 = 120, maxAttempts: Int = 8, retryDelay: Double = 1, maxRetryDelay: Double = 300,
                shipRecheckDelay: Double = 2, labelDelaySeconds: Int64 = 45, labelPolls: Int = 10, labelPollDelay: Double = 3) {
        self.leaseSeconds = leaseSeconds
        self.maxAttempts = maxAttempts
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.shipRecheckDelay = shipRecheckDelay
        self.labelDelaySeconds = labelDelaySeconds
        self.labelPolls = labelPolls
        self.labelPollDelay = labelPollDelay
    }

    /// When to try again after `attempts` claims (the first one counts, so it waits
    /// `retryDelay`), at least the next second.
    func retryTime(afterAttempts attempts: Int, now: Timestamp) -> Timestamp {
        Backoff.retryTime(now: now, firstDelay: retryDelay, maxDelay: maxRetryDelay, doublings: attempts - 1, minimumSeconds: 1)
    }
}

/// Carries effects out on Ozon, exactly once (SPEC §6).
///
/// Each effect is claimed before anything is sent (`sending`, with a lease and a fencing
/// token), so a crash leaves it `sending`; an effect found `sending` has an unknown outcome and
/// is **read back** (the posting, the return, the cancellation request, the chat history)
/// before it is sent again: Ozon documents no idempotency keys. Effects of one subject go out
/// one at a time in the order planned (the store hands out only the oldest open one).
public final class EffectDispatcher: Sendable {
    public let store: any PostingStore
    public let client: OzonClient
    public let options: DispatchOptions
    public let metrics: WorkerMetrics?
    public let logger: Logger
    /// Applies a posting read back from Ozon to the store (so a shipped posting moves on).
    let reapply: @Sendable (Posting) async -> Void
    /// The seller's alert channels; nil: `alert` effects cannot be sent.
    public let alerts: AlertSender?

    public init(store: any PostingStore, client: OzonClient, options: DispatchOptions, metrics: WorkerMetrics? = nil,
                logger: Logger = Logger(label: "ozon-rules.dispatch"), alerts: AlertSender? = nil,
                reapply: @escaping @Sendable (Posting) async -> Void = { _ in }) {
        self.alerts = alerts
        self.store = store
        self.client = client
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.reapply = reapply
    }

    /// One attempt at an effect: the effect as claimed and the state it was left in (nil: another
    /// process claimed it first).
    public struct Attempt: Sendable {
        public var effect: Effect
        public var state: EffectState?
    }

    /// Carries out one due effect; nil when none is due.
    public func step(now: Timestamp = .now()) async throws -> Attempt? {
        guard let due = try await store.nextEffect(dueAt: now, kinds: nil) else { return nil }
        let outcomeUnknown = due.state == .sending
        guard let effect = try await store.claimEffect(
            due.id, attempts: due.attempts, now: now, leaseUntil: now.adding(seconds: options.leaseSeconds)) else {
            return Attempt(effect: due, state: nil)
        }
        if effect.kind == .labels {
            return Attempt(effect: effect, state: try await carryOutLabels(effect))
        }
        let result = await carryOut(effect, outcomeUnknown: outcomeUnknown)
        let state = try await finish(effect, result.outcome, followUps: result.followUps, countsAsAttempt: result.countsAsAttempt)
        return Attempt(effect: effect, state: state)
    }

    /// Carries out every due effect (at most `limit` attempts); answers the attempts.
    public func drain(limit: Int? = nil) async throws -> [Attempt] {
        var attempts: [Attempt] = []
        while limit.map({ attempts.count < $0 }) ?? true, let attempt = try await step() { attempts.append(attempt) }
        return attempts
    }

    /// Records an attempt's outcome (failing it when out of attempts); answers the state kept.
    /// `countsAsAttempt` false: a planned step that is no failure (a label job polled while not
    /// ready) does not use up the effect's attempts.
    @discardableResult
    func finish(_ effect: Effect, _ outcome: EffectOutcome, followUps: [NewEffect] = [], countsAsAttempt: Bool = true) async throws -> EffectState {
        var outcome = outcome
        // A label effect is claimed once per poll of its job as well.
        let limit = effect.kind == .labels ? options.maxAttempts * max(1, options.labelPolls) : options.maxAttempts
        if countsAsAttempt, outcome.state == .planned || outcome.state == .sending, effect.attempts >= limit {
            outcome = EffectOutcome(state: .failed, response: outcome.response,
                                    error: "gave up after \(effect.attempts) attempts: \(outcome.error ?? "no answer")")
        }
        // Follow-ups only with a sent outcome (a retry or a failure leads to nothing yet).
        let kept = try await store.finishEffect(effect.id, attempts: effect.attempts, outcome: outcome,
                                                followUps: outcome.state == .sent ? followUps : [], at: .now())
        if !kept {
            logger.warning("an effect's claim was taken over; its outcome is left to the new claim",
                           metadata: ["effect_id": "\(effect.id)", "kind": .string(effect.kind.rawValue)])
        }
        metrics?.actions(effect.kind.rawValue, outcome.state.rawValue).increment()
        if outcome.state == .failed || outcome.state == .notAllowed {
            logger.warning("Ozon refused an effect", metadata: [
                "effect_id": "\(effect.id)", "kind": .string(effect.kind.rawValue), "state": .string(outcome.state.rawValue),
                "error": .string(outcome.error ?? ""),
            ])
        }
        return outcome.state
    }

    /// What one attempt came to, and effects it leads to (labels after a ship).
    struct Result {
        var outcome: EffectOutcome
        var followUps: [NewEffect] = []
        /// False for a look that is no failure (an accepted ship not visible yet).
        var countsAsAttempt = true
    }

    // MARK: One effect

    func carryOut(_ effect: Effect, outcomeUnknown: Bool) async -> Result {
        if effect.kind == .alert { return await sendAlert(effect) }
        if effect.kind == .returnAction, let offered = effect.request["not_offered"]?.stringValue {
            let list = effect.request["available_actions"].map { JSONWriter.write($0) } ?? "[]"
            return Result(outcome: EffectOutcome(state: .failed, error:
                "decision '\(offered)' is not among the request's available_actions \(list)"))
        }
        do {
            switch try await check(effect, outcomeUnknown: outcomeUnknown) {
            case .alreadyApplied(let what):
                metrics?.actions(effect.kind.rawValue, "read_back").increment()
                return Result(outcome: EffectOutcome(state: .sent, response: "read back: \(what)"),
                              followUps: effect.kind == .ship ? labelsAfterShip(effect) : [])
            case .superseded(let why):
                return Result(outcome: EffectOutcome(state: .superseded, error: why))
            case .wait(let why):
                return Result(outcome: EffectOutcome(state: .sending, response: why, retryAt: recheckTime()), countsAsAttempt: false)
            case .send:
                break
            }
        } catch {
            return Result(outcome: retryOrUnknown(effect, error, unknown: outcomeUnknown))
        }
        return await send(effect)
    }

    /// What a look at Ozon (or the store) says before sending.
    enum Check {
        case send
        case alreadyApplied(String)
        case superseded(String)
        /// Accepted by Ozon and not visible yet: look again later.
        case wait(String)
    }

    /// Before sending: has an effect of unknown outcome taken effect already, and is the effect
    /// still wanted?
    func check(_ effect: Effect, outcomeUnknown: Bool) async throws(OzonAPIError) -> Check {
        switch effect.kind {
        case .ship, .cancel, .setStatus, .setTracking, .chatMessage:
            guard let number = effect.postingNumber else { return .send }
            if outcomeUnknown || effect.kind == .ship || effect.kind == .cancel {
                let posting = try await client.posting(number)
                if let applied = EffectReadBack.postingShows(effect, posting) {
                    await reapply(posting)
                    return outcomeUnknown || effect.kind != .ship ? .alreadyApplied(applied) : .superseded(applied)
                }
                if posting.status == .cancelled, effect.kind != .cancel {
                    return .superseded("posting \(number) was cancelled before this was sent")
                }
                if effect.kind == .ship, outcomeUnknown, posting.status == .awaitingPackaging, posting.substatus != "ship_failed",
                   let accepted = effect.progress?["accepted_at"]?.int64Value,
                   Timestamp.now().unixSeconds - accepted < Self.shipSettleSeconds {
                    return .wait("accepted; posting \(number) not packed yet")
                }
                if effect.kind == .ship, posting.status != .awaitingPackaging {
                    return .superseded("posting \(number) is \(posting.status.rawValue), no longer awaiting_packaging")
                }
            }
            if effect.kind == .chatMessage, outcomeUnknown,
               let chatID = effect.progress?["chat_id"]?.stringValue ?? effect.request["chat_id"]?.stringValue,
               let text = effect.request["text"]?.stringValue {
                let history = try await client.chatHistory(chatID: chatID, limit: 100)
                if history.messages.contains(where: { $0.sender == .seller && $0.text == text }) {
                    return .alreadyApplied("the message is in chat \(chatID)")
                }
            }
            return .send
        case .returnAction:
            guard let id = effect.returnID, let actionID = effect.request["id"]?.int64Value else { return .send }
            let request = try await client.rfbsReturnRequest(id)
            if request.offers(actionID) { return .send }
            let state = request.state ?? "unknown"
            return outcomeUnknown
                ? .alreadyApplied("return \(id) no longer offers action \(actionID) (state \(state))")
                : .superseded("return \(id) no longer offers action \(actionID) (state \(state))")
        case .cancellationAnswer:
            guard let id = effect.cancellationID, let number = effect.postingNumber else { return .send }
            let page = try await client.cancellationRequestsPage(state: nil, postingNumbers: [number])
            guard let state = page.requests.first(where: { $0.cancellationID == id })?.state, state != "ON_APPROVAL" else {
                return .send
            }
            return outcomeUnknown
                ? .alreadyApplied("cancellation request \(id) is \(state)")
                : .superseded("cancellation request \(id) is \(state), no longer ON_APPROVAL")
        case .labels, .alert:
            return .send
        }
    }

    /// Sends the effect's request and reads Ozon's answer.
    func send(_ effect: Effect) async -> Result {
        var request = effect.request
        var progress: JSONValue?
        if effect.kind == .chatMessage, let chatID = effect.request["chat_id"]?.stringValue,
           let text = effect.request["text"]?.stringValue {
            // A reply in a chat the buyer wrote in: its id is known, nothing to start.
            progress = ["chat_id": .string(chatID)]
            request = ["chat_id": .string(chatID), "text": .string(text)]
        } else if effect.kind == .chatMessage {
            // Start (or find) the posting's chat: naturally repeatable; its id is kept so a
            // read-back can look at the history.
            guard let number = effect.postingNumber, let text = effect.request["text"]?.stringValue else {
                return Result(outcome: EffectOutcome(state: .failed, error: "a chat message needs a posting number and a text"))
            }
            let chatID: String
            do {
                let started = try await call(effect, OzonClient.Path.chatStart, ["posting_number": .string(number)])
                guard let id = started["result"]?["chat_id"]?.stringValue ?? started["chat_id"]?.stringValue else {
                    return Result(outcome: EffectOutcome(state: .failed, error: "/v1/chat/start answered no chat_id"))
                }
                chatID = id
            } catch {
                return Result(outcome: classify(effect, error, sent: false))
            }
            progress = ["chat_id": .string(chatID)]
            request = ["chat_id": .string(chatID), "text": .string(text)]
            // Keep the chat id before sending, so a crash mid-send can be read back.
            _ = try? await store.finishEffect(effect.id, attempts: effect.attempts, outcome: EffectOutcome(
                state: .sending, retryAt: effect.nextAttemptAt, progress: progress), at: .now())
        }
        let answer: JSONValue
        do {
            answer = try await call(effect, effect.method, request)
        } catch {
            var outcome = classify(effect, error, sent: true)
            outcome.progress = progress
            if outcome.state == .sent { return Result(outcome: outcome, followUps: effect.kind == .ship ? labelsAfterShip(effect) : []) }
            return Result(outcome: outcome)
        }
        let text = JSONWriter.write(answer)
        switch effect.kind {
        case .ship:
            guard options.shipRecheckDelay > 0 else { return await recheckShip(effect, answer: text) }
            // Accepted, not yet packed: looked at again after the delay, through the read-back
            // of an effect left `sending`, without holding the worker meanwhile.
            return Result(outcome: EffectOutcome(
                state: .sending, response: text, retryAt: recheckTime(),
                progress: ["accepted_at": .number(JSONNumber(integer: Timestamp.now().unixSeconds))]))
        case .setTracking, .setStatus:
            let failed = OzonClient.actionResults(answer).filter { !$0.ok }
            if failed.isEmpty { return Result(outcome: EffectOutcome(state: .sent, response: text)) }
            return Result(outcome: EffectOutcome(state: .failed, response: text, error: failed.map {
                "\($0.postingNumber): \($0.error ?? "refused")"
            }.joined(separator: "; ")))
        case .cancel:
            if let number = effect.postingNumber, let posting = try? await client.posting(number) { await reapply(posting) }
            return Result(outcome: EffectOutcome(state: .sent, response: text))
        default:
            return Result(outcome: EffectOutcome(state: .sent, response: text, progress: progress))
        }
    }

    /// HTTP 200 from ship does not mean packed (ozon-api.md §4.1): re-read the posting at once
    /// (`--ship-recheck-delay 0`). With substatus `ship_failed` the ship is tried again later;
    /// otherwise the posting is applied (usually entering `awaiting_deliver`) and its labels are
    /// planned.
    func recheckShip(_ effect: Effect, answer: String) async -> Result {
        guard let number = effect.postingNumber, let posting = try? await client.posting(number) else {
            return Result(outcome: EffectOutcome(state: .sent, response: answer, error: "accepted; the re-read failed"),
                          followUps: labelsAfterShip(effect))
        }
        if posting.substatus == "ship_failed" {
            return Result(outcome: EffectOutcome(state: .planned, response: answer, error: "ship_failed",
                                                 retryAt: options.retryTime(afterAttempts: effect.attempts, now: .now())))
        }
        await reapply(posting)
        return Result(outcome: EffectOutcome(state: .sent, response: answer), followUps: labelsAfterShip(effect))
    }

    func recheckTime() -> Timestamp { Self.secondsFromNow(options.shipRecheckDelay) }

    /// Now plus `seconds`, rounded up to whole seconds, at least the next one.
    static func secondsFromNow(_ seconds: Double) -> Timestamp {
        Timestamp.now().adding(seconds: max(1, Int64(seconds.rounded(.up))))
    }

    /// How long an accepted ship may show no change before it counts as not applied.
    static let shipSettleSeconds: Int64 = 120

    /// An alert to the seller's own chat. The services offer no way to read a message back, so
    /// one of unknown outcome is sent again: the team may see it twice, never not at all.
    func sendAlert(_ effect: Effect) async -> Result {
        let name = String(effect.method.dropFirst("alert:".count))
        guard let alerts, let channel = alerts.channel(named: name) else {
            return Result(outcome: EffectOutcome(state: .failed, error: "alert channel \(name) is not configured (--alert FORMAT=URL)"))
        }
        switch await alerts.send(effect.request, to: channel) {
        case .delivered(let answer):
            return Result(outcome: EffectOutcome(state: .sent, response: answer))
        case .refused(let why):
            return Result(outcome: EffectOutcome(state: .failed, error: why))
        case .retry(let why, let retryAfter):
            let at = retryAfter.map(Self.secondsFromNow)
                ?? options.retryTime(afterAttempts: effect.attempts, now: .now())
            return Result(outcome: EffectOutcome(state: .planned, error: why, retryAt: at))
        case .unknown(let why):
            return Result(outcome: EffectOutcome(state: .planned, error: why,
                                                 retryAt: options.retryTime(afterAttempts: effect.attempts, now: .now())))
        }
    }

    /// The labels effect of an accepted ship.
    func labelsAfterShip(_ effect: Effect) -> [NewEffect] {
        guard let number = effect.postingNumber else { return [] }
        return [NewEffect(kind: .labels, subject: .posting(number), postingNumber: number, method: client.labelMethods.createPath,
                          request: OzonClient.labelCreateRequest([number], methods: client.labelMethods), key: "labels:\(number)",
                          notBefore: Timestamp.now().adding(seconds: options.labelDelaySeconds))]
    }

    /// One Seller API call for an effect, recorded with it.
    func call(_ effect: Effect, _ path: String, _ body: JSONValue) async throws(OzonAPIError) -> JSONValue {
        let exchange = ExchangeBox()
        do {
            let answer = try await client.write(path, body, record: { exchange.value = $0 })
            await record(exchange.value, effect: effect)
            return answer
        } catch {
            await record(exchange.value, effect: effect)
            throw error
        }
    }

    func record(_ exchange: APIExchange?, effect: Effect) async {
        guard let exchange else { return }
        do {
            try await store.recordCall(CallRecording.record(exchange, effectID: effect.id))
        } catch {
            logger.error("cannot record a Seller API call", metadata: ["path": .string(exchange.path), "error": "\(error)"])
        }
    }

    // MARK: Errors

    /// What an error of a sent request means for the effect (SPEC §6). `sent`: the request may
    /// have reached Ozon.
    func classify(_ effect: Effect, _ error: OzonAPIError, sent: Bool) -> EffectOutcome {
        let retryAt = options.retryTime(afterAttempts: effect.attempts, now: .now())
        switch EffectErrors.disposition(error) {
        case .alreadyDone:
            return EffectOutcome(state: .sent, response: error.description)
        case .notAllowed:
            return EffectOutcome(state: .notAllowed, error: error.description)
        case .permanent:
            return EffectOutcome(state: .failed, error: error.description)
        case .refusedForNow:
            // 429, "Circle is open": Ozon refused before applying; send again later.
            return EffectOutcome(state: .planned, error: error.description, retryAt: retryAt)
        case .unknownOutcome:
            // A timeout, a dropped connection, a 5xx: it may have taken effect. Left `sending`,
            // so the next attempt reads it back first.
            return EffectOutcome(state: sent ? .sending : .planned, error: error.description, retryAt: retryAt)
        }
    }

    /// A read before sending failed: try again later, keeping what is known.
    func retryOrUnknown(_ effect: Effect, _ error: any Error, unknown: Bool) -> EffectOutcome {
        EffectOutcome(state: unknown ? .sending : .planned, error: "cannot read back before sending: \(error)",
                      retryAt: options.retryTime(afterAttempts: effect.attempts, now: .now()))
    }
}

/// Reading Ozon's state back to tell whether an effect took effect.
enum EffectReadBack {
    /// What the posting read from Ozon shows of the effect, if it took effect: nil if not.
    static func postingShows(_ effect: Effect, _ posting: Posting) -> String? {
        let status = posting.status
        switch effect.kind {
        case .ship:
            let notPacked: Set<PostingStatus> = [.awaitingVerification, .awaitingApprove, .awaitingPackaging, .awaitingRegistration, .cancelled]
            return notPacked.contains(status) ? nil : "posting is \(status.rawValue)"
        case .cancel:
            return status == .cancelled ? "posting is cancelled" : nil
        case .setStatus:
            // There is no posting status for the last mile: the substatus and the actions Ozon
            // still offers tell it.
            let move = effect.method.split(separator: "/").last.flatMap { RFBSStatusMove(rawValue: String($0)) }
            let offered = posting.fields["available_actions"]?.arrayValue?.compactMap(\.stringValue) ?? []
            switch move {
            case .delivering?:
                return status == .delivering || status == .delivered ? "posting is \(status.rawValue)" : nil
            case .lastMile?:
                if status == .delivered || posting.substatus?.contains("last_mile") == true { return "posting is in the last mile" }
                return status == .delivering && !offered.isEmpty && !offered.contains("non_int_last_mile")
                    ? "posting no longer offers the last-mile move" : nil
            case .delivered?:
                return status == .delivered ? "posting is delivered" : nil
            case nil:
                return nil
            }
        case .setTracking:
            let wanted = effect.request["tracking_numbers"]?[0]?["tracking_number"]?.stringValue
            return wanted != nil && posting.fields["tracking_number"]?.stringValue == wanted ? "tracking number is set" : nil
        default:
            return nil
        }
    }
}

/// How an Ozon error ends an effect.
enum EffectErrors {
    enum Disposition {
        case alreadyDone, notAllowed, permanent, refusedForNow, unknownOutcome
    }

    /// The client's disposition, with its retryable errors split in two: a 429 or `Circle is
    /// open` was refused before applying, while a timeout, a dropped connection or a 5xx may
    /// have taken effect and must be read back.
    static func disposition(_ error: OzonAPIError) -> Disposition {
        switch error.disposition {
        case .alreadyDone: return .alreadyDone
        case .notAllowed: return .notAllowed
        case .permanent: return .permanent
        case .retryable:
            switch error {
            case .rateLimited: return .refusedForNow
            case .api(_, let status, _, let message, _) where status == 429 || message.lowercased().contains("circle is open"):
                return .refusedForNow
            default: return .unknownOutcome
            }
        }
    }
}

/// The exchange the client reports for one call, handed from its callback to the caller.
final class ExchangeBox: @unchecked Sendable {
    // Safety: written by the client's callback before `call` returns, read after.
    var value: APIExchange?
}

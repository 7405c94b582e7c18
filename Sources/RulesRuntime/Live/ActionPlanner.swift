import AlertChannels
import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine

/// Turns what the rules decided into effects (SPEC §6), pure: no I/O.
///
/// For a posting's transition:
/// - a `cancel` action with a `cancel_reason_id` → `cancel` (not for a posting already cancelled
///   or delivered); nothing else is planned for that posting then;
/// - entering `awaiting_packaging` with a packaging decision, and no `hold` action → `ship` with
///   the decided packages (`product_id` = SKU), when Ozon lists `ship` among the posting's
///   `available_actions` (or lists none);
/// - entering `awaiting_deliver` on an rFBS posting whose carrier decision (this transition's, or
///   the latest recorded) carries a `tracking_number` that Ozon does not show yet → `set_tracking`;
/// - `{action="set_status", status=...}` on an rFBS posting → `set_status`, after the tracking
///   number when both are planned (Ozon wants it first);
/// - `notify`, `request_review` and `reply` with a `text`, addressed to the buyer (no `to`, or
///   `to="buyer"`) → `chat_message`, not before `delay_hours` when given. Messages `to` the
///   seller's own team are not sent to the buyer;
/// - `alert` → one `alert` effect per configured channel, in that service's body.
///
/// For an rFBS return request, the `returns` decision → `return_action` with an action id the
/// request's `available_actions` offers (`manual_review` plans nothing; FBS returns are
/// record-only). Labels are planned by the dispatcher once a ship is accepted.
public enum EffectPlanner {
    /// The planner of the live path, for `PostingApplier`.
    public static func effects(_ input: RequestPlanningInput) -> [NewEffect] {
        guard input.result.change == .created || input.result.change == .transitioned, let evaluation = input.result.evaluation else {
            return []
        }
        return plan(posting: input.posting, decisions: evaluation.decisions, recordedCarrier: input.recordedCarrierDecision,
                    revision: input.revision, now: input.now, alertChannels: input.alertChannels)
    }

    /// What to do for `decisions`, made as `posting` entered its current status. `revision` is
    /// the stored revision the decisions were computed from (0 for a new posting): with the
    /// posting number it makes each effect's key, so the same transition never plans twice.
    /// `occasion` replaces the revision in the keys for decisions made on another occasion
    /// (a timer's firing: `timer<id>`).
    public static func plan(
        posting: Posting, decisions: Decisions, recordedCarrier: CarrierDecision?, revision: Int64, now: Timestamp,
        alertChannels: [AlertChannel] = [], occasion: String? = nil
    ) -> [NewEffect] {
        let occasion = occasion ?? "r\(revision)"
        var planned: [NewEffect] = []
        let actions = decisions.actions
        let number = posting.postingNumber
        func effect(_ kind: EffectKind, _ method: String, _ request: JSONValue, key: String, notBefore: Timestamp? = nil) -> NewEffect {
            NewEffect(kind: kind, subject: kind == .chatMessage ? .chat(number) : .posting(number), postingNumber: number,
                      method: method, request: request, key: "\(kind.rawValue):\(number):\(key)", notBefore: notBefore)
        }

        if let cancel = actions.first(where: { $0.action == "cancel" }), let reason = cancel.cancelReasonID,
           posting.status != .cancelled, posting.status != .delivered {
            let message = cancel.text("cancel_reason_message") ?? cancel.text("message") ?? cancel.text("reason")
            planned.append(effect(.cancel, OzonClient.Path.cancel, OzonClient.cancelRequest(
                postingNumber: number, reasonID: reason, message: reason == 402 ? (message ?? "cancelled by the seller's rules") : nil),
                key: occasion))
            return planned
        }

        if posting.status == .awaitingPackaging, !actions.contains(where: { $0.action == "hold" }),
           let packaging = decisions.packaging, allows(posting, "ship") {
            let packages = shipPackages(packaging)
            if !packages.isEmpty {
                planned.append(effect(.ship, OzonClient.Path.ship, OzonClient.shipRequest(postingNumber: number, packages: packages),
                                      key: occasion))
            }
        }

        if isRFBS(posting), posting.status == .awaitingDeliver || actions.contains(where: { $0.action == "set_status" }),
           let tracking = (decisions.carrier ?? recordedCarrier)?.trackingNumber, !tracking.isEmpty,
           posting.fields["tracking_number"]?.stringValue != tracking {
            planned.append(effect(.setTracking, OzonClient.Path.trackingNumberSet, OzonClient.trackingRequest([(number, tracking)]),
                                  key: tracking))
        }

        for action in actions {
            switch action.action {
            case "set_status":
                guard isRFBS(posting), let status = action.text("status"), let move = statusMove(status) else { continue }
                planned.append(effect(.setStatus, move.path, ["posting_number": [.string(number)]], key: status))
            case "notify", "request_review", "reply":
                guard action.isBuyerMessage, let text = action.text("text"), !text.isEmpty else { continue }
                let delay = action.fields["delay_hours"]?.int64Value.map { now.adding(seconds: max(0, $0) * 3600) }
                let index = planned.count
                planned.append(effect(.chatMessage, OzonClient.Path.chatSendMessage, ["posting_number": .string(number), "text": .string(text)],
                                      key: "\(occasion):\(index)", notBefore: delay))
            case "alert":
                planned += alertEffects(action, postingNumber: number, key: "alert:\(number):\(occasion):\(planned.count)", now: now,
                                        channels: alertChannels)
            default: continue
            }
        }
        return planned
    }

    /// An `alert` action as one effect per channel, in that service's body (with the channel's
    /// shop); each key is `key` and the channel's name. No text: nothing.
    static func alertEffects(
        _ action: ActionDecision, postingNumber: String?, key: String, now: Timestamp, channels: [AlertChannel]
    ) -> [NewEffect] {
        guard let text = action.text("text") else { return [] }
        let level = action.text("level").flatMap(AlertLevel.init(rawValue:)) ?? .info
        return channels.map { channel in
            NewEffect(
                kind: .alert, subject: .alertChannel(channel.name), postingNumber: postingNumber, method: "alert:\(channel.name)",
                request: channel.body(level: level, text: text, postingNumber: postingNumber, shop: channel.shop, at: now),
                key: "\(key):\(channel.name)")
        }
    }

    /// What a timer's firing asks for: its actions, planned as a transition's are, keyed by the
    /// timer so that a firing never plans twice.
    public static func effects(forTimer timer: StoredTimer, posting: Posting, decisions: Decisions, now: Timestamp,
                               alertChannels: [AlertChannel]) -> [NewEffect] {
        plan(posting: posting, decisions: decisions, recordedCarrier: nil, revision: 0, now: now, alertChannels: alertChannels,
             occasion: "timer\(timer.id)")
    }

    /// What to do for an rFBS return request's `returns` decision. `ret.fields` holds the
    /// request as `/v2/returns/rfbs/get` answered, with its `available_actions`.
    public static func effects(forReturn ret: ReturnEvent, decision: ReturnDecision?) -> [NewEffect] {
        guard ret.schema == .rfbs, let decision, decision.action != .manualReview else { return [] }
        let offered = availableActions(ret)
        var body: JSONObject = ["return_id": .number(JSONNumber(integer: ret.returnID))]
        if let id = actionID(for: decision.action, offered: offered) {
            body["id"] = .number(JSONNumber(integer: id))
            switch decision.action {
            case .reject:
                if let reason = decision.rejectionReasonID { body["rejection_reason_id"] = .number(JSONNumber(integer: reason)) }
                if let comment = decision.comment { body["comment"] = .string(comment) }
            case .compensate:
                if let amount = decision.amount {
                    body["compensation_amount"] = OzonClient.amountNumber(Money(minorUnits: amount, currency: ret.product.price.currency))
                }
            default:
                if let comment = decision.comment { body["comment"] = .string(comment) }
            }
        } else {
            // Kept as a failed effect by the dispatcher, with the actions Ozon offered.
            body["not_offered"] = .string(decision.action.rawValue)
            body["available_actions"] = .array(offered.map { ["id": .number(JSONNumber(integer: $0.id)), "name": .string($0.name)] })
        }
        return [NewEffect(kind: .returnAction, subject: .returnRequest(ret.returnID), postingNumber: ret.postingNumber,
                          returnID: ret.returnID, method: OzonClient.Path.rfbsReturnAction, request: .object(body),
                          key: "return_action:\(ret.returnID)")]
    }

    /// The answer to a buyer's rFBS cancellation request that `cancellations.lua` decided.
    public static func effects(forCancellation id: Int64, postingNumber: String, decision: CancellationDecision?) -> [NewEffect] {
        guard let decision else { return [] }
        var body: JSONObject = ["cancellation_id": .number(JSONNumber(integer: id))]
        if let comment = decision.comment, !comment.isEmpty { body["comment"] = .string(comment) }
        return [NewEffect(
            kind: .cancellationAnswer, subject: .cancellationRequest(id), postingNumber: postingNumber, cancellationID: id,
            method: decision.action == .approve ? OzonClient.Path.cancellationApprove : OzonClient.Path.cancellationReject,
            request: .object(body), key: "cancellation_answer:\(id)")]
    }

    /// `available_actions` of an rFBS return request, read as the client reads `get`'s answer.
    static func availableActions(_ ret: ReturnEvent) -> [(id: Int64, name: String)] {
        RFBSReturnRequest(returnID: ret.returnID, object: ret.fields).availableActions.map { ($0.id, $0.name) }
    }

    /// The offered action id that carries out `action`. Ozon names only −1 and −10 (reject) and
    /// 1020 (partial compensation); approve and refund are found by the action's name.
    static func actionID(for action: ReturnDecision.Action, offered: [(id: Int64, name: String)]) -> Int64? {
        func named(_ words: [String]) -> Int64? {
            offered.first { item in
                let name = item.name.lowercased()
                return item.id != -1 && item.id != -10 && item.id != 1020 && words.contains { name.contains($0) }
            }?.id
        }
        switch action {
        case .reject: return offered.first { $0.id == -1 }?.id ?? offered.first { $0.id == -10 }?.id
        case .compensate: return offered.first { $0.id == 1020 }?.id
        case .approve: return named(["одобр", "подтверд", "принять", "approve", "verify", "accept"])
        case .refund: return named(["вернуть деньги", "возврат денег", "вернуть средства", "refund", "return money"])
        case .manualReview: return nil
        }
    }

    /// The packaging decision's packages as ship packages (`product_id` = SKU).
    public static func shipPackages(_ decision: PackagingDecision) -> [ShipPackage] {
        decision.packages.map { package in
            ShipPackage(items: package.items.map { ShipPackage.Item(sku: $0.sku, quantity: $0.quantity) })
        }
    }

    /// `set_status` names Ozon's statuses; the methods use `last-mile`.
    static func statusMove(_ status: String) -> RFBSStatusMove? {
        switch status {
        case "delivering": .delivering
        case "last_mile": .lastMile
        case "delivered": .delivered
        default: nil
        }
    }

    /// rFBS: delivered by the seller or a third party, not by Ozon.
    public static func isRFBS(_ posting: Posting) -> Bool {
        guard let type = posting.fields["tpl_integration_type"]?.stringValue else { return false }
        return type != "ozon"
    }

    /// Whether `available_actions` allows `action` (a posting listing none allows all).
    static func allows(_ posting: Posting, _ action: String) -> Bool {
        guard let list = posting.fields["available_actions"]?.arrayValue, !list.isEmpty else { return true }
        return list.contains { $0.stringValue == action }
    }
}

import OzonSellerAPI
import PostingModel
import PostingStore
import RulesEngine

/// Turns what the rules decided in one transition into requests to Ozon (pure: no I/O).
///
/// - `cancel` actions with a `cancel_reason_id` → `/v2/posting/fbs/cancel` (not for a posting
///   already cancelled or delivered);
/// - entering `awaiting_packaging` with a packaging decision, and no `cancel` or `hold` action →
///   `/v4/posting/fbs/ship` with the decided packages (`product_id` = SKU), when Ozon lists
///   `ship` among the posting's `available_actions` (or lists none);
/// - entering `awaiting_deliver` on an rFBS posting (`tpl_integration_type` other than `ozon`)
///   whose carrier decision (this transition's, or the latest recorded) carries a
///   `tracking_number` that Ozon does not show yet → `/v2/fbs/posting/tracking-number/set`.
public enum ActionPlanner {
    public struct Planned: Sendable, Hashable {
        public var kind: ActionKind
        public var request: JSONValue

        /// The outbox row for it.
        public var outboxRequest: NewOutboxRequest { NewOutboxRequest(kind: kind.rawValue, body: request) }
    }

    /// The planner of the live path, for `PostingApplier`.
    public static func outboxRequests(_ input: RequestPlanningInput) -> [NewOutboxRequest] {
        plan(posting: input.posting, result: input.result, recordedCarrierDecision: input.recordedCarrierDecision).map(\.outboxRequest)
    }

    /// What to send for the evaluation of an ingested posting: nothing unless the posting was
    /// created or moved. `recordedCarrierDecision` is the latest carrier decision recorded
    /// for the posting (used when this transition made none).
    public static func plan(
        posting: Posting, result: ItemResult, recordedCarrierDecision: CarrierDecision?
    ) -> [Planned] {
        guard result.change == .created || result.change == .transitioned, let evaluation = result.evaluation else { return [] }
        return plan(posting: posting, decisions: evaluation.decisions, recordedCarrier: recordedCarrierDecision)
    }

    /// What to send for `decisions`, made as `posting` entered its current status.
    public static func plan(posting: Posting, decisions: Decisions, recordedCarrier: CarrierDecision?) -> [Planned] {
        var planned: [Planned] = []
        let actions = decisions.actions
        let number = posting.postingNumber

        if let cancel = actions.first(where: { $0.action == "cancel" }), let reason = cancel.cancelReasonID,
           posting.status != .cancelled, posting.status != .delivered {
            let message = cancel.text("cancel_reason_message") ?? cancel.text("message") ?? cancel.text("reason")
            planned.append(Planned(kind: .cancel, request: OzonClient.cancelRequest(
                postingNumber: number, reasonID: reason, message: reason == 402 ? (message ?? "cancelled by the seller's rules") : nil)))
            return planned
        }

        if posting.status == .awaitingPackaging, !actions.contains(where: { $0.action == "hold" }),
           let packaging = decisions.packaging, allows(posting, "ship") {
            let packages = shipPackages(packaging)
            if !packages.isEmpty {
                planned.append(Planned(kind: .ship, request: OzonClient.shipRequest(postingNumber: number, packages: packages)))
            }
        }

        if posting.status == .awaitingDeliver, isRFBS(posting),
           let tracking = (decisions.carrier ?? recordedCarrier)?.trackingNumber, !tracking.isEmpty,
           posting.fields["tracking_number"]?.stringValue != tracking {
            planned.append(Planned(kind: .trackingNumber, request: OzonClient.trackingRequest([(number, tracking)])))
        }
        return planned
    }

    /// The packaging decision's packages as ship packages (`product_id` = SKU).
    public static func shipPackages(_ decision: PackagingDecision) -> [ShipPackage] {
        decision.packages.map { package in
            ShipPackage(items: package.items.map { ShipPackage.Item(sku: $0.sku, quantity: $0.quantity) })
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

/// What a decision asks of Ozon.
public enum ActionKind: String, Sendable, Hashable, CaseIterable {
    case ship
    case trackingNumber = "tracking_number"
    case cancel

    /// The Seller API method that carries it out.
    public var path: String {
        switch self {
        case .ship: return OzonClient.Path.ship
        case .trackingNumber: return OzonClient.Path.trackingNumberSet
        case .cancel: return OzonClient.Path.cancel
        }
    }
}

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

    public static func plan(
        posting: Posting, result: ItemResult, recordedCarrierDecision: JSONValue?
    ) -> [Planned] {
        guard result.change == .created || result.change == .transitioned, let evaluation = result.evaluation else { return [] }
        var planned: [Planned] = []
        let actions = evaluation.actions
        let names = Set(actions.compactMap { $0["action"]?.stringValue })
        let number = posting.postingNumber

        if let cancel = actions.first(where: { $0["action"]?.stringValue == "cancel" }),
           let reason = cancel["cancel_reason_id"]?.int64Value,
           posting.status != .cancelled, posting.status != .delivered {
            let message = cancel["cancel_reason_message"]?.stringValue ?? cancel["message"]?.stringValue ?? cancel["reason"]?.stringValue
            planned.append(Planned(kind: .cancel, request: OzonClient.cancelRequest(
                postingNumber: number, reasonID: reason, message: reason == 402 ? (message ?? "cancelled by the seller's rules") : nil)))
            return planned
        }

        if posting.status == .awaitingPackaging, !names.contains("hold"),
           let packages = shipPackages(evaluation.decisions["packaging"]), !packages.isEmpty,
           allows(posting, "ship") {
            planned.append(Planned(kind: .ship, request: OzonClient.shipRequest(postingNumber: number, packages: packages)))
        }

        if posting.status == .awaitingDeliver, isRFBS(posting) {
            let carrier = evaluation.decisions["carrier"] ?? recordedCarrierDecision
            if let tracking = carrier?["tracking_number"]?.stringValue, !tracking.isEmpty,
               posting.fields["tracking_number"]?.stringValue != tracking {
                planned.append(Planned(kind: .trackingNumber, request: OzonClient.trackingRequest([(number, tracking)])))
            }
        }
        return planned
    }

    /// The packaging decision's packages as ship packages.
    public static func shipPackages(_ decision: JSONValue?) -> [ShipPackage]? {
        guard let packages = decision?["packages"]?.arrayValue else { return nil }
        var result: [ShipPackage] = []
        for package in packages {
            var items: [ShipPackage.Item] = []
            for item in package["items"]?.arrayValue ?? [] {
                guard let sku = item["sku"]?.int64Value, let quantity = item["quantity"]?.int64Value, quantity > 0 else { return nil }
                items.append(ShipPackage.Item(sku: sku, quantity: quantity))
            }
            if !items.isEmpty { result.append(ShipPackage(items: items)) }
        }
        return result
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

/// An FBS/rFBS posting status, spelled as Ozon's Seller API spells it (`ozon-api.md` §3.1).
public enum PostingStatus: String, Sendable, CaseIterable, Codable, Hashable {
    case awaitingVerification = "awaiting_verification"
    case awaitingApprove = "awaiting_approve"
    case awaitingPackaging = "awaiting_packaging"
    case awaitingRegistration = "awaiting_registration"
    case awaitingDeliver = "awaiting_deliver"
    case acceptanceInProgress = "acceptance_in_progress"
    case driverPickup = "driver_pickup"
    case notAccepted = "not_accepted"
    case arbitration = "arbitration"
    case clientArbitration = "client_arbitration"
    case delivering = "delivering"
    case delivered = "delivered"
    case cancelled = "cancelled"
    case cancelledFromSplitPending = "cancelled_from_split_pending"
    /// Legacy cross-border rFBS status; its endpoint was removed in January 2026.
    case sentBySeller = "sent_by_seller"

    /// Whether no transition leaves this status (`delivered`, `cancelled`, `cancelled_from_split_pending`).
    public var isFinal: Bool {
        switch self {
        case .delivered, .cancelled, .cancelledFromSplitPending: return true
        default: return false
        }
    }
}

extension PostingStatus: CustomStringConvertible {
    public var description: String { rawValue }
}

/// Why a status change was refused.
public struct InvalidTransition: Error, Sendable, Hashable, CustomStringConvertible {
    /// The current status (`nil` for a posting the host has not seen).
    public var from: PostingStatus?
    /// The requested status.
    public var to: PostingStatus
    /// A sentence naming both statuses and what would have been possible.
    public var message: String

    /// An error for the move `from` → `to`, explained by `message`.
    public init(from: PostingStatus?, to: PostingStatus, message: String) {
        self.from = from
        self.to = to
        self.message = message
    }

    public var description: String { message }
}

/// Which status changes can happen, from Ozon's process descriptions (`ozon-api.md` §3.7).
///
/// A posting the host sees for the first time (`from == nil`) may arrive in **any** status: the
/// host may first meet it anywhere in its life (a late import, a reconciliation poll, a store that
/// was wiped), so refusing would lose it. A status never transitions to itself: a repeated
/// status is not a transition (substatus changes are not modelled here).
///
/// The table lists direct moves only. A poller may miss intermediate statuses (say
/// `awaiting_deliver` → `delivered` between two polls); `isReachable` answers that question.
public enum TransitionTable {
    /// Every direct move, in one place. Cancellation is added to every non-final status below.
    static let edges: [PostingStatus: Set<PostingStatus>] = [
        // Verification and approval come before packing.
        .awaitingVerification: [.awaitingApprove, .awaitingPackaging],
        .awaitingApprove: [.awaitingPackaging],
        // /v4/posting/fbs/ship: packed. rFBS Aggregator goes through carrier registration first.
        // Splitting a posting cancels the original as cancelled_from_split_pending.
        .awaitingPackaging: [.awaitingDeliver, .awaitingRegistration, .cancelledFromSplitPending],
        // The carrier registers the order and assigns the tracking number.
        .awaitingRegistration: [.awaitingDeliver],
        // FBS: handed over at a drop-off point (acceptance) or collected by a driver; handed over
        // but not scanned gives not_accepted. rFBS: the seller or carrier starts delivering.
        // Cross-border rFBS used to report sent_by_seller (legacy).
        .awaitingDeliver: [.acceptanceInProgress, .driverPickup, .notAccepted, .delivering, .sentBySeller],
        // The driver brings the parcel to the sorting centre.
        .driverPickup: [.acceptanceInProgress, .notAccepted, .delivering],
        .acceptanceInProgress: [.notAccepted, .delivering],
        // The seller opens a dispute (/v2/posting/fbs/arbitration), or sends it back to
        // awaiting_deliver (/v2/posting/fbs/awaiting-delivery).
        .notAccepted: [.arbitration, .awaitingDeliver],
        // A seller's dispute ends with the parcel found (back to hand-over or on its way) or lost.
        .arbitration: [.awaitingDeliver, .delivering, .delivered],
        // A buyer's delivery dispute is opened while delivering and ends in either outcome.
        .delivering: [.delivered, .clientArbitration],
        .clientArbitration: [.delivering, .delivered],
        // Cross-border rFBS after "sent by seller": delivering, then delivered.
        .sentBySeller: [.delivering],
        // Final statuses.
        .delivered: [],
        .cancelled: [],
        .cancelledFromSplitPending: [],
    ]

    /// The table with cancellation added from every non-final status (seller, buyer, Ozon or system).
    static let table: [PostingStatus: Set<PostingStatus>] = {
        var t = edges
        for status in PostingStatus.allCases where !status.isFinal {
            t[status, default: []].insert(.cancelled)
        }
        return t
    }()

    /// Statuses reachable in one move from `status`.
    public static func successors(of status: PostingStatus) -> Set<PostingStatus> {
        table[status] ?? []
    }

    /// Whether a posting in `from` (nil: not seen before) may move directly to `to`.
    public static func isPossible(from: PostingStatus?, to: PostingStatus) -> Bool {
        guard let from else { return true }
        return successors(of: from).contains(to)
    }

    /// Whether `to` can be reached from `from` in one or more moves (intermediate statuses missed).
    public static func isReachable(from: PostingStatus?, to: PostingStatus) -> Bool {
        guard let from else { return true }
        var seen: Set<PostingStatus> = []
        var queue = Array(successors(of: from))
        while let next = queue.popLast() {
            if next == to { return true }
            if seen.insert(next).inserted { queue.append(contentsOf: successors(of: next)) }
        }
        return false
    }

    /// Throws `InvalidTransition` unless the move is possible.
    ///
    /// Messages: `awaiting_packaging -> delivered is not a possible transition (from awaiting_packaging:
    /// awaiting_deliver, awaiting_registration, cancelled, cancelled_from_split_pending)`,
    /// `delivered -> cancelled is not a possible transition: delivered is final`,
    /// `the posting is already in status delivering`.
    public static func check(from: PostingStatus?, to: PostingStatus) throws(InvalidTransition) {
        if isPossible(from: from, to: to) { return }
        guard let from else { return }
        let message: String
        if from == to {
            message = "the posting is already in status \(to.rawValue)"
        } else if from.isFinal {
            message = "\(from.rawValue) -> \(to.rawValue) is not a possible transition: \(from.rawValue) is final"
        } else {
            let options = successors(of: from).map(\.rawValue).sorted().joined(separator: ", ")
            message = "\(from.rawValue) -> \(to.rawValue) is not a possible transition (from \(from.rawValue): \(options))"
        }
        throw InvalidTransition(from: from, to: to, message: message)
    }
}

/// Webhook `new_state` values (push vocabulary, `ozon-api.md` §3.3 and §6.6) mapped to API statuses.
public enum PushState {
    /// Push state (with its `posting_` prefix) → status. `posting_canceled` has one "l".
    static let map: [String: PostingStatus] = [
        "posting_created": .awaitingPackaging,
        "posting_acceptance_in_progress": .acceptanceInProgress,
        "posting_awaiting_registration": .awaitingRegistration,
        // §3.1: awaiting_registration also carries substatus posting_registration_error.
        "posting_registration_error": .awaitingRegistration,
        "posting_transferring_to_delivery": .awaitingDeliver,
        "posting_in_carriage": .awaitingDeliver,
        "posting_not_in_carriage": .awaitingDeliver,
        "posting_in_arbitration": .arbitration,
        "posting_in_client_arbitration": .clientArbitration,
        "posting_on_way_to_city": .delivering,
        "posting_transferred_to_courier_service": .delivering,
        "posting_in_courier_service": .delivering,
        "posting_on_way_to_pickup_point": .delivering,
        "posting_in_pickup_point": .delivering,
        // Seller-marked delivery stays "delivering" until Ozon confirms it.
        "posting_conditionally_delivered": .delivering,
        "posting_driver_pick_up": .driverPickup,
        "posting_delivered": .delivered,
        "posting_received": .delivered,
        "posting_canceled": .cancelled,
        "posting_not_in_sort_center": .notAccepted,
        "posting_sent_by_seller": .sentBySeller,
    ]

    /// The status a webhook `new_state` means, with or without the `posting_` prefix
    /// (`posting_delivered` and `delivered` both give `.delivered`); `nil` for unknown states.
    /// `posting_cancelled` (two "l") is accepted as well.
    public static func status(forNewState state: String) -> PostingStatus? {
        guard let key = canonical(state) else { return nil }
        return map[key]
    }

    /// The substatus to record for a push state: the state with its `posting_` prefix
    /// (`delivered` → `posting_delivered`), or `nil` for unknown states.
    public static func substatus(forNewState state: String) -> String? {
        guard let key = canonical(state), map[key] != nil else { return nil }
        // sent_by_seller is a bare substatus in the API.
        return key == "posting_sent_by_seller" ? "sent_by_seller" : key
    }

    static func canonical(_ state: String) -> String? {
        var s = state.lowercased()
        if !s.hasPrefix("posting_") { s = "posting_" + s }
        if s == "posting_cancelled" { s = "posting_canceled" }
        return map[s] == nil ? nil : s
    }
}

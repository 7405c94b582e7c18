import PostingModel

// The decisions of SPEC §3.3 as Swift values. Only the validator makes them
// from what a hook returned, so a value here has passed its checks; the
// recorded JSON (what is printed and stored) is kept beside it unchanged.
// Money is Int64 minor units.

/// `carrier`: `{carrier, service?, cost?, eta_days?, tracking_number?}`.
public struct CarrierDecision: Sendable, Hashable {
    public var carrier: String
    public var service: String?
    /// Minor units (kopecks).
    public var cost: Int64?
    public var etaDays: Int64?
    public var trackingNumber: String?
    public var reason: String?

    public init(carrier: String, service: String? = nil, cost: Int64? = nil, etaDays: Int64? = nil,
                trackingNumber: String? = nil, reason: String? = nil) {
        self.carrier = carrier
        self.service = service
        self.cost = cost
        self.etaDays = etaDays
        self.trackingNumber = trackingNumber
        self.reason = reason
    }

    /// A recorded carrier decision (nil when it does not have the shape).
    public init?(recorded json: JSONValue) {
        guard case .carrier(let decision)? = Hook.carrier.recorded(json) else { return nil }
        self = decision
    }
}

/// `packaging`: every unit of the posting in exactly one package.
public struct PackagingDecision: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        public var sku: Int64
        public var quantity: Int64
        public init(sku: Int64, quantity: Int64) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    public struct Package: Sendable, Hashable {
        public var box: String?
        public var items: [Item]
        public var materials: [String]?
        public var fragile: Bool?
        public var weightGrams: Int64?
        public var reason: String?
        public init(box: String? = nil, items: [Item], materials: [String]? = nil, fragile: Bool? = nil,
                    weightGrams: Int64? = nil, reason: String? = nil) {
            self.box = box
            self.items = items
            self.materials = materials
            self.fragile = fragile
            self.weightGrams = weightGrams
            self.reason = reason
        }
    }

    public var packages: [Package]
    public var reason: String?

    public init(packages: [Package], reason: String? = nil) {
        self.packages = packages
        self.reason = reason
    }
}

/// One entry of `inserts`; `text` as recorded, its template rendered.
public struct InsertDecision: Sendable, Hashable {
    public var kind: String
    public var text: String?
    public var sku: Int64?
    public var reason: String?

    public init(kind: String, text: String? = nil, sku: Int64? = nil, reason: String? = nil) {
        self.kind = kind
        self.text = text
        self.sku = sku
        self.reason = reason
    }
}

/// `returns`: what to do with a return.
public struct ReturnDecision: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case approve, reject, compensate, refund
        case manualReview = "manual_review"
    }

    public var action: Action
    /// Minor units; never more than the buyer paid for the returned product.
    public var amount: Int64?
    public var rejectionReasonID: Int64?
    public var comment: String?
    public var reason: String?

    public init(action: Action, amount: Int64? = nil, rejectionReasonID: Int64? = nil, comment: String? = nil, reason: String? = nil) {
        self.action = action
        self.amount = amount
        self.rejectionReasonID = rejectionReasonID
        self.comment = comment
        self.reason = reason
    }
}

/// `cancellations`: the answer to an rFBS buyer's cancellation request.
public struct CancellationDecision: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case approve, reject
    }

    public var action: Action
    /// Sent to Ozon with the answer; set (non-empty) on every `reject`.
    public var comment: String?
    public var reason: String?

    public init(action: Action, comment: String? = nil, reason: String? = nil) {
        self.action = action
        self.comment = comment
        self.reason = reason
    }
}

/// One action of a `transitions.lua` hook. Actions may carry fields of their
/// own (`message`, ...): `fields` holds them all, as recorded (a buyer
/// message's `text` rendered, an alert's `level` filled in).
public struct ActionDecision: Sendable, Hashable {
    public var action: String
    /// Set (and positive) on every `cancel`.
    public var cancelReasonID: Int64?
    public var fields: JSONObject

    public init(action: String, cancelReasonID: Int64? = nil, fields: JSONObject = [:]) {
        self.action = action
        self.cancelReasonID = cancelReasonID
        self.fields = fields
    }

    /// A text field of the action (`reason`, `message`, ...).
    public func text(_ key: String) -> String? { fields[key]?.stringValue }

    /// Actions whose `text` is a chat message to the buyer, unless `to` names
    /// someone else (SPEC §6).
    public static let messageActions: [String] = ["notify", "request_review", "reply"]
    /// The rFBS statuses `set_status` may move a posting to.
    public static let settableStatuses: [String] = ["delivering", "last_mile", "delivered"]
    /// An alert's `level`s; the first is the default.
    public static let alertLevels: [String] = ["info", "warning", "urgent"]
    /// The longest buyer chat message, in Unicode characters (Ozon's limit).
    public static let maxMessageLength = 1000
    /// The longest alert text, in Unicode characters.
    public static let maxAlertLength = 4000

    /// Whether this is a chat message to the buyer: `notify`, `request_review`
    /// or `reply` with a `text`, and `to` absent or `"buyer"`. With any other
    /// `to` (`"seller"`, `"warehouse"`) it is a note for the seller's own team.
    public var isBuyerMessage: Bool {
        ActionDecision.messageActions.contains(action) && fields["text"] != nil && ActionDecision.addressesBuyer(fields)
    }

    static func addressesBuyer(_ fields: JSONObject) -> Bool {
        guard let to = fields["to"] else { return true }
        return to.stringValue == "buyer"
    }
}

/// What one hook decided, by hook.
public enum Decision: Sendable, Hashable {
    case packaging(PackagingDecision)
    case inserts([InsertDecision])
    case carrier(CarrierDecision)
    case returns(ReturnDecision)
    case cancellation(CancellationDecision)
    case actions([ActionDecision])
}

/// The validated decisions of one evaluation.
public struct Decisions: Sendable, Hashable {
    public var packaging: PackagingDecision?
    public var inserts: [InsertDecision]?
    public var carrier: CarrierDecision?
    public var returns: ReturnDecision?
    public var cancellation: CancellationDecision?
    /// The actions of every `transitions.lua` hook that ran, in run order.
    public var actions: [ActionDecision] = []

    public init(packaging: PackagingDecision? = nil, inserts: [InsertDecision]? = nil, carrier: CarrierDecision? = nil,
                returns: ReturnDecision? = nil, cancellation: CancellationDecision? = nil, actions: [ActionDecision] = []) {
        self.packaging = packaging
        self.inserts = inserts
        self.carrier = carrier
        self.returns = returns
        self.cancellation = cancellation
        self.actions = actions
    }

    /// Adds one hook's decision (actions accumulate; the others are one per evaluation).
    public mutating func add(_ decision: Decision) {
        switch decision {
        case .packaging(let value): packaging = value
        case .inserts(let value): inserts = value
        case .carrier(let value): carrier = value
        case .returns(let value): returns = value
        case .cancellation(let value): cancellation = value
        // (The first list is taken as is: no copy on the common path.)
        case .actions(let value): if actions.isEmpty { actions = value } else { actions.append(contentsOf: value) }
        }
    }
}

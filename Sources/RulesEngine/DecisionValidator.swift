import LuaKit
import PostingModel

/// A decision that breaks SPEC §3.3, with the field path that is wrong.
struct DecisionViolation: Error {
    var message: String
}

/// Validates what hooks return (SPEC §3.3) and decodes it into its Swift
/// value, in one pass. Field names outside a decision's schema are refused, so
/// a typo (`cots = 350`) is an error, not silence; transition actions may
/// carry extra fields.
///
/// The checks against the subject (units of the posting, what was paid) run
/// only when it is given: a recorded decision is decoded without them.
enum DecisionValidator {
    static func carrier(_ value: JSONValue) throws(DecisionViolation) -> CarrierDecision {
        let fields = try table(value, "carrier decision")
        try allowOnly(fields, Allowed.carrier, in: "carrier decision")
        let carrier = try requireString(fields, "carrier", nonEmpty: true)
        let service = try optionalString(fields, "service")
        let cost = try optionalInteger(fields, "cost", minimum: 0, money: true)
        let etaDays = try optionalInteger(fields, "eta_days", minimum: 0)
        let trackingNumber = try optionalString(fields, "tracking_number")
        let reason = try optionalString(fields, "reason")
        return CarrierDecision(carrier: carrier, service: service, cost: cost, etaDays: etaDays, trackingNumber: trackingNumber, reason: reason)
    }

    /// `products` nil: the shape only (no unit accounting).
    static func packaging(_ value: JSONValue, products: [Product]?) throws(DecisionViolation) -> PackagingDecision {
        let fields = try table(value, "packaging decision")
        try allowOnly(fields, Allowed.packaging, in: "packaging decision")
        let reason = try optionalString(fields, "reason")
        guard let packagesValue = fields["packages"] else {
            throw DecisionViolation(message: "packaging decision: field 'packages' is required")
        }
        guard let packages = packagesValue.arrayValue, !packages.isEmpty else {
            throw DecisionViolation(message: "packaging decision: 'packages' must be a non-empty list of packages")
        }
        var expected: [Int64: Int64] = [:]
        for product in products ?? [] { expected[product.sku, default: 0] += product.quantity }
        var packed: [Int64: Int64] = [:]
        var decoded: [PackagingDecision.Package] = []
        decoded.reserveCapacity(packages.count)
        for (index, package) in packages.enumerated() {
            func path() -> String { "packages[\(index + 1)]" }
            let packageFields = try table(package, path())
            try allowOnly(packageFields, Allowed.package, in: path())
            let box = try optionalString(packageFields, "box", path: path())
            let fragile = try optionalBool(packageFields, "fragile", path: path())
            let weight = try optionalInteger(packageFields, "weight_g", minimum: 0, path: path())
            let packageReason = try optionalString(packageFields, "reason", path: path())
            var materials: [String]?
            if let value = packageFields["materials"] {
                guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw DecisionViolation(message: "\(path()).materials must be a list of strings")
                }
                materials = list.map { $0.stringValue! }
            }
            guard let items = packageFields["items"]?.arrayValue, !items.isEmpty else {
                throw DecisionViolation(message: "\(path()).items must be a non-empty list of {sku, quantity}")
            }
            var decodedItems: [PackagingDecision.Item] = []
            decodedItems.reserveCapacity(items.count)
            for (itemIndex, item) in items.enumerated() {
                func itemPath() -> String { "\(path()).items[\(itemIndex + 1)]" }
                let itemFields = try table(item, itemPath())
                try allowOnly(itemFields, Allowed.packageItem, in: itemPath())
                guard let sku = integer(itemFields["sku"]) else {
                    throw DecisionViolation(message: "\(itemPath()).sku must be an integer SKU")
                }
                guard let quantity = integer(itemFields["quantity"]) else {
                    throw DecisionViolation(message: "\(itemPath()).quantity must be an integer")
                }
                guard quantity > 0 else {
                    throw DecisionViolation(message: "\(itemPath()).quantity must be positive, got \(quantity)")
                }
                if products != nil {
                    guard expected[sku] != nil else {
                        throw DecisionViolation(message: "\(itemPath()): SKU \(sku) is not in the posting")
                    }
                    packed[sku, default: 0] += quantity
                }
                decodedItems.append(PackagingDecision.Item(sku: sku, quantity: quantity))
            }
            decoded.append(PackagingDecision.Package(
                box: box, items: decodedItems, materials: materials, fragile: fragile, weightGrams: weight, reason: packageReason))
        }
        let decision = PackagingDecision(packages: decoded, reason: reason)
        guard expected != packed else { return decision }
        for sku in expected.keys.sorted() where packed[sku, default: 0] != expected[sku]! {
            let have = packed[sku, default: 0]
            let want = expected[sku]!
            let problem = have < want ? "\(want - have) unit(s) not packed" : "\(have - want) unit(s) more than ordered"
            throw DecisionViolation(message: "packages hold \(have) of SKU \(sku), the posting has \(want): \(problem)")
        }
        return decision
    }

    /// `texts` given: each insert's text is rendered over the posting and must
    /// hold no contact details; the recorded JSON is returned when a text changed.
    static func inserts(_ value: JSONValue, texts: PostingTexts? = nil) throws(DecisionViolation) -> ([InsertDecision], JSONValue?) {
        guard let items = value.arrayValue else {
            throw DecisionViolation(message: "inserts must be a list of {kind, text?, sku?}, got \(describe(value))")
        }
        var inserts: [InsertDecision] = []
        inserts.reserveCapacity(items.count)
        var rendered: [JSONValue]?
        for (index, item) in items.enumerated() {
            func path() -> String { "inserts[\(index + 1)]" }
            var fields = try table(item, path())
            try allowOnly(fields, Allowed.insert, in: path())
            let kind = try requireString(fields, "kind", nonEmpty: true, path: path())
            var text = try optionalString(fields, "text", path: path())
            let sku = try optionalInteger(fields, "sku", minimum: 1, path: path())
            let reason = try optionalString(fields, "reason", path: path())
            if let texts, let original = text {
                let final = texts.render(original)
                try checkForContacts(final, at: "\(path()).text", in: "parcel inserts")
                if final != original {
                    text = final
                    fields.updateValue(.string(final), forKey: "text")
                    if rendered == nil { rendered = items }
                    rendered![index] = .object(fields)
                }
            }
            inserts.append(InsertDecision(kind: kind, text: text, sku: sku, reason: reason))
        }
        return (inserts, rendered.map(JSONValue.array))
    }

    /// `paid` is what the buyer paid for the returned product, in minor units
    /// (nil: not checked).
    static func returns(_ value: JSONValue, paid: Int64?) throws(DecisionViolation) -> ReturnDecision {
        let fields = try table(value, "return decision")
        try allowOnly(fields, Allowed.returnDecision, in: "return decision")
        let actionName = try requireString(fields, "action", nonEmpty: true)
        guard let action = ReturnDecision.Action(rawValue: actionName) else {
            throw DecisionViolation(message: "action must be one of approve, reject, compensate, refund, manual_review; got '\(actionName)'")
        }
        let amount = try optionalInteger(fields, "amount", minimum: 0, money: true)
        let rejectionReasonID = try optionalInteger(fields, "rejection_reason_id", minimum: 0)
        let comment = try optionalString(fields, "comment")
        let reason = try optionalString(fields, "reason")
        if let amount, let paid, amount > paid {
            throw DecisionViolation(message: "amount \(amount) exceeds what the buyer paid for the returned product (\(paid))")
        }
        if action == .reject, (comment ?? "").isEmpty {
            throw DecisionViolation(message: "a 'reject' decision needs a comment for the buyer")
        }
        if action == .compensate, amount == nil {
            throw DecisionViolation(message: "a 'compensate' decision needs an amount")
        }
        return ReturnDecision(action: action, amount: amount, rejectionReasonID: rejectionReasonID, comment: comment, reason: reason)
    }

    /// `cancellations`: approve, or reject with a comment for the buyer.
    static func cancellation(_ value: JSONValue) throws(DecisionViolation) -> CancellationDecision {
        let fields = try table(value, "cancellation decision")
        try allowOnly(fields, Allowed.cancellationDecision, in: "cancellation decision")
        let actionName = try requireString(fields, "action", nonEmpty: true)
        guard let action = CancellationDecision.Action(rawValue: actionName) else {
            throw DecisionViolation(message: "action must be one of approve, reject; got '\(actionName)'")
        }
        let comment = try optionalString(fields, "comment")
        let reason = try optionalString(fields, "reason")
        if action == .reject, (comment ?? "").isEmpty {
            throw DecisionViolation(message: "a 'reject' decision needs a comment for the buyer (why the order cannot be cancelled)")
        }
        return CancellationDecision(action: action, comment: comment, reason: reason)
    }

    /// Actions may carry fields of their own; the known ones are checked:
    /// - `cancel` needs a positive integer `cancel_reason_id`;
    /// - `set_status` needs `status` `delivering`, `last_mile` or `delivered`;
    /// - `alert` needs a `text` of 1–4000 characters; `level` is `info` (the
    ///   default, filled in), `warning` or `urgent`;
    /// - `notify`, `request_review`, `reply` with a `text` and `to` absent or
    ///   `"buyer"` are chat messages to the buyer: with `texts`, the text is
    ///   rendered over the posting, must be 1–1000 characters and hold no
    ///   contact details. Any other `to` makes it a note for the seller's team.
    ///
    /// Returns the JSON to record when an action was rewritten.
    static func actions(_ value: JSONValue, texts: PostingTexts? = nil) throws(DecisionViolation) -> ([ActionDecision], JSONValue?) {
        guard let items = value.arrayValue else {
            throw DecisionViolation(message: "a transitions hook must return a list of actions, got \(describe(value))")
        }
        var actions: [ActionDecision] = []
        actions.reserveCapacity(items.count)
        var rewritten: [JSONValue]?
        for (index, item) in items.enumerated() {
            func path() -> String { "actions[\(index + 1)]" }
            var fields = try table(item, path())
            let action = try requireString(fields, "action", nonEmpty: true, path: path())
            let cancelReasonID = integer(fields["cancel_reason_id"])
            var changed = false
            switch action {
            case "cancel":
                guard let reason = cancelReasonID, reason > 0 else {
                    throw DecisionViolation(message: "\(path()): a 'cancel' action needs an integer cancel_reason_id")
                }
            case "set_status":
                let allowed = ActionDecision.settableStatuses
                guard let status = fields["status"]?.stringValue, allowed.contains(status) else {
                    let got = fields["status"].map(describe) ?? "nothing"
                    throw DecisionViolation(message: "\(path()): a 'set_status' action needs status "
                        + allowed.map { "'\($0)'" }.joined(separator: ", ") + " (rFBS), got \(got)")
                }
            case "alert":
                let text = try requireString(fields, "text", nonEmpty: true, path: path())
                try checkLength(text, maximum: ActionDecision.maxAlertLength, at: "\(path()).text")
                if let level = fields["level"] {
                    guard let name = level.stringValue, ActionDecision.alertLevels.contains(name) else {
                        throw DecisionViolation(message: "\(path()).level must be one of "
                            + ActionDecision.alertLevels.joined(separator: ", ") + ", got \(describe(level))")
                    }
                } else {
                    fields.updateValue(.string(ActionDecision.alertLevels[0]), forKey: "level")
                    fields = fields.sortedByKey()
                    changed = true
                }
            case _ where ActionDecision.messageActions.contains(action):
                if let to = fields["to"], to.stringValue?.isEmpty != false {
                    throw DecisionViolation(message: "field '\(path()).to' must be a non-empty string (\"buyer\", \"seller\", ...), got \(describe(to))")
                }
                if action == "request_review" { _ = try optionalInteger(fields, "delay_hours", minimum: 0, path: path()) }
                guard let texts, ActionDecision.addressesBuyer(fields), let original = try optionalString(fields, "text", path: path())
                else { break }
                let text = texts.render(original)
                try checkLength(text, maximum: ActionDecision.maxMessageLength, at: "\(path()).text")
                try checkForContacts(text, at: "\(path()).text", in: "messages to buyers")
                if text != original {
                    fields.updateValue(.string(text), forKey: "text")
                    changed = true
                }
            default:
                break
            }
            if changed {
                if rewritten == nil { rewritten = items }
                rewritten![index] = .object(fields)
            }
            actions.append(ActionDecision(action: action, cancelReasonID: cancelReasonID, fields: fields))
        }
        return (actions, rewritten.map(JSONValue.array))
    }

    /// A text that is empty or longer than `maximum` Unicode characters (code points, as Ozon counts them).
    static func checkLength(_ text: String, maximum: Int, at path: @autoclosure () -> String) throws(DecisionViolation) {
        let length = text.unicodeScalars.count
        guard length >= 1, length <= maximum else {
            throw DecisionViolation(message: "\(path()) must be 1–\(maximum) characters, got \(length)")
        }
    }

    /// A link, an e-mail address, a phone number or a messenger handle in a text for buyers.
    static func checkForContacts(_ text: String, at path: @autoclosure () -> String, in what: String) throws(DecisionViolation) {
        guard let found = ContactDetector.firstContact(in: text) else { return }
        throw DecisionViolation(message: "\(path()) contains \(found); Ozon forbids contact details in \(what)")
    }

    // MARK: - Helpers

    /// Field names each decision may use (short lists: a linear search of
    /// ASCII names beats hashing them).
    enum Allowed {
        static let carrier: [String] = ["carrier", "service", "cost", "eta_days", "tracking_number", "reason"]
        static let packaging: [String] = ["packages", "reason"]
        static let package: [String] = ["box", "items", "materials", "fragile", "weight_g", "reason"]
        static let packageItem: [String] = ["sku", "quantity"]
        static let insert: [String] = ["kind", "text", "sku", "reason"]
        static let returnDecision: [String] = ["action", "amount", "rejection_reason_id", "comment", "reason"]
        static let cancellationDecision: [String] = ["action", "comment", "reason"]
    }

    // Paths are autoclosures: they are only spelled out for an error message.

    private static func table(_ value: JSONValue, _ what: @autoclosure () -> String) throws(DecisionViolation) -> JSONObject {
        // The empty table reads as an empty list; it counts as empty fields too.
        let fields: JSONObject
        switch value {
        case .object(let object): fields = object
        case .array(let items) where items.isEmpty: fields = JSONObject()
        default:
            throw DecisionViolation(message: "\(what()) must be a table with named fields, got \(describe(value))")
        }
        return fields
    }

    private static func allowOnly(
        _ fields: JSONObject, _ allowed: [String], in what: @autoclosure () -> String
    ) throws(DecisionViolation) {
        guard fields.contains(where: { !allowed.contains($0.key) }) else { return }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw DecisionViolation(message: "\(what()): unknown field '\(unknown)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private static func name(_ key: String, _ path: () -> String?) -> String { path().map { "\($0).\(key)" } ?? key }

    private static func requireString(
        _ fields: JSONObject, _ key: String, nonEmpty: Bool, path: @autoclosure () -> String? = nil
    ) throws(DecisionViolation) -> String {
        guard let value = fields[key] else { throw DecisionViolation(message: "field '\(name(key, path))' is required") }
        guard let text = value.stringValue, !(nonEmpty && text.isEmpty) else {
            throw DecisionViolation(message: "field '\(name(key, path))' must be a non-empty string, got \(describe(value))")
        }
        return text
    }

    private static func optionalString(
        _ fields: JSONObject, _ key: String, path: @autoclosure () -> String? = nil
    ) throws(DecisionViolation) -> String? {
        guard let value = fields[key] else { return nil }
        guard let text = value.stringValue else {
            throw DecisionViolation(message: "field '\(name(key, path))' must be a string, got \(describe(value))")
        }
        return text
    }

    private static func optionalBool(
        _ fields: JSONObject, _ key: String, path: @autoclosure () -> String? = nil
    ) throws(DecisionViolation) -> Bool? {
        guard let value = fields[key] else { return nil }
        guard let flag = value.boolValue else {
            throw DecisionViolation(message: "field '\(name(key, path))' must be a boolean, got \(describe(value))")
        }
        return flag
    }

    private static func optionalInteger(
        _ fields: JSONObject, _ key: String, minimum: Int64, money: Bool = false, path: @autoclosure () -> String? = nil
    ) throws(DecisionViolation) -> Int64? {
        guard let value = fields[key] else { return nil }
        guard let integer = integer(value) else {
            let hint = money ? " of minor units (kopecks); use rub() or // for whole numbers" : ""
            throw DecisionViolation(message: "field '\(name(key, path))' must be an integer\(hint), got \(describe(value))")
        }
        guard integer >= minimum else {
            throw DecisionViolation(message: "field '\(name(key, path))' must be at least \(minimum), got \(integer)")
        }
        return integer
    }

    /// An integer a script returned (a float, even an integral one, is not).
    private static func integer(_ value: JSONValue?) -> Int64? {
        guard case .number(let number)? = value, number.isInteger else { return nil }
        return number.int64Value
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "nil"
        case .bool(let flag): "\(flag)"
        case .number(let number): number.isInteger ? number.literal : "\(number.literal) (a float)"
        case .string(let text): "\"\(text)\""
        case .array: "a list"
        case .object: "a table"
        }
    }

    static func describe(_ value: LuaValue) -> String {
        switch value {
        case .nil: "nil"
        case .boolean(let flag): "\(flag)"
        case .integer(let integer): "\(integer)"
        case .number(let number): "\(number) (a float)"
        case .string(let text): "\"\(text)\""
        case .array: "a list"
        case .table: "a table"
        }
    }
}

/// Which return flow an event came from.
public enum ReturnSchema: String, Sendable, Hashable, CaseIterable, Codable {
    /// `/v1/returns/list` (Ozon logistics).
    case fbs = "FBS"
    /// `/v2/returns/rfbs/list` and `/get` (the buyer asks the seller).
    case rfbs = "rFBS"
}

/// A return event, normalised from an FBS or an rFBS return item.
///
/// `fields` (what `returns.lua` sees as `ret`) always has `return_id`, `posting_number`, `schema`,
/// `reason` (text, `""` when Ozon gives none), `product` {`sku`, `offer_id`, `name`, `quantity`
/// (1 when absent), `price` (minor units), `currency`}, `is_defect` where known and `created_at`
/// where known, followed by the rest of Ozon's fields under their own names (normalised like a
/// posting's: nulls dropped, string IDs to integers).
public struct ReturnEvent: Sendable, Hashable {
    /// `return_id` (rFBS) or `id` (FBS). 0 for an rFBS request read without one: Ozon's
    /// `/v2/returns/rfbs/get` answer does not echo it (ozon-api-actions.md §2.2); `returnNumber`
    /// then names the request, and `fields` has no `return_id`.
    public var returnID: Int64
    /// `return_number` (rFBS), where given.
    public var returnNumber: String?
    /// Whether Ozon's answer carried the return id (`return_id` or `id`).
    public var hasReturnID: Bool { fields["return_id"] != nil }
    /// The request's key: the return id, or `return_number` when the answer has no id.
    public var key: String { hasReturnID ? String(returnID) : (returnNumber ?? String(returnID)) }
    /// The posting the return belongs to.
    public var postingNumber: String
    /// The returned product; `price` is the unit price.
    public var product: Product
    /// The buyer's reason as text; `""` when Ozon gives none.
    public var reason: String
    /// Whether the buyer reports a defect (rFBS `return_reason.is_defect`); `nil` when unknown.
    public var isDefect: Bool?
    /// When the return was created (UTC ISO 8601), where known.
    public var createdAt: String?
    /// FBS or rFBS.
    public var schema: ReturnSchema
    /// The normalised return, as handed to Lua.
    public var fields: JSONObject

    /// A return from its parts; `fields` is taken as already normalised.
    public init(
        returnID: Int64, postingNumber: String, product: Product, reason: String, isDefect: Bool?,
        createdAt: String?, schema: ReturnSchema, fields: JSONObject
    ) {
        self.returnID = returnID
        self.postingNumber = postingNumber
        self.product = product
        self.reason = reason
        self.isDefect = isDefect
        self.createdAt = createdAt
        self.schema = schema
        self.fields = fields
        self.returnNumber = fields["return_number"]?.stringValue
    }

    /// An rFBS request without `return_id` (the `get` answer): no FBS `id`, and the fields only
    /// rFBS requests have.
    static func looksLikeRFBSRequest(_ o: JSONObject) -> Bool {
        guard !o.contains(key: "id"), o.contains(key: "product") else { return false }
        return o.contains(key: "return_number") || o.contains(key: "available_actions") || o.contains(key: "rejection_reason")
            || o.contains(key: "client_return_method_type")
    }

    /// Decodes one return item:
    /// - FBS (`/v1/returns/list`): `id` → `return_id`, `return_reason_name` → `reason`,
    ///   `product.price {price, currency_code}` → minor units (also `price_without_commission` and
    ///   `commission`), `created_at` from `logistic.return_date`, else `visual.change_moment`.
    ///   FBO returns (`schema` `Fbo`) are refused: the host does not handle them.
    /// - rFBS (`/v2/returns/rfbs/list` and `/get`, recognised by `return_id`): `product.price` as a
    ///   decimal string or a number with `product.currency_code`; `return_reason {name, is_defect}`
    ///   → `reason`, `is_defect`.
    ///
    /// - rFBS without `return_id` (Ozon's own `/v2/returns/rfbs/get` example): recognised by
    ///   `return_number`, `available_actions`, `rejection_reason` or `client_return_method_type`
    ///   and no `id`; `return_number` is the key, `return_id` stays out of `fields`, `returnID` is 0.
    ///
    /// Required: the return id (or, rFBS, `return_number`), `posting_number`, `product` with
    /// `sku` and `price`.
    public init(json: JSONValue) throws(ItemDecodingError) {
        guard case .object(let raw) = json else {
            throw ItemDecodingError(field: nil, message: "expected a return object, got \(json.kindName)")
        }
        try self.init(object: raw)
    }

    /// Decodes one return object; see `init(json:)`.
    public init(object raw: JSONObject) throws(ItemDecodingError) {
        let isRFBS = raw.contains(key: "return_id") || ReturnEvent.looksLikeRFBSRequest(raw)
        let idKey = isRFBS ? "return_id" : "id"
        let postingNumber = raw["posting_number"]?.stringValue
        // Without return_id (Ozon's `get` answer), `return_number` is the documented fallback key.
        let returnNumber = ReturnEvent.nonEmptyString(raw["return_number"])
        let returnID: Int64?
        if let idValue = raw[idKey], !idValue.isNull {
            guard let id = Normalize.lenientInt64(idValue) else {
                throw .invalid(idKey, "expected an integer, got \(Posting.describe(idValue))", postingNumber)
            }
            returnID = id
        } else if isRFBS, returnNumber != nil {
            returnID = nil
        } else {
            throw .missing(idKey, postingNumber)
        }
        guard let postingNumber, !postingNumber.isEmpty else {
            if let v = raw["posting_number"], !v.isNull {
                throw .invalid("posting_number", "expected a non-empty string, got \(Posting.describe(v))")
            }
            throw .missing("posting_number")
        }

        let schema: ReturnSchema
        if isRFBS {
            schema = .rfbs
        } else {
            switch raw["schema"]?.stringValue?.uppercased() {
            case nil, "FBS": schema = .fbs
            case "RFBS": schema = .rfbs
            case let other?:
                throw .invalid("schema", "\(other) returns are not handled (only FBS and rFBS)", postingNumber)
            }
        }

        guard let productValue = raw["product"], !productValue.isNull else { throw .missing("product", postingNumber) }
        guard case .object(let p) = productValue else {
            throw .invalid("product", "expected an object, got \(productValue.kindName)", postingNumber)
        }
        let (product, productFields) = try ReturnEvent.normaliseProduct(p, postingNumber: postingNumber)

        var reason = ""
        var isDefect: Bool?
        if case .object(let r)? = raw["return_reason"] {
            reason = r["name"]?.stringValue ?? ""
            isDefect = r["is_defect"]?.boolValue
        } else if let s = raw["return_reason"]?.stringValue {
            reason = s
        }
        if reason.isEmpty, let s = raw["return_reason_name"]?.stringValue { reason = s }
        if isDefect == nil { isDefect = raw["is_defect"]?.boolValue }

        var createdAt = ReturnEvent.nonEmptyString(raw["created_at"])
        if createdAt == nil { createdAt = ReturnEvent.nonEmptyString(raw["logistic"]?["return_date"]) }
        if createdAt == nil { createdAt = ReturnEvent.nonEmptyString(raw["visual"]?["change_moment"]) }

        var out = JSONObject(minimumCapacity: raw.count + 6)
        if let returnID { out.appendUnchecked("return_id", .number(JSONNumber(integer: returnID))) }
        out.appendUnchecked("posting_number", .string(postingNumber))
        out.appendUnchecked("schema", .string(schema.rawValue))
        out.appendUnchecked("reason", .string(reason))
        if let isDefect { out.appendUnchecked("is_defect", .bool(isDefect)) }
        if let createdAt { out.appendUnchecked("created_at", .string(createdAt)) }
        out.appendUnchecked("product", .object(productFields))
        for entry in raw.storage {
            let key = entry.key, value = entry.value
            switch key {
            case "return_id", "posting_number", "schema", "reason", "is_defect", "created_at", "product":
                continue
            default:
                if value.isNull { continue }
                var v = value
                switch v {
                case .string(let s):
                    if Normalize.isIDKey(key), let n = Normalize.integer(fromDigits: s) { v = .number(JSONNumber(integer: n)) }
                case .object, .array:
                    Normalize.value(&v)
                default:
                    break
                }
                out.append(key, v, hash: entry.hash)
            }
        }
        // Ozon's own `schema` spelling ("Fbs") is replaced by ours; keep it for reference.
        if let original = raw["schema"]?.stringValue, original != schema.rawValue {
            out.appendUnchecked("ozon_schema", .string(original))
        }

        self.init(
            returnID: returnID ?? 0, postingNumber: postingNumber, product: product, reason: reason,
            isDefect: isDefect, createdAt: createdAt, schema: schema, fields: out)
    }

    /// Rebuilds a return from fields that are already normalised (as stored by the host).
    public init(normalizedFields fields: JSONObject) throws(ItemDecodingError) {
        let number = fields["posting_number"]?.stringValue
        let id: Int64
        if let given = fields["return_id"]?.int64Value {
            id = given
        } else if fields["return_number"]?.stringValue != nil {
            id = 0
        } else {
            throw .missing("return_id", number)
        }
        guard let number else { throw .missing("posting_number") }
        guard case .object(let p)? = fields["product"] else { throw .missing("product", number) }
        guard let sku = p["sku"]?.int64Value else { throw .missing("product.sku", number) }
        guard let price = p["price"]?.int64Value else { throw .missing("product.price", number) }
        let schema = fields["schema"]?.stringValue.flatMap(ReturnSchema.init(rawValue:)) ?? .fbs
        self.init(
            returnID: id, postingNumber: number,
            product: Product(
                sku: sku, offerID: p["offer_id"]?.stringValue ?? "", name: p["name"]?.stringValue ?? "",
                quantity: p["quantity"]?.int64Value ?? 1,
                price: Money(minorUnits: price, currency: p["currency"]?.stringValue ?? Money.defaultCurrency)),
            reason: fields["reason"]?.stringValue ?? "", isDefect: fields["is_defect"]?.boolValue,
            createdAt: fields["created_at"]?.stringValue, schema: schema, fields: fields)
    }

    static func nonEmptyString(_ v: JSONValue?) -> String? {
        guard case .string(let s)? = v, !s.isEmpty else { return nil }
        return s
    }

    static func normaliseProduct(_ p: JSONObject, postingNumber: String) throws(ItemDecodingError) -> (Product, JSONObject) {
        guard let skuValue = p["sku"], !skuValue.isNull else { throw .missing("product.sku", postingNumber) }
        guard let sku = Normalize.lenientInt64(skuValue) else {
            throw .invalid("product.sku", "expected an integer SKU, got \(Posting.describe(skuValue))", postingNumber)
        }
        var quantity: Int64 = 1
        if let q = p["quantity"], !q.isNull {
            guard let v = Normalize.lenientInt64(q), v >= 1 else {
                throw .invalid("product.quantity", "expected a positive integer, got \(Posting.describe(q))", postingNumber)
            }
            quantity = v
        }
        guard let priceValue = p["price"], !priceValue.isNull else { throw .missing("product.price", postingNumber) }
        let currency = p["currency_code"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            ?? p["currency"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            ?? Money.defaultCurrency
        let price: Money
        do {
            price = try Money(json: priceValue, currency: currency)
        } catch {
            throw .invalid("product.price", error.description, postingNumber)
        }

        var out = JSONObject(minimumCapacity: p.count + 2)
        out.appendUnchecked("sku", .number(JSONNumber(integer: sku)))
        out.appendUnchecked("offer_id", .string(p["offer_id"]?.stringValue ?? ""))
        out.appendUnchecked("name", .string(p["name"]?.stringValue ?? ""))
        out.appendUnchecked("quantity", .number(JSONNumber(integer: quantity)))
        out.appendUnchecked("price", .number(JSONNumber(integer: price.minorUnits)))
        out.appendUnchecked("currency", .string(price.currency))
        for entry in p.storage {
            let key = entry.key, value = entry.value
            switch key {
            case "sku", "offer_id", "name", "quantity", "price", "currency", "currency_code":
                continue
            case "price_without_commission", "commission":
                // Same {price, currency_code} shape as the price.
                if case .object(var o) = value {
                    Normalize.object(&o)
                    Normalize.moneyFields(&o, ["price"])
                    out.append(key, .object(o), hash: entry.hash)
                } else if let units = Normalize.minorUnits(value) {
                    out.append(key, .number(JSONNumber(integer: units)), hash: entry.hash)
                }
            default:
                if value.isNull { continue }
                var v = value
                Normalize.value(&v)
                if case .string(let s) = v, Normalize.isIDKey(key), let n = Normalize.integer(fromDigits: s) {
                    v = .number(JSONNumber(integer: n))
                }
                out.append(key, v, hash: entry.hash)
            }
        }
        let product = Product(
            sku: sku, offerID: p["offer_id"]?.stringValue ?? "", name: p["name"]?.stringValue ?? "",
            quantity: quantity, price: price)
        return (product, out)
    }
}

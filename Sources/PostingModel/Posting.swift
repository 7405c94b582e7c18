/// One product line of a posting (or the product of a return).
public struct Product: Sendable, Hashable {
    /// Ozon's SKU.
    public var sku: Int64
    /// The seller's article code (`""` when Ozon did not send one).
    public var offerID: String
    /// The product name (`""` when absent).
    public var name: String
    /// Units of this product; at least 1.
    public var quantity: Int64
    /// The unit price.
    public var price: Money

    /// A product line from its parts.
    public init(sku: Int64, offerID: String, name: String, quantity: Int64, price: Money) {
        self.sku = sku
        self.offerID = offerID
        self.name = name
        self.quantity = quantity
        self.price = price
    }
}

/// An FBS/rFBS posting, normalised.
///
/// The typed properties are what the host needs; `fields` is the whole posting as rule scripts see
/// it (SPEC §3.2): Ozon's snake_case names, v3/v4 differences removed, money in integer minor units.
/// See `Posting.init(json:)` for the exact rules.
public struct Posting: Sendable, Hashable {
    /// The posting number, an opaque string such as `61930528-0117-1`.
    public var postingNumber: String
    /// The current status.
    public var status: PostingStatus
    /// Ozon's substatus (`posting_created`, ...), as a string.
    public var substatus: String?
    /// The product lines, in Ozon's order.
    public var products: [Product]
    /// The packing deadline (`shipment_date`), as Ozon sent it (UTC ISO 8601).
    public var shipmentDate: String?
    /// Ozon Express (`is_express`); false when absent.
    public var isExpress: Bool
    /// Sum of price × quantity over the products; `nil` if they are in different currencies.
    public var total: Money?
    /// The normalised posting, as handed to Lua.
    public var fields: JSONObject

    /// A posting from its parts; `fields` is taken as already normalised.
    public init(
        postingNumber: String, status: PostingStatus, substatus: String?, products: [Product],
        shipmentDate: String?, isExpress: Bool, total: Money?, fields: JSONObject
    ) {
        self.postingNumber = postingNumber
        self.status = status
        self.substatus = substatus
        self.products = products
        self.shipmentDate = shipmentDate
        self.isExpress = isExpress
        self.total = total
        self.fields = fields
    }

    /// Decodes and normalises one posting as Ozon sends it (v4 list/unfulfilled, v3 list, v3 get).
    ///
    /// Required: `posting_number` (a non-empty string), `status` (one of `PostingStatus`),
    /// `products` (a non-empty array), and for every product `sku`, `quantity` (≥ 1) and `price`.
    ///
    /// Normalisation of `fields`, beyond the generic rules (nulls removed, string IDs to integers,
    /// `{amount, currency}` amounts to minor units):
    /// - `products[].price` → integer minor units, `products[].currency` from v3 `currency_code` or
    ///   v4 `price.currency` (RUB when neither is given); `currency_code` is removed;
    /// - `products[].weight` (v4, kilograms) → `weight_g` integer grams, read from the literal
    ///   (a zero weight means unknown and is dropped);
    /// - `products[].dimensions` (v3 get, strings in mm and g) → `dims_mm {length, width, height}` and
    ///   `weight_g`;
    /// - `tariffication` given as an array → its first object (dropped when empty); its `*_charge`
    ///   amounts → minor units;
    /// - `financial_data.products[]` `price`, `old_price`, `payout`, `customer_price`,
    ///   `total_discount_value`, `commission_amount` → minor units; `delivery_price` and
    ///   `prr_option.price` → minor units;
    /// - adds `total` (Σ price × quantity, minor units) and `currency` when all products share one.
    ///
    /// Other numbers keep their literal (non-integers stay floats).
    public init(json: JSONValue) throws(ItemDecodingError) {
        guard case .object(let object) = json else {
            throw ItemDecodingError(field: nil, message: "expected a posting object, got \(json.kindName)")
        }
        try self.init(object: consume object)
    }

    /// Decodes and normalises one posting object; see `init(json:)`.
    public init(object raw: consuming JSONObject) throws(ItemDecodingError) {
        let number = try Posting.requirePostingNumber(raw)
        let status = try Posting.requireStatus(raw, number)
        guard let productsValue = raw[Keys.products] else { throw .missing("products", number) }
        guard case .array(let rawProducts) = productsValue else {
            throw .invalid("products", "expected an array, got \(productsValue.kindName)", number)
        }
        if rawProducts.isEmpty { throw .invalid("products", "a posting needs at least one product", number) }

        var products: [Product] = []
        products.reserveCapacity(rawProducts.count)
        var normalisedProducts: [JSONValue] = []
        normalisedProducts.reserveCapacity(rawProducts.count)
        for (i, p) in rawProducts.enumerated() {
            let (product, fields) = try Posting.normaliseProduct(p, index: i, postingNumber: number)
            products.append(product)
            normalisedProducts.append(.object(fields))
        }
        let total = try Posting.total(of: products, postingNumber: number)

        let substatus = raw[Keys.substatus]?.stringValue
        let shipmentDate = raw[Keys.shipmentDate]?.stringValue
        let isExpress = raw[Keys.isExpress]?.boolValue ?? false

        // Normalised in place: when the caller hands over a uniquely owned object (the input
        // decoder does), no container is copied.
        var fields = consume raw
        var dropNulls = false
        for i in fields.storage.indices {
            guard Posting.specialKeyHashes.contains(fields.storage[i].hash) else {
                // Most keys need only the generic rules; the hash check skips the string switch.
                if Normalize.member(&fields.storage[i]) { dropNulls = true }
                continue
            }
            let key = fields.storage[i].key
            var value = fields.storage[i].value
            fields.storage[i].value = .null  // `value` is now the only reference
            switch key {
            case "products":
                value = .array(normalisedProducts)
            case "total", "currency":
                value = .null  // ours, added below
            case "tariffication":
                value = Posting.normaliseTariffication(value) ?? .null
            case "financial_data":
                if case .object(var fd) = value {
                    value = .null
                    Normalize.object(&fd)
                    Normalize.withObjectArray(&fd, "products") {
                        Normalize.moneyFields(&$0, Posting.financialMoneyKeys)
                    }
                    value = .object(fd)
                } else {
                    value = .null
                }
            case "tariffication_steps":
                Normalize.value(&value)
                if case .array = value {
                    var holder: JSONObject = ["steps": value]
                    value = .null
                    Normalize.withObjectArray(&holder, "steps") { Normalize.moneyFields(&$0, ["tariff_charge", "min_charge"]) }
                    value = holder["steps"] ?? .null
                }
            case "delivery_price":
                if let units = Normalize.minorUnits(value) { value = .number(JSONNumber(integer: units)) }
            case "prr_option":
                Normalize.value(&value)
                if case .object(var o) = value {
                    value = .null
                    Normalize.moneyFields(&o, ["price"])
                    value = .object(o)
                }
            default:
                // A hash collision with a special key: the generic rules apply.
                fields.storage[i].value = value
                if Normalize.member(&fields.storage[i]) { dropNulls = true }
                continue
            }
            if value.isNull { dropNulls = true }
            fields.storage[i].value = value
        }
        if dropNulls { fields.removeAll { $0.value.isNull } }
        if let total {
            fields.appendUnchecked("total", .number(JSONNumber(integer: total.minorUnits)))
            fields.appendUnchecked("currency", .string(total.currency))
        }

        self.init(
            postingNumber: number,
            status: status,
            substatus: substatus,
            products: products,
            shipmentDate: shipmentDate,
            isExpress: isExpress,
            total: total,
            fields: fields
        )
    }

    /// Rebuilds a posting from fields that are already normalised (as stored by the host): prices
    /// are read as minor units and nothing is converted again.
    public init(normalizedFields fields: JSONObject) throws(ItemDecodingError) {
        let number = try Posting.requirePostingNumber(fields)
        let status = try Posting.requireStatus(fields, number)
        guard case .array(let rawProducts)? = fields["products"] else { throw .missing("products", number) }
        var products: [Product] = []
        for (i, p) in rawProducts.enumerated() {
            let path = "products[\(i)]"
            guard case .object(let o) = p else { throw .invalid(path, "expected an object, got \(p.kindName)", number) }
            guard let sku = o["sku"]?.int64Value else { throw .missing(path + ".sku", number) }
            guard let quantity = o["quantity"]?.int64Value else { throw .missing(path + ".quantity", number) }
            guard let price = o["price"]?.int64Value else { throw .missing(path + ".price", number) }
            products.append(Product(
                sku: sku, offerID: o["offer_id"]?.stringValue ?? "", name: o["name"]?.stringValue ?? "",
                quantity: quantity,
                price: Money(minorUnits: price, currency: o["currency"]?.stringValue ?? Money.defaultCurrency)))
        }
        var total: Money?
        if let t = fields["total"]?.int64Value, let c = fields["currency"]?.stringValue {
            total = Money(minorUnits: t, currency: c)
        }
        self.init(
            postingNumber: number, status: status, substatus: fields["substatus"]?.stringValue,
            products: products, shipmentDate: fields["shipment_date"]?.stringValue,
            isExpress: fields["is_express"]?.boolValue ?? false, total: total, fields: fields)
    }

    /// A copy in a new status (and substatus), with `fields` updated to match.
    public func withStatus(_ newStatus: PostingStatus, substatus newSubstatus: String?) -> Posting {
        var copy = self
        copy.status = newStatus
        copy.substatus = newSubstatus
        copy.fields["status"] = .string(newStatus.rawValue)
        copy.fields["substatus"] = newSubstatus.map(JSONValue.string)
        return copy
    }

    // MARK: Pieces

    /// Hashes of the top-level keys with their own rules in `init(object:)`.
    static let specialKeyHashes: [UInt32] = [
        "products", "total", "currency", "tariffication", "tariffication_steps", "financial_data",
        "delivery_price", "prr_option",
    ].map { JSONObject.hashKey($0) }

    static let financialMoneyKeys: Set<String> = [
        "price", "old_price", "payout", "customer_price", "total_discount_value", "commission_amount",
    ]

    static func requirePostingNumber(_ raw: JSONObject) throws(ItemDecodingError) -> String {
        guard let v = raw[Keys.postingNumber], !v.isNull else { throw .missing("posting_number") }
        guard case .string(let s) = v, !s.isEmpty else {
            throw .invalid("posting_number", "expected a non-empty string, got \(describe(v))")
        }
        return s
    }

    static func requireStatus(_ raw: JSONObject, _ number: String) throws(ItemDecodingError) -> PostingStatus {
        guard let v = raw[Keys.status], !v.isNull else { throw .missing("status", number) }
        guard case .string(let s) = v else { throw .invalid("status", "expected a string, got \(describe(v))", number) }
        guard let status = PostingStatus(rawValue: s) else { throw .invalid("status", "unknown status \"\(s)\"", number) }
        return status
    }

    /// A short rendering of a JSON value for messages.
    static func describe(_ v: JSONValue) -> String {
        let text = JSONWriter.write(v)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    static func normaliseProduct(
        _ value: JSONValue, index: Int, postingNumber: String
    ) throws(ItemDecodingError) -> (Product, JSONObject) {
        var path: String { "products[\(index)]" }  // built only for an error
        guard case .object(let p) = value else {
            throw .invalid(path, "expected an object, got \(value.kindName)", postingNumber)
        }
        guard let skuValue = p[Keys.sku], !skuValue.isNull else { throw .missing(path + ".sku", postingNumber) }
        guard let sku = Normalize.lenientInt64(skuValue) else {
            throw .invalid(path + ".sku", "expected an integer SKU, got \(describe(skuValue))", postingNumber)
        }
        guard let qValue = p[Keys.quantity], !qValue.isNull else { throw .missing(path + ".quantity", postingNumber) }
        guard let quantity = Normalize.lenientInt64(qValue), quantity >= 1 else {
            throw .invalid(path + ".quantity", "expected a positive integer, got \(describe(qValue))", postingNumber)
        }
        guard let priceValue = p[Keys.price], !priceValue.isNull else { throw .missing(path + ".price", postingNumber) }
        let currency = p[Keys.currencyCode]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            ?? p[Keys.currency]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            ?? Money.defaultCurrency
        let price: Money
        do {
            price = try Money(json: priceValue, currency: currency)
        } catch {
            throw .invalid(path + ".price", error.description, postingNumber)
        }

        var weightG: Int64?
        if let w = p[Keys.weight], let g = Normalize.scaled(w, fractionDigits: 3), g > 0 { weightG = g }
        var dims: JSONObject?
        var dimensionsConverted = false
        if case .object(let d)? = p[Keys.dimensions] {
            let l = d[Keys.length].flatMap { Normalize.scaled($0, fractionDigits: 0) }
            let w = d[Keys.width].flatMap { Normalize.scaled($0, fractionDigits: 0) }
            let h = d[Keys.height].flatMap { Normalize.scaled($0, fractionDigits: 0) }
            if let l, let w, let h {
                dimensionsConverted = true
                if l > 0 || w > 0 || h > 0 {
                    dims = ["length": .number(JSONNumber(integer: l)), "width": .number(JSONNumber(integer: w)),
                            "height": .number(JSONNumber(integer: h))]
                }
                if weightG == nil, let g = d[Keys.weight].flatMap({ Normalize.scaled($0, fractionDigits: 0) }), g > 0 {
                    weightG = g
                }
            }
        }

        var out = JSONObject(minimumCapacity: p.count + 3)
        for entry in p.storage {
            let key = entry.key, v = entry.value
            switch key {
            case "sku":
                out.append(key, .number(JSONNumber(integer: sku)), hash: entry.hash)
            case "quantity":
                out.append(key, .number(JSONNumber(integer: quantity)), hash: entry.hash)
            case "price":
                out.append(key, .number(JSONNumber(integer: price.minorUnits)), hash: entry.hash)
                out.appendUnchecked("currency", .string(price.currency))
            case "currency", "currency_code", "weight_g", "dims_mm":
                continue  // replaced by ours
            case "weight":
                if let weightG, !out.contains(key: "weight_g") { out.appendUnchecked("weight_g", .number(JSONNumber(integer: weightG))) }
            case "dimensions":
                if dimensionsConverted {
                    if let dims { out.appendUnchecked("dims_mm", .object(dims)) }
                    if let weightG, !out.contains(key: "weight_g") {
                        out.appendUnchecked("weight_g", .number(JSONNumber(integer: weightG)))
                    }
                } else if !v.isNull {
                    var copy = v
                    Normalize.value(&copy)
                    out.append(key, copy, hash: entry.hash)
                }
            default:
                if v.isNull { continue }
                var copy = v
                switch copy {
                case .string(let s):
                    if Normalize.isIDKey(key), let n = Normalize.integer(fromDigits: s) { copy = .number(JSONNumber(integer: n)) }
                case .object, .array:
                    Normalize.value(&copy)
                default:
                    break
                }
                out.append(key, copy, hash: entry.hash)
            }
        }
        let product = Product(
            sku: sku, offerID: p[Keys.offerId]?.stringValue ?? "", name: p[Keys.name]?.stringValue ?? "",
            quantity: quantity, price: price)
        return (product, out)
    }

    static func total(of products: [Product], postingNumber: String) throws(ItemDecodingError) -> Money? {
        guard let currency = products.first?.price.currency else { return nil }
        var sum = Money(minorUnits: 0, currency: currency)
        for p in products {
            guard p.price.currency == currency else { return nil }
            do {
                sum = try sum.adding(p.price.multiplied(by: p.quantity))
            } catch {
                throw .invalid("products", "total amount out of range (\(error.description))", postingNumber)
            }
        }
        return sum
    }

    /// `tariffication`: an array (2025 v3) becomes its first object; charges become minor units.
    static func normaliseTariffication(_ value: JSONValue) -> JSONValue? {
        var v: JSONValue
        switch value {
        case .array(let a):
            guard let first = a.first(where: { $0.objectValue != nil }) else { return nil }
            v = first
        case .object:
            v = value
        default:
            return nil
        }
        Normalize.value(&v)
        guard case .object(var o) = v else { return v }
        // v3 writes charges as decimal strings beside a *_currency_code; v4 uses money objects,
        // which the generic walk has already converted.
        for i in o.storage.indices where o.storage[i].key.hasSuffix("_charge") {
            if let units = Normalize.minorUnits(o.storage[i].value) {
                o.storage[i].value = .number(JSONNumber(integer: units))
            }
        }
        return .object(o)
    }
}

/// Fixed keys read on every posting, hashed once.
enum Keys {
    static let currency = JSONKey("currency")
    static let currencyCode = JSONKey("currency_code")
    static let dimensions = JSONKey("dimensions")
    static let height = JSONKey("height")
    static let isExpress = JSONKey("is_express")
    static let length = JSONKey("length")
    static let name = JSONKey("name")
    static let offerId = JSONKey("offer_id")
    static let postingNumber = JSONKey("posting_number")
    static let price = JSONKey("price")
    static let products = JSONKey("products")
    static let quantity = JSONKey("quantity")
    static let shipmentDate = JSONKey("shipment_date")
    static let sku = JSONKey("sku")
    static let status = JSONKey("status")
    static let substatus = JSONKey("substatus")
    static let weight = JSONKey("weight")
    static let width = JSONKey("width")
}

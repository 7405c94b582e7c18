/// Product sizes in millimetres.
public struct Dimensions: Sendable, Hashable {
    /// Length, width and height in millimetres.
    public var length: Int64
    public var width: Int64
    public var height: Int64

    /// Sizes from their parts.
    public init(length: Int64, width: Int64, height: Int64) {
        self.length = length
        self.width = width
        self.height = height
    }

    var json: JSONValue {
        ["length": .number(JSONNumber(integer: length)), "width": .number(JSONNumber(integer: width)),
         "height": .number(JSONNumber(integer: height))]
    }
}

/// Facts about one product from `catalog.json`.
public struct CatalogEntry: Sendable, Hashable {
    /// Weight in grams, sizes in millimetres, the fragile mark and free tags; `nil` when not given.
    public var weightG: Int64?
    public var dimsMM: Dimensions?
    public var fragile: Bool?
    public var tags: [String]?
    /// Any other keys of the entry; merged into a product only where it has no such field.
    public var extra: JSONObject

    /// An entry from its parts.
    public init(weightG: Int64? = nil, dimsMM: Dimensions? = nil, fragile: Bool? = nil, tags: [String]? = nil, extra: JSONObject = [:]) {
        self.weightG = weightG
        self.dimsMM = dimsMM
        self.fragile = fragile
        self.tags = tags
        self.extra = extra
    }
}

/// A problem in `catalog.json`, naming the entry and field.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The entry's key (offer_id or SKU), when the problem is inside one.
    public var key: String?
    /// The field at fault, and what is wrong.
    public var field: String?
    public var message: String

    /// An error from its parts.
    public init(key: String?, field: String?, message: String) {
        self.key = key
        self.field = field
        self.message = message
    }

    /// `entry "MUG-330-BLUE": field 'weight_g': expected a non-negative integer, got "heavy"`.
    public var description: String {
        var s = ""
        if let key { s += "entry \"\(key)\": " }
        if let field { s += "field '\(field)': " }
        return s + message
    }
}

/// Product facts the posting does not carry (SPEC §3.1), keyed by `offer_id` or by an SKU written
/// as a string: `{"MUG-330-BLUE": {"weight_g": 410, "dims_mm": {...}, "fragile": true, "tags": [...]}}`.
public struct Catalog: Sendable, Hashable {
    /// Entries by offer_id or SKU text.
    public var entries: [String: CatalogEntry]

    /// An empty catalog (merging changes nothing).
    public init() { entries = [:] }

    /// A catalog from entries already read.
    public init(entries: [String: CatalogEntry]) { self.entries = entries }

    /// Reads the parsed `catalog.json`. `weight_g` must be a non-negative integer, `dims_mm` an
    /// object of non-negative integers `length`, `width`, `height`, `fragile` a boolean, `tags` an
    /// array of strings; other keys are kept as they are.
    public init(json: JSONValue) throws(CatalogError) {
        guard case .object(let root) = json else {
            throw CatalogError(key: nil, field: nil, message: "expected an object from offer_id or SKU to product facts, got \(json.kindName)")
        }
        var entries: [String: CatalogEntry] = [:]
        for (key, value) in root {
            guard case .object(let o) = value else {
                throw CatalogError(key: key, field: nil, message: "expected an object, got \(value.kindName)")
            }
            var entry = CatalogEntry()
            for (field, v) in o {
                switch field {
                case "weight_g":
                    entry.weightG = try Catalog.nonNegativeInteger(v, key: key, field: field)
                case "dims_mm":
                    guard case .object(let d) = v else {
                        throw CatalogError(key: key, field: field, message: "expected {\"length\", \"width\", \"height\"}, got \(Posting.describe(v))")
                    }
                    func side(_ name: String) throws(CatalogError) -> Int64 {
                        guard let s = d[name] else { throw CatalogError(key: key, field: "dims_mm.\(name)", message: "missing") }
                        return try Catalog.nonNegativeInteger(s, key: key, field: "dims_mm.\(name)")
                    }
                    entry.dimsMM = Dimensions(length: try side("length"), width: try side("width"), height: try side("height"))
                case "fragile":
                    guard case .bool(let b) = v else {
                        throw CatalogError(key: key, field: field, message: "expected true or false, got \(Posting.describe(v))")
                    }
                    entry.fragile = b
                case "tags":
                    guard case .array(let a) = v else {
                        throw CatalogError(key: key, field: field, message: "expected an array of strings, got \(Posting.describe(v))")
                    }
                    var tags: [String] = []
                    for t in a {
                        guard case .string(let s) = t else {
                            throw CatalogError(key: key, field: field, message: "expected an array of strings, got \(Posting.describe(t)) in it")
                        }
                        tags.append(s)
                    }
                    entry.tags = tags
                default:
                    if !v.isNull { entry.extra.updateValue(v, forKey: field) }
                }
            }
            entries[key] = entry
        }
        self.entries = entries
    }

    static func nonNegativeInteger(_ v: JSONValue, key: String, field: String) throws(CatalogError) -> Int64 {
        guard let n = v.int64Value, n >= 0 else {
            throw CatalogError(key: key, field: field, message: "expected a non-negative integer, got \(Posting.describe(v))")
        }
        return n
    }

    /// The entry for a product: by `offer_id` first, then by the SKU as a string.
    public func entry(offerID: String?, sku: Int64?) -> CatalogEntry? {
        if let offerID, !offerID.isEmpty, let e = entries[offerID] { return e }
        if let sku, let e = entries[String(sku)] { return e }
        return nil
    }

    /// The posting with catalog facts merged into each product of `fields`: the catalog's
    /// `weight_g`, `dims_mm`, `fragile` and `tags` replace the product's (so the posting's own
    /// weight only fills `weight_g` where the catalog has none); other catalog keys are added only
    /// where the product has no such field.
    public func apply(to posting: Posting) -> Posting {
        guard !entries.isEmpty else { return posting }
        var copy = posting
        Normalize.withObjectArray(&copy.fields, "products") { merge(into: &$0) }
        return copy
    }

    /// The return with catalog facts merged into its `product` (same rules as for postings).
    public func apply(to event: ReturnEvent) -> ReturnEvent {
        guard !entries.isEmpty else { return event }
        var copy = event
        Normalize.withObject(&copy.fields, "product") { merge(into: &$0) }
        return copy
    }

    func merge(into product: inout JSONObject) {
        guard let e = entry(offerID: product["offer_id"]?.stringValue, sku: product["sku"]?.int64Value) else { return }
        if let w = e.weightG { product["weight_g"] = .number(JSONNumber(integer: w)) }
        if let d = e.dimsMM { product["dims_mm"] = d.json }
        if let f = e.fragile { product["fragile"] = .bool(f) }
        if let t = e.tags { product["tags"] = .array(t.map(JSONValue.string)) }
        for (k, v) in e.extra where !product.contains(key: k) { product.appendUnchecked(k, v) }
    }
}

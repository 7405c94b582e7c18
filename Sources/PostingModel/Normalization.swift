/// Why one posting or return could not be decoded. The input layer adds the file and position.
public struct ItemDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field at fault as a path (`status`, `products[0].price`), when one is.
    public var field: String?
    /// The whole sentence, e.g. `missing field 'status'`.
    public var message: String
    /// The posting number, when it was readable.
    public var postingNumber: String?

    /// An error about `field` (a path), explained by `message`.
    public init(field: String?, message: String, postingNumber: String? = nil) {
        self.field = field
        self.message = message
        self.postingNumber = postingNumber
    }

    static func missing(_ field: String, _ postingNumber: String? = nil) -> ItemDecodingError {
        ItemDecodingError(field: field, message: "missing field '\(field)'", postingNumber: postingNumber)
    }

    static func invalid(_ field: String, _ what: String, _ postingNumber: String? = nil) -> ItemDecodingError {
        ItemDecodingError(field: field, message: "field '\(field)': \(what)", postingNumber: postingNumber)
    }

    public var description: String { message }
}

/// The rules that turn Ozon's inconsistent encodings into one shape (SPEC §3.2).
///
/// Applied to every nested object of a posting or a return:
/// - keys whose value is `null` are removed (Lua cannot hold `nil` in a table anyway);
/// - an ID written as a string of digits becomes an integer: keys `id`, `sku`, `pvz_code` and every
///   key ending in `_id` (only canonical digit strings that fit Int64, so codes with leading zeros
///   stay strings);
/// - SKU lists (`requirements.products_requiring_*`, `products_with_possible_mandatory_mark`) given as
///   strings become integers;
/// - a money object `{"amount": ..., "currency": ...}` gets its `amount` in integer minor units.
enum Normalize {
    // MARK: Scalars

    /// A canonical decimal integer in a string (`"1734059281"`), as an Int64.
    @inline(__always)
    static func integer(fromDigits s: String) -> Int64? {
        guard let first = s.utf8.first, (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: "-") else { return nil }
        return JSONNumber.canonicalInteger(s.utf8)
    }

    /// An integer given as a JSON integer or a string of digits.
    static func lenientInt64(_ v: JSONValue) -> Int64? {
        switch v {
        case .number(let n): return n.int64Value
        case .string(let s): return integer(fromDigits: s)
        default: return nil
        }
    }

    /// Whether a key names an int64 identifier (or an SKU).
    static func isIDKey(_ key: String) -> Bool {
        if key == "id" || key == "sku" || key == "pvz_code" { return true }
        let u = key.utf8
        guard u.count > 3 else { return false }
        var it = u.reversed().makeIterator()
        return it.next() == UInt8(ascii: "d") && it.next() == UInt8(ascii: "i") && it.next() == UInt8(ascii: "_")
    }

    /// Whether a key holds a list of SKUs (declared by Ozon as int64 encoded as strings).
    static func isSKUListKey(_ key: String) -> Bool {
        key.hasPrefix("products_requiring_") || key == "products_with_possible_mandatory_mark"
    }

    /// Minor units of a JSON money amount (string or number), or nil.
    static func minorUnits(_ v: JSONValue) -> Int64? {
        switch v {
        case .string(let s): return try? Money.minorUnits(fromDecimal: s)
        case .number(let n): return (try? Money(number: n, currency: ""))?.minorUnits
        default: return nil
        }
    }

    /// A decimal text or number scaled to an integer (`0.41` kg, scale 3 → 410 g).
    static func scaled(_ v: JSONValue, fractionDigits: Int) -> Int64? {
        switch v {
        case .string(let s): return try? DecimalText.scaled(s, fractionDigits: fractionDigits)
        case .number(let n):
            if case .integer(let i) = n.storage, fractionDigits == 0 { return i }
            return try? DecimalText.scaled(n.literal, fractionDigits: fractionDigits)
        default: return nil
        }
    }

    // MARK: Generic walk

    /// Normalises a value in place (see the type's rules).
    static func value(_ v: inout JSONValue) {
        switch v {
        case .object(var o):
            v = .null  // drop our reference so `o` is uniquely owned and mutated in place
            object(&o)
            v = .object(o)
        case .array(var a):
            v = .null
            for i in a.indices { value(&a[i]) }
            v = .array(a)
        default:
            break
        }
    }

    /// Normalises one member in place (generic rules); returns true when its value is null and
    /// the member must be dropped.
    @inline(__always)
    static func member(_ e: inout JSONObject.Entry) -> Bool {
        switch e.value {
        case .null:
            return true
        case .string(let s):
            if let n = integer(fromDigits: s), isIDKey(e.key) { e.value = .number(JSONNumber(integer: n)) }
        case .object, .array:
            value(&e.value)
        default:
            break
        }
        return false
    }

    /// Normalises an object's members in place.
    static func object(_ o: inout JSONObject) {
        var hasNull = false
        for i in o.storage.indices {
            if case .array = o.storage[i].value, isSKUListKey(o.storage[i].key) { skuList(&o.storage[i].value) }
            if member(&o.storage[i]) { hasNull = true }
        }
        if hasNull { o.removeAll { $0.value.isNull } }
        moneyObject(&o)
    }

    /// `{"amount": "1530", "currency": "RUB"}` → `{"amount": 153000, "currency": "RUB"}`.
    static func moneyObject(_ o: inout JSONObject) {
        guard o.count <= 4, case .string? = o["currency"], let p = o.position(forKey: "amount") else { return }
        if let units = minorUnits(o.storage[p].value) {
            o.storage[p].value = .number(JSONNumber(integer: units))
        }
    }

    static func skuList(_ v: inout JSONValue) {
        guard case .array(var a) = v else { return }
        v = .null
        for i in a.indices {
            if case .string(let s) = a[i], let n = integer(fromDigits: s) { a[i] = .number(JSONNumber(integer: n)) }
        }
        v = .array(a)
    }

    /// Converts the named members of `o` from decimal amounts to minor units, where they parse.
    static func moneyFields(_ o: inout JSONObject, _ keys: Set<String>) {
        for i in o.storage.indices where keys.contains(o.storage[i].key) {
            if let units = minorUnits(o.storage[i].value) {
                o.storage[i].value = .number(JSONNumber(integer: units))
            }
        }
    }

    /// Applies `transform` to the object at `key` (if it is one).
    static func withObject(_ o: inout JSONObject, _ key: String, _ transform: (inout JSONObject) -> Void) {
        guard let p = o.position(forKey: key), case .object(var inner) = o.storage[p].value else { return }
        o.storage[p].value = .null
        transform(&inner)
        o.storage[p].value = .object(inner)
    }

    /// Applies `transform` to every object element of the array at `key`.
    static func withObjectArray(_ o: inout JSONObject, _ key: String, _ transform: (inout JSONObject) -> Void) {
        guard let p = o.position(forKey: key), case .array(var items) = o.storage[p].value else { return }
        o.storage[p].value = .null
        for i in items.indices {
            if case .object(var inner) = items[i] {
                items[i] = .null
                transform(&inner)
                items[i] = .object(inner)
            }
        }
        o.storage[p].value = .array(items)
    }
}

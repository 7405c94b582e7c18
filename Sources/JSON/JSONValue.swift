/// A JSON value as read from Ozon's responses.
///
/// Numbers keep their literal text (`JSONNumber`) so money can be read exactly, and objects keep
/// their key order (`JSONObject`) so output is deterministic and close to the input.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member `key` when this is an object; `nil` for other values or a missing key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` when this is an array and the index is in range.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    /// The text of a string value.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value of an integer number that fits `Int64` (no fraction, no exponent).
    public var int64Value: Int64? {
        if case .number(let n) = self { return n.int64Value }
        return nil
    }

    /// The value of any number as a `Double` (lossy; never use it for money).
    public var doubleValue: Double? {
        if case .number(let n) = self { return n.doubleValue }
        return nil
    }

    /// The number itself, with its literal text.
    public var numberValue: JSONNumber? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The value of a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements of an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members of an object.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// Whether this is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's kind, for error messages ("string", "number", ...).
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .number(JSONNumber(integer: value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(double: value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text of the value.
    public var description: String { JSONWriter.write(self) }
}

// MARK: - JSONNumber

/// A JSON number that remembers its literal text.
///
/// Integers that fit `Int64` and are written canonically are stored as the integer itself (the
/// common case: IDs, quantities, minor units); every other literal (`279.0000`, `1e3`, `-0`,
/// integers beyond `Int64`) is kept as text. Equality compares the literal text, so `1` and `1.0`
/// are different numbers: that keeps round-trips exact.
public struct JSONNumber: Sendable, Hashable {
    @usableFromInline
    package enum Storage: Sendable, Hashable {
        case integer(Int64)
        case text(String)
    }

    @usableFromInline
    package let storage: Storage

    /// A number with the given integer value.
    @inlinable
    public init(integer: Int64) { storage = .integer(integer) }

    /// A number from a `Double`, written as Swift's shortest round-trip text (`0.41`, `3.0`,
    /// `1e-07`), so a float stays a float (`isInteger` is false) even when it is integral.
    ///
    /// NaN and infinities are kept (their literal is `nan`/`inf`/`-inf`) but `JSONWriter` writes
    /// them as `null`, since JSON has no spelling for them.
    public init(double: Double) {
        storage = .text(double.isNaN ? "nan" : double.description)
    }

    /// A number from a literal the caller has already checked against JSON's number grammar.
    /// Canonical integers are stored as integers so equal literals always compare equal.
    init(validatedLiteral literal: String) {
        if let value = JSONNumber.canonicalInteger(literal.utf8) {
            storage = .integer(value)
        } else {
            storage = .text(literal)
        }
    }

    /// A number from its literal text; `nil` unless the text is a JSON number.
    public init?(literal: String) {
        let bytes = Array(literal.utf8)
        let ok = bytes.withUnsafeBufferPointer { JSONNumber.isValidLiteral($0) }
        guard ok else { return nil }
        self.init(validatedLiteral: literal)
    }

    /// The literal text, exactly as written in the input (or as produced for constructed numbers).
    public var literal: String {
        switch storage {
        case .integer(let v): return String(v)
        case .text(let t): return t
        }
    }

    /// The value when the literal is an integer (no fraction, no exponent) that fits `Int64`.
    public var int64Value: Int64? {
        switch storage {
        case .integer(let v): return v
        case .text(let t):
            // Only "-0" and out-of-range integers reach here as integer-looking text.
            if t == "-0" { return 0 }
            return nil
        }
    }

    /// The value as a `Double` (lossy for large integers and long fractions).
    public var doubleValue: Double {
        switch storage {
        case .integer(let v): return Double(v)
        case .text(let t): return Double(t) ?? .nan
        }
    }

    /// Whether the literal is an integer: no fraction and no exponent (it may not fit `Int64`).
    public var isInteger: Bool {
        switch storage {
        case .integer: return true
        case .text(let t):
            guard doubleValue.isFinite else { return false }
            return !t.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
        }
    }

    /// Whether the number is finite (always true for numbers read from JSON).
    public var isFinite: Bool {
        switch storage {
        case .integer: return true
        case .text: return doubleValue.isFinite
        }
    }

    /// Parses a canonical decimal integer (`0`, `-12`, no leading zeros, no `+`) that fits Int64.
    package static func canonicalInteger<C: Collection<UInt8>>(_ utf8: C) -> Int64? {
        var it = utf8.makeIterator()
        guard var b = it.next() else { return nil }
        var negative = false
        if b == UInt8(ascii: "-") {
            negative = true
            guard let n = it.next() else { return nil }
            b = n
        }
        guard b >= 0x30, b <= 0x39 else { return nil }
        if b == 0x30 {
            // "0" is canonical, "-0" and "01" are not.
            return (!negative && it.next() == nil) ? 0 : nil
        }
        // Accumulate negatively so Int64.min fits.
        var value = -Int64(b &- 0x30)
        while let d = it.next() {
            guard d >= 0x30, d <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(d &- 0x30))
            if o1 || o2 { return nil }
            value = s
        }
        if negative { return value }
        return value == Int64.min ? nil : -value
    }

    /// Checks a complete literal against RFC 8259's number grammar.
    static func isValidLiteral(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        if i < n, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { return false }
        if b[i] == 0x30 {
            i += 1
        } else if b[i] >= 0x31, b[i] <= 0x39 {
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        } else {
            return false
        }
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            if i == start { return false }
        }
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < n, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            if i == start { return false }
        }
        return i == n
    }
}

extension JSONNumber: CustomStringConvertible {
    public var description: String { literal }
}

// MARK: - JSONObject

/// A JSON object: key/value pairs in input order, with fast lookup by key.
///
/// Every entry keeps a 32-bit hash of its key (FNV-1a over UTF-8), so a lookup in an ordinary
/// object scans small integers and compares strings only on a hash match; objects with more than
/// `JSONObject.indexThreshold` keys also keep an open-addressing table from hash to position.
/// (Cheaper than a `Dictionary` for the 5 to 40 keys of Ozon's objects, which are built far more
/// often than searched.) Keys are unique: setting an existing key replaces its value in place,
/// and a duplicate key in parsed input keeps the first position with the last value, as `jq`
/// does. Equality is order-sensitive.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection {
    public typealias Element = (key: String, value: JSONValue)
    public typealias Index = Int

    /// Above this many keys a hash table is kept as well.
    public static let indexThreshold = 32

    @usableFromInline
    package struct Entry: Sendable {
        @usableFromInline package var key: String
        @usableFromInline package var value: JSONValue
        @usableFromInline package var hash: UInt32
    }

    @usableFromInline
    package var storage: [Entry]
    /// Open addressing: slot holds position + 1, 0 is empty; count is a power of two.
    @usableFromInline
    var table: [Int32]?

    /// An empty object.
    public init() {
        storage = []
        table = nil
    }

    /// An object over entries with distinct keys (the parser's).
    init(entries: [Entry]) {
        storage = entries
        table = nil
        if storage.count > JSONObject.indexThreshold { buildTable() }
    }

    /// An object with room for `capacity` keys.
    public init(minimumCapacity capacity: Int) {
        storage = []
        storage.reserveCapacity(capacity)
        table = nil
    }

    /// An object from pairs in order; a repeated key keeps its first position and its last value.
    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        self.init()
        for (k, v) in pairs { self[k] = v }
    }

    /// An object from pairs whose keys the caller knows are distinct (a
    /// dictionary's, say): no look-up per key.
    public init(distinctPairs pairs: [(key: String, value: JSONValue)]) {
        storage = []
        storage.reserveCapacity(pairs.count)
        table = nil
        for (key, value) in pairs { storage.append(Entry(key: key, value: value, hash: JSONObject.hashKey(key))) }
        if storage.count > JSONObject.indexThreshold { buildTable() }
    }

    // MARK: Hashing keys

    @inlinable
    package static func hashKey(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    @inlinable
    package static func hashKey(_ key: String) -> UInt32 {
        var k = key
        return k.withUTF8 { hashKey($0) }
    }

    // MARK: Collection

    // Inlinable: hot loops in other modules (pushing a posting to Lua) walk objects.
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storage.count }
    /// The key/value pair at a position (0-based, in order).
    @inlinable
    public subscript(position: Int) -> Element {
        let e = storage[position]
        return (e.key, e.value)
    }
    /// The number of keys.
    @inlinable public var count: Int { storage.count }
    /// Whether there are no keys.
    @inlinable public var isEmpty: Bool { storage.isEmpty }

    /// Calls `body` with each key and value in order, lending them rather
    /// than copying them out (no reference counting per entry on hot paths).
    @inlinable
    public func forEachEntry(_ body: (String, JSONValue) -> Void) {
        storage.withUnsafeBufferPointer { entries in
            for index in entries.indices { body(entries[index].key, entries[index].value) }
        }
    }

    /// The keys in order.
    public var keys: [String] { storage.map(\.key) }

    /// The values in key order.
    public var values: [JSONValue] { storage.map(\.value) }

    /// Position of `key`, if present.
    public func position(forKey key: String) -> Int? {
        position(forKey: key, hash: JSONObject.hashKey(key))
    }

    @usableFromInline
    func position(forKey key: String, hash: UInt32) -> Int? {
        if let table {
            let mask = table.count - 1
            var slot = Int(hash) & mask
            while true {
                let p = Int(table[slot])
                if p == 0 { return nil }
                if storage[p - 1].hash == hash && storage[p - 1].key == key { return p - 1 }
                slot = (slot + 1) & mask
            }
        }
        for i in storage.indices where storage[i].hash == hash && storage[i].key == key { return i }
        return nil
    }

    /// The value for a key whose hash is precomputed (the normaliser's fixed keys).
    package subscript(key: JSONKey) -> JSONValue? {
        guard let i = position(forKey: key.name, hash: key.hash) else { return nil }
        return storage[i].value
    }

    /// Whether `key` is present (with any value, including `null`).
    public func contains(key: String) -> Bool { position(forKey: key) != nil }

    /// The value for `key`; setting `nil` removes the key, setting a value replaces it in place
    /// or appends the key at the end.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = position(forKey: key) else { return nil }
            return storage[i].value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets the value for `key`, returning the old one. A new key goes to the end.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        let hash = JSONObject.hashKey(key)
        if let i = position(forKey: key, hash: hash) {
            let old = storage[i].value
            storage[i].value = value
            return old
        }
        append(key, value, hash: hash)
        return nil
    }

    /// Appends an entry of another object (keeps its hash) whose key the caller knows is absent.
    @usableFromInline
    mutating func appendEntry(_ entry: Entry) {
        append(entry.key, entry.value, hash: entry.hash)
    }

    /// Appends a key the caller knows is absent (the normaliser uses this).
    @usableFromInline
    package mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        append(key, value, hash: JSONObject.hashKey(key))
    }

    @usableFromInline
    package mutating func append(_ key: String, _ value: JSONValue, hash: UInt32) {
        storage.append(Entry(key: key, value: value, hash: hash))
        if table != nil, storage.count * 2 <= table!.count {
            insertIntoTable(position: storage.count - 1)
        } else if storage.count > JSONObject.indexThreshold {
            buildTable()
        }
    }

    @usableFromInline
    mutating func buildTable() {
        guard storage.count > JSONObject.indexThreshold else {
            table = nil
            return
        }
        var size = 64
        while size < storage.count * 4 { size <<= 1 }
        table = [Int32](repeating: 0, count: size)
        for i in storage.indices { insertIntoTable(position: i) }
    }

    @usableFromInline
    mutating func insertIntoTable(position: Int) {
        let mask = table!.count - 1
        var slot = Int(storage[position].hash) & mask
        while table![slot] != 0 { slot = (slot + 1) & mask }
        table![slot] = Int32(position + 1)
    }

    /// Removes `key`, returning its value; later keys keep their relative order.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = position(forKey: key) else { return nil }
        let old = storage.remove(at: i).value
        if table != nil { buildTable() }
        return old
    }

    /// Replaces the value at a position (keeps the key).
    public mutating func setValue(_ value: JSONValue, at position: Int) {
        storage[position].value = value
    }

    /// Removes the pairs for which `shouldRemove` is true; the others keep their order.
    public mutating func removeAll(where shouldRemove: (Element) throws -> Bool) rethrows {
        let before = storage.count
        try storage.removeAll(where: { try shouldRemove(($0.key, $0.value)) })
        if storage.count != before, table != nil { buildTable() }
    }

    /// A copy with the keys sorted by their UTF-8 bytes (Unicode code point order).
    public func sortedByKey() -> JSONObject {
        var copy = JSONObject()
        copy.storage = storage.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        copy.buildTable()
        return copy
    }

    // MARK: Hashable (order-sensitive, ignores the table)

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.storage.count == rhs.storage.count else { return false }
        for i in lhs.storage.indices {
            let l = lhs.storage[i]
            let r = rhs.storage[i]
            if l.hash != r.hash || l.key != r.key || l.value != r.value { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.count)
        for e in storage {
            hasher.combine(e.key)
            hasher.combine(e.value)
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

extension JSONObject: CustomStringConvertible {
    public var description: String { JSONWriter.write(.object(self)) }
}

/// An object key with its hash computed once, for lookups of fixed names on hot paths.
package struct JSONKey: Sendable {
    package let name: String
    package let hash: UInt32

    package init(_ name: String) {
        self.name = name
        hash = JSONObject.hashKey(name)
    }
}

/// A JSON syntax error with its position in the input.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line of the offending character.
    public var line: Int
    /// 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int
    /// 0-based byte offset from the start of the parsed buffer.
    public var offset: Int
    /// What is wrong, e.g. `expected ':' after an object key`.
    public var message: String

    /// An error at a position.
    public init(line: Int, column: Int, offset: Int, message: String) {
        self.line = line
        self.column = column
        self.offset = offset
        self.message = message
    }

    /// `line 3, column 14: expected ':' after an object key`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict RFC 8259 parser working on UTF-8 bytes.
///
/// Numbers are kept as their literal text (see `JSONNumber`) so money is never rounded through
/// `Double`. Strings must be valid UTF-8; `\u` escapes must pair surrogates correctly (a lone
/// surrogate is an error, since a Swift `String` cannot hold one). Nesting deeper than `maxDepth`
/// is reported as an error instead of exhausting the stack. A leading UTF-8 byte-order mark is
/// skipped.
public enum JSONParser {
    /// The default nesting limit (arrays and objects).
    public static let defaultMaxDepth = 512

    /// Parses one complete JSON text; anything but whitespace after the value is an error.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONValue {
        try withBuffer(bytes) { (buffer) throws(JSONSyntaxError) in try parse(buffer, maxDepth: maxDepth) }
    }

    /// Parses one complete JSON text from a string.
    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses one complete JSON text from raw memory.
    public static func parse(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONValue {
        try parse(buffer.bindMemory(to: UInt8.self), maxDepth: maxDepth)
    }

    /// Parses one complete JSON text from a byte buffer.
    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONValue {
        var parser = Parser(buffer, start: 0, maxDepth: maxDepth)
        defer { parser.releaseStacks() }
        parser.skipBOM()
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.pos != parser.end {
            throw parser.error(at: parser.pos, "unexpected \(parser.describeByte(at: parser.pos)) after the JSON value")
        }
        return value
    }

    /// Parses the first JSON value starting at byte `start` (after optional whitespace) and
    /// returns it with the offset just past its last byte. What follows is not examined, which is
    /// what NDJSON detection and streaming need.
    public static func parsePrefix(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int = 0, maxDepth: Int = defaultMaxDepth
    ) throws(JSONSyntaxError) -> (value: JSONValue, end: Int) {
        var parser = Parser(buffer, start: start, maxDepth: maxDepth)
        defer { parser.releaseStacks() }
        if start == 0 { parser.skipBOM() }
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        return (value, parser.pos)
    }

    /// `parsePrefix` over an array of bytes.
    public static func parsePrefix(
        _ bytes: [UInt8], from start: Int = 0, maxDepth: Int = defaultMaxDepth
    ) throws(JSONSyntaxError) -> (value: JSONValue, end: Int) {
        try withBuffer(bytes) { (buffer) throws(JSONSyntaxError) in
            try parsePrefix(buffer, from: start, maxDepth: maxDepth)
        }
    }

    /// Line and column (both 1-based, column in Unicode scalars) of a byte offset.
    public static func location(of offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let limit = min(offset, buffer.count)
        var i = 0
        while i < limit {
            if buffer[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        var column = 1
        i = lineStart
        while i < limit {
            if buffer[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }

    static func withBuffer<R>(
        _ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> R
    ) throws(JSONSyntaxError) -> R {
        let result: Result<R, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONSyntaxError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

// MARK: - The parser proper

private enum ASCII {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
}

struct Parser {
    let base: UnsafeBufferPointer<UInt8>
    let end: Int
    var pos: Int
    let maxDepth: Int
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Members and elements of the objects and arrays being parsed, innermost last. Each finished
    /// container moves its run into an exactly sized array: no regrowth, no extra retain/release.
    var entries = RawStack<JSONObject.Entry>()
    var elements = RawStack<JSONValue>()

    mutating func releaseStacks() {
        entries.release()
        elements.release()
    }

    init(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, maxDepth: Int) {
        base = buffer
        end = buffer.count
        pos = start
        self.maxDepth = maxDepth
    }

    mutating func skipBOM() {
        if end - pos >= 3, base[pos] == 0xEF, base[pos + 1] == 0xBB, base[pos + 2] == 0xBF { pos += 3 }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let c = base[pos]
            // space, tab, LF, CR are JSON's only whitespace.
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    func error(at offset: Int, _ message: String) -> JSONSyntaxError {
        let (line, column) = JSONParser.location(of: offset, in: base)
        return JSONSyntaxError(line: line, column: column, offset: offset, message: message)
    }

    func describeByte(at offset: Int) -> String {
        guard offset < end else { return "end of input" }
        let c = base[offset]
        if c >= 0x21 && c < 0x7F { return "character '\(Character(Unicode.Scalar(c)))'" }
        if c < 0x80 { return "character U+\(String(c, radix: 16, uppercase: true).leftPadded(4))" }
        return "non-ASCII character"
    }

    mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard pos < end else { throw error(at: pos, "unexpected end of input, expected a value") }
        switch base[pos] {
        case ASCII.openBrace:
            return .object(try parseObject(depth: depth + 1))
        case ASCII.openBracket:
            return .array(try parseArray(depth: depth + 1))
        case ASCII.quote:
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case ASCII.minus, ASCII.zero...ASCII.nine:
            return .number(try parseNumber())
        default:
            throw error(at: pos, "unexpected \(describeByte(at: pos)), expected a value")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for i in 0..<n {
            guard pos + i < end, base[pos + i] == w[i] else {
                throw error(at: pos, "invalid literal, expected '\(word)'")
            }
        }
        pos += n
    }

    mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONObject {
        if depth > maxDepth { throw error(at: pos, "nesting deeper than \(maxDepth) levels") }
        pos += 1
        skipWhitespace()
        if pos < end, base[pos] == ASCII.closeBrace {
            pos += 1
            return JSONObject()
        }
        let first = entries.count
        while true {
            guard pos < end, base[pos] == ASCII.quote else {
                throw error(at: pos, "unexpected \(describeByte(at: pos)), expected a string key")
            }
            let keyStart = pos + 1
            let key = try parseString()
            // Escapes always shorten a string, so equal lengths mean the raw bytes are the key.
            let rawCount = pos - 1 - keyStart
            let hash = rawCount == key.utf8.count
                ? JSONObject.hashKey(UnsafeBufferPointer(rebasing: base[keyStart..<(keyStart + rawCount)]))
                : JSONObject.hashKey(key)
            skipWhitespace()
            guard pos < end, base[pos] == ASCII.colon else {
                throw error(at: pos, "unexpected \(describeByte(at: pos)), expected ':' after an object key")
            }
            pos += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            var duplicate = false
            var i = first
            while i < entries.count {
                if entries.base[i].hash == hash && entries.base[i].key == key {
                    // Duplicate key: last value wins, first position kept (as jq does).
                    entries.base[i].value = value
                    duplicate = true
                    break
                }
                i += 1
            }
            if !duplicate { entries.push(JSONObject.Entry(key: key, value: value, hash: hash)) }
            skipWhitespace()
            guard pos < end else { throw error(at: pos, "unexpected end of input, expected ',' or '}'") }
            let c = base[pos]
            pos += 1
            if c == ASCII.comma {
                skipWhitespace()
                continue
            }
            if c == ASCII.closeBrace { return JSONObject(entries: entries.popArray(from: first)) }
            pos -= 1
            throw error(at: pos, "unexpected \(describeByte(at: pos)), expected ',' or '}'")
        }
    }

    mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> [JSONValue] {
        if depth > maxDepth { throw error(at: pos, "nesting deeper than \(maxDepth) levels") }
        pos += 1
        skipWhitespace()
        if pos < end, base[pos] == ASCII.closeBracket {
            pos += 1
            return []
        }
        let first = elements.count
        while true {
            elements.push(try parseValue(depth: depth))
            skipWhitespace()
            guard pos < end else { throw error(at: pos, "unexpected end of input, expected ',' or ']'") }
            let c = base[pos]
            pos += 1
            if c == ASCII.comma {
                skipWhitespace()
                continue
            }
            if c == ASCII.closeBracket { return elements.popArray(from: first) }
            pos -= 1
            throw error(at: pos, "unexpected \(describeByte(at: pos)), expected ',' or ']'")
        }
    }

    /// Parses a string starting at its opening quote. The common case (no escapes, ASCII) makes
    /// the `String` straight from the input bytes.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = pos
        pos += 1
        let start = pos
        var bits: UInt8 = 0
        while pos < end {
            let c = base[pos]
            if c == ASCII.quote {
                let s = try makeString(start: start, count: pos - start, ascii: bits < 0x80)
                pos += 1
                return s
            }
            if c == ASCII.backslash { return try parseEscapedString(start: start, open: open) }
            if c < 0x20 { throw error(at: pos, "control character U+\(String(c, radix: 16, uppercase: true).leftPadded(4)) in a string must be escaped") }
            bits |= c
            pos += 1
        }
        throw error(at: open, "unterminated string")
    }

    func makeString(start: Int, count: Int, ascii: Bool) throws(JSONSyntaxError) -> String {
        let slice = UnsafeBufferPointer(rebasing: base[start..<(start + count)])
        if ascii { return String(decoding: slice, as: UTF8.self) }
        guard UTF8Check.isValid(slice) else { throw error(at: start, "invalid UTF-8 in a string") }
        return String(decoding: slice, as: UTF8.self)
    }

    mutating func parseEscapedString(start: Int, open: Int) throws(JSONSyntaxError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: base[start..<pos]))
        var bits: UInt8 = 0
        for b in scratch { bits |= b }
        while pos < end {
            let c = base[pos]
            if c == ASCII.quote {
                pos += 1
                if bits >= 0x80 {
                    let valid = scratch.withUnsafeBufferPointer { UTF8Check.isValid($0) }
                    if !valid { throw error(at: start, "invalid UTF-8 in a string") }
                }
                return String(decoding: scratch, as: UTF8.self)
            }
            if c < 0x20 { throw error(at: pos, "control character U+\(String(c, radix: 16, uppercase: true).leftPadded(4)) in a string must be escaped") }
            if c != ASCII.backslash {
                bits |= c
                scratch.append(c)
                pos += 1
                continue
            }
            let escapeStart = pos
            pos += 1
            guard pos < end else { break }
            let e = base[pos]
            pos += 1
            switch e {
            case ASCII.quote: scratch.append(ASCII.quote)
            case ASCII.backslash: scratch.append(ASCII.backslash)
            case ASCII.slash: scratch.append(ASCII.slash)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4(escapeStart: escapeStart)
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard pos + 1 < end, base[pos] == ASCII.backslash, base[pos + 1] == UInt8(ascii: "u") else {
                        throw error(at: escapeStart, "unpaired surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string")
                    }
                    let lowStart = pos
                    pos += 2
                    let low = try readHex4(escapeStart: lowStart)
                    guard low >= 0xDC00 && low <= 0xDFFF else {
                        throw error(at: escapeStart, "unpaired surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string")
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw error(at: escapeStart, "unpaired surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string")
                }
                appendUTF8(scalar)
                if scalar >= 0x80 { bits |= 0x80 }
            default:
                throw error(at: escapeStart, "invalid escape '\\\(describeEscape(e))' in a string")
            }
        }
        throw error(at: open, "unterminated string")
    }

    func describeEscape(_ c: UInt8) -> String {
        c >= 0x21 && c < 0x7F ? String(Character(Unicode.Scalar(c))) : "U+" + String(c, radix: 16, uppercase: true)
    }

    mutating func readHex4(escapeStart: Int) throws(JSONSyntaxError) -> UInt32 {
        guard pos + 4 <= end else { throw error(at: escapeStart, "incomplete \\u escape in a string") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[pos]
            let d: UInt8
            switch c {
            case ASCII.zero...ASCII.nine: d = c - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw error(at: escapeStart, "invalid \\u escape in a string, expected 4 hex digits")
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (scalar >> 6)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (scalar >> 12)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (scalar >> 18)))
            scratch.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// Parses a number by RFC 8259's grammar. A canonical integer that fits Int64 is kept as the
    /// integer (computed on the way); anything else keeps its literal text.
    mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
        let start = pos
        var negative = false
        if base[pos] == ASCII.minus {
            negative = true
            pos += 1
        }
        guard pos < end, base[pos] >= ASCII.zero, base[pos] <= ASCII.nine else {
            throw error(at: pos, "invalid number, expected a digit after '-'")
        }
        var simple = true
        // Accumulated negatively so that Int64.min fits.
        var acc: Int64 = 0
        if base[pos] == ASCII.zero {
            pos += 1
            if pos < end, base[pos] >= ASCII.zero, base[pos] <= ASCII.nine {
                throw error(at: start, "invalid number, leading zeros are not allowed")
            }
        } else {
            while pos < end {
                let c = base[pos]
                guard c >= ASCII.zero && c <= ASCII.nine else { break }
                if simple {
                    let (m, o1) = acc.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.subtractingReportingOverflow(Int64(c - ASCII.zero))
                    if o1 || o2 { simple = false } else { acc = s }
                }
                pos += 1
            }
        }
        if pos < end, base[pos] == ASCII.dot {
            simple = false
            pos += 1
            let fracStart = pos
            while pos < end, base[pos] >= ASCII.zero, base[pos] <= ASCII.nine { pos += 1 }
            if pos == fracStart { throw error(at: pos, "invalid number, expected a digit after '.'") }
        }
        if pos < end, base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E") {
            simple = false
            pos += 1
            if pos < end, base[pos] == ASCII.plus || base[pos] == ASCII.minus { pos += 1 }
            let expStart = pos
            while pos < end, base[pos] >= ASCII.zero, base[pos] <= ASCII.nine { pos += 1 }
            if pos == expStart { throw error(at: pos, "invalid number, expected a digit in the exponent") }
        }
        if simple {
            if negative {
                if acc != 0 { return JSONNumber(integer: acc) }  // "-0" stays text below
            } else if acc != Int64.min {
                return JSONNumber(integer: -acc)
            }
        }
        let literal = String(decoding: UnsafeBufferPointer(rebasing: base[start..<pos]), as: UTF8.self)
        return JSONNumber(textLiteral: literal)
    }
}

extension JSONNumber {
    /// A number whose literal is known not to be a canonical Int64 integer.
    init(textLiteral: String) {
        self.init(storage: .text(textLiteral))
    }

    init(storage: Storage) {
        self.storage = storage
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A growable stack in manually managed memory, so a finished run can be moved (not copied)
/// into an `Array`.
struct RawStack<Element> {
    var base: UnsafeMutablePointer<Element>
    var count = 0
    var capacity = 0

    init() {
        base = UnsafeMutablePointer<Element>.allocate(capacity: 0)
    }

    @inline(__always)
    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    mutating func grow() {
        let newCapacity = Swift.max(64, capacity * 2)
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    /// Moves elements `from..<count` into a new array and pops them.
    mutating func popArray(from start: Int) -> [Element] {
        let n = count - start
        guard n > 0 else { return [] }
        let source = base + start
        let array = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: source, count: n)
            initialized = n
        }
        count = start
        return array
    }

    /// Destroys what is left (after an error) and frees the memory.
    mutating func release() {
        base.deinitialize(count: count)
        base.deallocate()
        count = 0
        capacity = 0
    }
}

/// A non-generic UTF-8 validity check (RFC 3629: no overlongs, no surrogates, nothing above
/// U+10FFFF), so `String(decoding:)` never has to repair silently.
enum UTF8Check {
    static func isValid(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                i += 1
                continue
            }
            if c < 0xC2 { return false }
            if c < 0xE0 {
                guard i + 1 < n, b[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
                continue
            }
            if c < 0xF0 {
                guard i + 2 < n else { return false }
                let c1 = b[i + 1]
                guard c1 & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 else { return false }
                if c == 0xE0 && c1 < 0xA0 { return false }  // overlong
                if c == 0xED && c1 > 0x9F { return false }  // UTF-16 surrogates
                i += 3
                continue
            }
            if c < 0xF5 {
                guard i + 3 < n else { return false }
                let c1 = b[i + 1]
                guard c1 & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80, b[i + 3] & 0xC0 == 0x80 else { return false }
                if c == 0xF0 && c1 < 0x90 { return false }  // overlong
                if c == 0xF4 && c1 > 0x8F { return false }  // above U+10FFFF
                i += 4
                continue
            }
            return false
        }
        return true
    }
}

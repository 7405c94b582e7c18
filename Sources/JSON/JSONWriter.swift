/// Writes `JSONValue`s as JSON text, deterministically.
///
/// Numbers are written from their literal (so `279.0000` stays `279.0000`; non-finite numbers
/// become `null`). Strings escape `"`, `\` and control characters (`\n`, `\t`, ... or `\u00XX`)
/// and keep other characters as UTF-8. Keys keep their order unless `sortedKeys` is set, which
/// sorts them by code point like `jq -S`. `pretty` indents with two spaces, as `jq` does.
public enum JSONWriter {
    /// The JSON text of `value`.
    public static func write(_ value: JSONValue, sortedKeys: Bool = false, pretty: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, sortedKeys: sortedKeys, pretty: pretty)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON text of `value` to `out` (no trailing newline). The fast path for NDJSON output.
    public static func write(_ value: JSONValue, into out: inout [UInt8], sortedKeys: Bool = false, pretty: Bool = false) {
        var w = Writer(sortedKeys: sortedKeys, pretty: pretty)
        swap(&w.out, &out)
        w.value(value, indent: 0)
        swap(&w.out, &out)
    }

    /// Appends `text` as a JSON string literal (with quotes) to `out`.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        Writer.string(text, into: &out)
    }
}

private struct Writer {
    let sortedKeys: Bool
    let pretty: Bool
    var out: [UInt8] = []

    init(sortedKeys: Bool, pretty: Bool) {
        self.sortedKeys = sortedKeys
        self.pretty = pretty
    }

    mutating func newline(_ indent: Int) {
        out.append(0x0A)
        for _ in 0..<(indent * 2) { out.append(0x20) }
    }

    mutating func value(_ v: JSONValue, indent: Int) {
        switch v {
        case .null:
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b):
            if b { out.append(contentsOf: [0x74, 0x72, 0x75, 0x65]) } else { out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65]) }
        case .number(let n):
            switch n.storage {
            case .integer(let i):
                Writer.integer(i, into: &out)
            case .text(let t):
                if n.isFinite { out.append(contentsOf: t.utf8) } else { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }
            }
        case .string(let s):
            Writer.string(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            if a.isEmpty {
                out.append(UInt8(ascii: "]"))
                return
            }
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1) }
                value(e, indent: indent + 1)
            }
            if pretty { newline(indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            if o.isEmpty {
                out.append(UInt8(ascii: "}"))
                return
            }
            let pairs = sortedKeys ? o.sortedByKey() : o
            var first = true
            for (k, e) in pairs {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if pretty { newline(indent + 1) }
                Writer.string(k, into: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(0x20) }
                value(e, indent: indent + 1)
            }
            if pretty { newline(indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func integer(_ v: Int64, into out: inout [UInt8]) {
        if v >= 0 && v < 10 {
            out.append(0x30 + UInt8(v))
            return
        }
        // Digits into a small stack buffer, then reversed; avoids a String per number.
        var m = v.magnitude
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let n = withUnsafeMutableBytes(of: &tmp) { raw -> Int in
            var i = 0
            repeat {
                raw[i] = 0x30 + UInt8(m % 10)
                m /= 10
                i += 1
            } while m > 0
            return i
        }
        if v < 0 { out.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &tmp) { raw in
            var i = n - 1
            while i >= 0 {
                out.append(raw[i])
                i -= 1
            }
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func string(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { buf in
            var runStart = 0
            var i = 0
            let n = buf.count
            while i < n {
                let c = buf[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C {
                    i += 1
                    continue
                }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
                switch c {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default:
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
                }
                i += 1
                runStart = i
            }
            if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<n])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// An amount of money in minor units (kopecks, cents, fen, tiyn) of a currency.
///
/// Every currency Ozon uses (RUB, BYN, KZT, EUR, USD, CNY) has two minor digits, so one rule
/// serves all: `minorUnits = amount × 100`. Amounts are read from decimal text, never through
/// `Double`. More than two fractional digits are rounded half away from zero (`"1.005"` → 101,
/// `"-1.005"` → −101); Ozon's v3 prices carry four zero digits (`"279.0000"`), which round to
/// themselves. Amounts that do not fit `Int64` minor units are an error, never a trap.
public struct Money: Sendable, Hashable {
    /// The amount in minor units (1/100 of the currency unit).
    public var minorUnits: Int64
    /// The ISO 4217 code as Ozon writes it (`RUB`, `CNY`, ...).
    public var currency: String

    /// Digits after the decimal point for every supported currency.
    public static let fractionDigits = 2

    /// The currency assumed when Ozon omits one (v3 prices without `currency_code`).
    public static let defaultCurrency = "RUB"

    /// Money from minor units (`64900` RUB is 649.00 roubles).
    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Money from a decimal text such as `"1259"`, `"279.0000"`, `"15.5"`, `"-3"` or `"1.5e3"`.
    public init(decimal text: String, currency: String) throws(MoneyError) {
        self.init(minorUnits: try Money.minorUnits(fromDecimal: text), currency: currency)
    }

    /// Money from a JSON number, read exactly from its literal.
    public init(number: JSONNumber, currency: String) throws(MoneyError) {
        let units: Int64
        if case .integer(let v) = number.storage {
            let (m, overflow) = v.multipliedReportingOverflow(by: 100)
            if overflow { throw MoneyError(.overflow, text: number.literal) }
            units = m
        } else {
            units = try Money.minorUnits(fromDecimal: number.literal)
        }
        self.init(minorUnits: units, currency: currency)
    }

    /// Money from any of Ozon's shapes:
    /// - a decimal string (`"649.0000"`) or a number (`649`, `551.65`), in `currency`;
    /// - an object `{"amount": "1530", "currency": "RUB"}` (v4), amount as string or number;
    /// - an object `{"price": 649, "currency_code": "RUB"}` (returns).
    ///
    /// An object's own currency wins over `currency`; `currency` is used when the object has none.
    public init(json: JSONValue, currency: String = Money.defaultCurrency) throws(MoneyError) {
        switch json {
        case .string(let s):
            try self.init(decimal: s, currency: currency)
        case .number(let n):
            try self.init(number: n, currency: currency)
        case .object(let o):
            let amount = o["amount"] ?? o["price"]
            let code = o["currency"]?.stringValue ?? o["currency_code"]?.stringValue
            guard let amount, amount.objectValue == nil else {
                throw MoneyError(.invalidShape, text: JSONWriter.write(json))
            }
            try self.init(json: amount, currency: (code?.isEmpty == false ? code : nil) ?? currency)
        default:
            throw MoneyError(.invalidShape, text: JSONWriter.write(json))
        }
    }

    /// Minor units of a decimal text, rounded half away from zero to two fractional digits.
    public static func minorUnits(fromDecimal text: String) throws(MoneyError) -> Int64 {
        try DecimalText.scaled(text, fractionDigits: fractionDigits)
    }

    /// The sum; an error if the currencies differ or the result overflows.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard currency == other.currency else {
            throw MoneyError(.currencyMismatch, text: "\(currency) + \(other.currency)")
        }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        if overflow { throw MoneyError(.overflow, text: "\(self) + \(other)") }
        return Money(minorUnits: sum, currency: currency)
    }

    /// The amount times `factor` (a quantity); an error on overflow.
    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (product, overflow) = minorUnits.multipliedReportingOverflow(by: factor)
        if overflow { throw MoneyError(.overflow, text: "\(self) × \(factor)") }
        return Money(minorUnits: product, currency: currency)
    }

    /// The amount as a decimal text with two fractional digits: `"649.00"`, `"-0.05"`.
    public var decimalString: String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        let units = magnitude / 100
        let cents = magnitude % 100
        return (negative ? "-" : "") + String(units) + "." + (cents < 10 ? "0" : "") + String(cents)
    }
}

extension Money: CustomStringConvertible {
    /// `649.00 RUB`.
    public var description: String { "\(decimalString) \(currency)" }
}

/// Why an amount could not be read or computed.
public struct MoneyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable {
        /// Not a decimal number (`"12,50"`, `"abc"`, `""`).
        case invalidFormat = "invalid_format"
        /// The amount does not fit Int64 minor units.
        case overflow
        /// A JSON value that is not a string, number or money object.
        case invalidShape = "invalid_shape"
        /// Arithmetic on two currencies.
        case currencyMismatch = "currency_mismatch"
    }

    /// What went wrong.
    public var kind: Kind
    /// The offending text (or JSON) as given.
    public var text: String

    /// An error of `kind` about `text`.
    public init(_ kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String {
        switch kind {
        case .invalidFormat: return "not a decimal amount: \(quoted(text))"
        case .overflow: return "amount out of range: \(quoted(text))"
        case .invalidShape: return "not a money value (expected a decimal string, a number or {\"amount\",\"currency\"}): \(text)"
        case .currencyMismatch: return "different currencies: \(text)"
        }
    }

    private func quoted(_ s: String) -> String { "\"\(s)\"" }
}

/// Exact decimal-text scaling: `"0.41"` kilograms → 410 grams, `"649.0000"` roubles → 64900 kopecks.
public enum DecimalText {
    /// `text × 10^fractionDigits`, rounded half away from zero.
    ///
    /// Accepts an optional sign (`-` or `+`), digits, an optional fraction and an optional exponent
    /// (`1.5e3`). At least one digit must precede the point. Never goes through `Double`.
    public static func scaled(_ text: String, fractionDigits: Int) throws(MoneyError) -> Int64 {
        var text = text
        let result: Int64? = text.withUTF8 { scaled(utf8: $0, fractionDigits: fractionDigits) }
        if let result { return result }
        // Distinguish bad syntax from overflow for the message.
        let syntaxOK = text.withUTF8 { scan($0) != nil }
        throw MoneyError(syntaxOK ? .overflow : .invalidFormat, text: text)
    }

    struct Parts {
        var negative: Bool
        var intDigits: Range<Int>
        var fracDigits: Range<Int>
        var exponent: Int
    }

    /// Splits a decimal literal into its parts; nil if it is not one.
    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Parts? {
        let n = b.count
        var i = 0
        var negative = false
        if i < n, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        let intStart = i
        while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
        let intDigits = intStart..<i
        guard !intDigits.isEmpty else { return nil }
        var fracDigits = i..<i
        if i < n, b[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            fracDigits = fracStart..<i
            guard !fracDigits.isEmpty else { return nil }
        }
        var exponent = 0
        if i < n, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < n, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                expNegative = b[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while i < n, b[i] >= 0x30, b[i] <= 0x39 {
                // Clamp: beyond ±10^6 the result is 0 or overflow either way.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(b[i] - 0x30) }
                i += 1
            }
            guard i > expStart else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        return Parts(negative: negative, intDigits: intDigits, fracDigits: fracDigits, exponent: exponent)
    }

    static func scaled(utf8 b: UnsafeBufferPointer<UInt8>, fractionDigits: Int) -> Int64? {
        guard let p = scan(b) else { return nil }
        let total = p.intDigits.count + p.fracDigits.count
        // Digit k of the concatenated mantissa (integer digits then fraction digits).
        @inline(__always) func digit(_ k: Int) -> Int64 {
            if k < p.intDigits.count { return Int64(b[p.intDigits.lowerBound + k] - 0x30) }
            return Int64(b[p.fracDigits.lowerBound + k - p.intDigits.count] - 0x30)
        }
        // How many mantissa digits land left of the point after scaling.
        let keep = p.intDigits.count + p.exponent + fractionDigits
        // Accumulate negatively so the most negative Int64 is reachable.
        var acc: Int64 = 0
        if keep > 0 {
            for k in 0..<keep {
                let d: Int64 = k < total ? digit(k) : 0
                let (m, o1) = acc.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.subtractingReportingOverflow(d)
                if o1 || o2 { return nil }
                acc = s
                // Past the mantissa only zeros follow; stop early once the value is zero.
                if k >= total && acc == 0 { break }
            }
        }
        // Half away from zero: only the first dropped digit matters.
        if keep >= 0 && keep < total && digit(keep) >= 5 {
            let (s, o) = acc.subtractingReportingOverflow(1)
            if o { return nil }
            acc = s
        }
        if p.negative { return acc }
        if acc == Int64.min { return nil }
        return -acc
    }
}

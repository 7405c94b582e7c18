import Testing
@testable import PostingModel

@Suite("Money")
struct MoneyTests {
    @Test(arguments: [
        ("1259", 125_900),
        ("279.0000", 27_900),
        ("15.5", 1_550),
        ("-3", -300),
        ("0", 0),
        ("0.01", 1),
        ("+7.25", 725),
        ("1.5e3", 150_000),
        ("15E-1", 150),
        ("1530.50", 153_050),
        ("0.41", 41),
        ("92233720368547758.07", Int64.max),
        ("-92233720368547758.08", Int64.min),
    ] as [(String, Int64)])
    func parsesDecimalTextExactly(text: String, minor: Int64) throws {
        #expect(try Money.minorUnits(fromDecimal: text) == minor)
    }

    @Test(arguments: [
        ("1.005", 101),  // half away from zero
        ("1.004999", 100),
        ("-1.005", -101),
        ("-1.004", -100),
        ("0.005", 1),
        ("0.0049", 0),
        ("2.675", 268),  // a classic Double rounding trap; exact here
        ("1e-5", 0),
        ("9.995", 1000),
    ] as [(String, Int64)])
    func roundsHalfAwayFromZero(text: String, minor: Int64) throws {
        #expect(try Money.minorUnits(fromDecimal: text) == minor)
    }

    @Test(arguments: ["", "abc", "12,50", "1.", ".5", "1e", "--1", "1 000", " 1", "0x10", "NaN", "1.2.3"])
    func rejectsNonDecimals(text: String) {
        let error = #expect(throws: MoneyError.self) { try Money.minorUnits(fromDecimal: text) }
        #expect(error?.kind == .invalidFormat)
    }

    @Test(arguments: ["92233720368547758.08", "-92233720368547758.09", "100000000000000000000", "1e30", "92233720368547758.075"])
    func overflowIsAnErrorNotATrap(text: String) {
        let error = #expect(throws: MoneyError.self) { try Money.minorUnits(fromDecimal: text) }
        #expect(error?.kind == .overflow)
    }

    @Test func readsTheThreeOzonShapes() throws {
        #expect(try Money(json: "649.0000", currency: "RUB") == Money(minorUnits: 64_900, currency: "RUB"))
        #expect(try Money(json: 649, currency: "RUB") == Money(minorUnits: 64_900, currency: "RUB"))
        #expect(try Money(json: try JSONParser.parse("551.65")) == Money(minorUnits: 55_165, currency: "RUB"))
        #expect(try Money(json: ["amount": "1530", "currency": "CNY"]) == Money(minorUnits: 153_000, currency: "CNY"))
        #expect(try Money(json: ["amount": 12.5, "currency": "USD"]) == Money(minorUnits: 1_250, currency: "USD"))
        #expect(try Money(json: ["price": 97.35, "currency_code": "RUB"]) == Money(minorUnits: 9_735, currency: "RUB"))
        #expect(try Money(json: ["amount": "10"], currency: "BYN") == Money(minorUnits: 1_000, currency: "BYN"))
    }

    @Test func readsNumbersFromTheirLiteralNotADouble() throws {
        // 0.1 + 0.2 style values and long fractions stay exact.
        let n = try #require(try JSONParser.parse("1234567890123.45").numberValue)
        #expect(try Money(number: n, currency: "RUB").minorUnits == 123_456_789_012_345)
        let big = try #require(try JSONParser.parse("92233720368547758").numberValue)
        #expect(try Money(number: big, currency: "RUB").minorUnits == 9_223_372_036_854_775_800)
        let tooBig = try #require(try JSONParser.parse("92233720368547759").numberValue)
        #expect(throws: MoneyError.self) { try Money(number: tooBig, currency: "RUB") }
    }

    @Test func rejectsOtherShapes() {
        for bad: JSONValue in [true, nil, [1], ["currency": "RUB"], ["amount": ["x": 1], "currency": "RUB"]] {
            let error = #expect(throws: MoneyError.self) { try Money(json: bad) }
            #expect(error?.kind == .invalidShape)
        }
    }

    @Test func arithmeticChecksOverflowAndCurrency() throws {
        let a = Money(minorUnits: 64_900, currency: "RUB")
        #expect(try a.multiplied(by: 3) == Money(minorUnits: 194_700, currency: "RUB"))
        #expect(try a.adding(a) == Money(minorUnits: 129_800, currency: "RUB"))
        #expect(throws: MoneyError.self) { try a.adding(Money(minorUnits: 1, currency: "CNY")) }
        #expect(throws: MoneyError.self) { try Money(minorUnits: .max, currency: "RUB").multiplied(by: 2) }
        #expect(throws: MoneyError.self) { try Money(minorUnits: .max, currency: "RUB").adding(Money(minorUnits: 1, currency: "RUB")) }
    }

    @Test func rendersDecimalText() {
        #expect(Money(minorUnits: 64_900, currency: "RUB").description == "649.00 RUB")
        #expect(Money(minorUnits: -5, currency: "RUB").decimalString == "-0.05")
        #expect(Money(minorUnits: 153_050, currency: "CNY").decimalString == "1530.50")
        #expect(Money(minorUnits: .min, currency: "RUB").decimalString == "-92233720368547758.08")
    }

    @Test func scalesOtherUnitsExactly() throws {
        #expect(try DecimalText.scaled("0.41", fractionDigits: 3) == 410)
        #expect(try DecimalText.scaled("0.357", fractionDigits: 3) == 357)
        #expect(try DecimalText.scaled("1.2345", fractionDigits: 3) == 1235)
        #expect(try DecimalText.scaled("120", fractionDigits: 0) == 120)
        #expect(try DecimalText.scaled("99.5", fractionDigits: 0) == 100)
    }
}

import Testing
@testable import PostingModel

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesScalarsAndContainers() throws {
        let v = try JSONParser.parse(#" {"a": [1, -2, 3.50, 1e3, true, false, null, "x"], "b": {}} "#)
        #expect(v["a"]?[0]?.int64Value == 1)
        #expect(v["a"]?[1]?.int64Value == -2)
        #expect(v["a"]?[2]?.numberValue?.literal == "3.50")
        #expect(v["a"]?[2]?.int64Value == nil)
        #expect(v["a"]?[3]?.numberValue?.literal == "1e3")
        #expect(v["a"]?[3]?.numberValue?.isInteger == false)
        #expect(v["a"]?[4]?.boolValue == true)
        #expect(v["a"]?[5]?.boolValue == false)
        #expect(v["a"]?[6]?.isNull == true)
        #expect(v["a"]?[7]?.stringValue == "x")
        #expect(v["b"]?.objectValue?.isEmpty == true)
    }

    @Test func keepsNumberLiteralsExactly() throws {
        let v = try JSONParser.parse(#"[279.0000, 9223372036854775807, -9223372036854775808, 9223372036854775808, -0, 0.1]"#)
        let a = try #require(v.arrayValue)
        #expect(a[0].numberValue?.literal == "279.0000")
        #expect(a[1].int64Value == Int64.max)
        #expect(a[2].int64Value == Int64.min)
        #expect(a[3].int64Value == nil)
        #expect(a[3].numberValue?.literal == "9223372036854775808")
        #expect(a[3].numberValue?.isInteger == true)
        #expect(a[4].numberValue?.literal == "-0")
        #expect(a[4].int64Value == 0)
        #expect(a[5].doubleValue == 0.1)
        #expect(JSONWriter.write(v) == "[279.0000,9223372036854775807,-9223372036854775808,9223372036854775808,-0,0.1]")
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let v = try JSONParser.parse(#""q\"b\\s\/n\nt\tr\rb\bf\f é \u00e9 \u041a \ud83d\ude00 \u0000""#)
        #expect(v.stringValue == "q\"b\\s/n\nt\tr\rb\u{8}f\u{C} é é К 😀 \u{0}")
    }

    @Test func keepsRawUTF8() throws {
        let v = try JSONParser.parse(#"{"city":"Казань","emoji":"🍵"}"#)
        #expect(v["city"]?.stringValue == "Казань")
        #expect(v["emoji"]?.stringValue == "🍵")
    }

    @Test(arguments: [
        (#"["\ud83d"]"#, "unpaired surrogate"),
        (#"["\ude00"]"#, "unpaired surrogate"),
        (#"["\ud83d\u0041"]"#, "unpaired surrogate"),
        (#"["\x"]"#, "invalid escape"),
        (#"["\u12G4"]"#, "invalid \\u escape"),
        ("[\"a\u{01}b\"]", "control character"),
        (#"[01]"#, "leading zeros"),
        (#"[1.]"#, "expected a digit after '.'"),
        (#"[1e]"#, "expected a digit in the exponent"),
        (#"[-]"#, "expected a digit after '-'"),
        (#"[+1]"#, "expected a value"),
        (#"[tru]"#, "invalid literal"),
        (#"{"a" 1}"#, "expected ':'"),
        (#"{"a":1,}"#, "expected a string key"),
        (#"[1,]"#, "expected a value"),
        (#"[1 2]"#, "expected ',' or ']'"),
        (#"{'a':1}"#, "expected a string key"),
        (#""abc"#, "unterminated string"),
        ("", "unexpected end of input"),
        (#"{"a":1} x"#, "after the JSON value"),
        (#"[1]]"#, "after the JSON value"),
    ])
    func rejectsInvalidJSON(text: String, expected: String) {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
        #expect(error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]  // "a\xC3(" : broken 2-byte sequence
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes) }
        let surrogate: [UInt8] = [0x22, 0xED, 0xA0, 0x80, 0x22]  // CESU-style encoded surrogate
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(surrogate) }
    }

    @Test func reportsLineAndColumn() {
        let text = "{\n  \"posting_number\": \"1-1\",\n  \"status\" \"delivered\"\n}"
        do {
            _ = try JSONParser.parse(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 12)
            #expect(error.description == "line 3, column 12: unexpected character '\"', expected ':' after an object key")
        }
    }

    @Test func columnCountsCharactersNotBytes() {
        do {
            _ = try JSONParser.parse(#"{"город": Казань}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 1)
            #expect(error.column == 11)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
        #expect(error?.message == "nesting deeper than 512 levels")
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect((try? JSONParser.parse(ok)) != nil)
        let objects = String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(objects) }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("[[[1]]]", maxDepth: 2) }
    }

    @Test func parsePrefixReportsWhereTheValueEnded() throws {
        let bytes = Array(#"  {"a":1} {"b":2}"#.utf8)
        let (first, end) = try JSONParser.parsePrefix(bytes)
        #expect(first["a"]?.int64Value == 1)
        #expect(end == 9)
        let (second, end2) = try JSONParser.parsePrefix(bytes, from: end)
        #expect(second["b"]?.int64Value == 2)
        #expect(end2 == bytes.count)
    }

    @Test func skipsByteOrderMark() throws {
        let v = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))
        #expect(v == [1])
    }

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v.objectValue?.keys == ["a", "b"])
        #expect(v["a"]?.int64Value == 3)
    }
}

@Suite("JSON values")
struct JSONValueTests {
    @Test func objectKeepsOrderAndSupportsEdits() {
        var o: JSONObject = ["z": 1, "a": 2, "m": 3]
        #expect(o.keys == ["z", "a", "m"])
        o["a"] = "two"
        #expect(o.keys == ["z", "a", "m"])
        #expect(o["a"] == "two")
        o["new"] = true
        #expect(o.keys == ["z", "a", "m", "new"])
        #expect(o.removeValue(forKey: "z") == 1)
        #expect(o.keys == ["a", "m", "new"])
        #expect(o["z"] == nil)
        o["m"] = nil
        #expect(o.count == 2)
        #expect(o.removeValue(forKey: "missing") == nil)
    }

    @Test func largeObjectsStayConsistentThroughEdits() {
        var o = JSONObject()
        for i in 0..<200 { o["k\(i)"] = .number(JSONNumber(integer: Int64(i))) }
        for i in stride(from: 0, to: 200, by: 3) { o.removeValue(forKey: "k\(i)") }
        for i in 0..<200 {
            #expect(o["k\(i)"]?.int64Value == (i % 3 == 0 ? nil : Int64(i)))
        }
        o["k3"] = 3
        #expect(o.keys.last == "k3")
        o.removeAll { $0.key.hasPrefix("k1") }
        #expect(o["k10"] == nil)
        #expect(o["k20"] == 20)
        #expect(o.count == o.keys.count)
    }

    @Test func equalityIsOrderSensitive() {
        let a: JSONObject = ["a": 1, "b": 2]
        let b: JSONObject = ["b": 2, "a": 1]
        #expect(a != b)
        #expect(a == ["a": 1, "b": 2])
        #expect(a.sortedByKey() == b.sortedByKey())
    }

    @Test func numbersCompareByLiteral() throws {
        #expect(JSONNumber(integer: 5) == (try JSONParser.parse("5")).numberValue)
        #expect((try JSONParser.parse("5.0")).numberValue != JSONNumber(integer: 5))
        #expect(JSONNumber(double: 0.41).literal == "0.41")
        #expect(JSONNumber(double: 3).literal == "3.0")
        #expect(JSONNumber(double: 3).isInteger == false)
        #expect(JSONNumber(literal: "1.5e3")?.doubleValue == 1500)
        #expect(JSONNumber(literal: "12") == JSONNumber(integer: 12))
        #expect(JSONNumber(literal: "1.") == nil)
        #expect(JSONNumber(literal: "abc") == nil)
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    @Test func writesCompactAndEscapes() {
        let v: JSONValue = ["s": "q\"\\\n\t\u{1}é😀", "n": .number(JSONNumber(literal: "279.0000")!), "i": -42, "a": [], "o": [:], "z": nil]
        #expect(JSONWriter.write(v) == #"{"s":"q\"\\\n\t\u0001é😀","n":279.0000,"i":-42,"a":[],"o":{},"z":null}"#)
    }

    @Test func sortsKeysByCodePoint() {
        let v: JSONValue = ["b": 1, "a": ["d": 1, "c": 2], "B": 0, "я": 1]
        #expect(JSONWriter.write(v, sortedKeys: true) == #"{"B":0,"a":{"c":2,"d":1},"b":1,"я":1}"#)
    }

    @Test func prettyPrintsLikeJq() {
        let v: JSONValue = ["a": [1, 2], "b": ["c": nil], "e": []]
        #expect(JSONWriter.write(v, pretty: true) == """
        {
          "a": [
            1,
            2
          ],
          "b": {
            "c": null
          },
          "e": []
        }
        """)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONWriter.write([.number(JSONNumber(double: .nan)), .number(JSONNumber(double: .infinity))]) == "[null,null]")
    }

    @Test func roundTripsThroughTheParser() throws {
        let text = Fixtures.v4List
        let v = try JSONParser.parse(text)
        let written = JSONWriter.write(v)
        #expect(try JSONParser.parse(written) == v)
        #expect(JSONWriter.write(try JSONParser.parse(written)) == written)
        #expect(try JSONParser.parse(JSONWriter.write(v, pretty: true)) == v)
    }

    @Test func writesIntegersAtTheEdges() {
        let v: JSONValue = [.number(JSONNumber(integer: .min)), .number(JSONNumber(integer: .max)), 0, 7, -7, 10]
        #expect(JSONWriter.write(v) == "[-9223372036854775808,9223372036854775807,0,7,-7,10]")
    }
}

import LuaKit
import Testing

@Suite("Values cross the boundary exactly")
struct ValueTests {
    let sandbox: Sandbox
    let identity: LuaReference

    init() throws {
        sandbox = try Sandbox()
        identity = try runChunkKeeping("return function(...) return ... end", chunkName: "identity.lua", in: sandbox)
    }

    func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let results = try sandbox.state.call(identity, [.value(value)])
        #expect(sandbox.state.stackDepth == 0)
        return results.first ?? .nil
    }

    @Test(arguments: [
        LuaValue.integer(3), .number(3.0), .integer(Int64.max), .integer(Int64.min), .number(-0.5),
        .number(1e300), .boolean(true), .boolean(false), .nil, .string(""),
        .string("Кружка керамическая 330 мл"), .string("a\u{0}b\u{0}"), .string("emoji 🎁 and NUL \u{0} inside"),
    ])
    func scalarsRoundTrip(_ value: LuaValue) throws {
        #expect(try roundTrip(value) == value)
    }

    @Test func integersAndFloatsStayApart() throws {
        let hook = try runChunkKeeping("return function() return 7, 7.0, 7 // 2, 7 / 2, math.type(2^53) end", chunkName: "n.lua", in: sandbox)
        let results = try sandbox.state.call(hook)
        #expect(results == [.integer(7), .number(7.0), .integer(3), .number(3.5), .string("float")])
    }

    @Test func nestedTablesRoundTrip() throws {
        let posting: LuaValue = [
            "posting_number": "61930528-0117-1",
            "products": [["sku": 1_734_059_281, "quantity": 2, "price": 64900, "weight": 0.41, "tags": ["ceramic", "fragile"]]],
            "is_express": false,
            "analytics_data": ["city": "Казань", "nested": ["deeper": ["deepest": [1, 2, 3]]]],
            "empty": [],
        ]
        #expect(try roundTrip(posting) == posting)
    }

    @Test func luaSideSeesTypesExactly() throws {
        let hook = try runChunkKeeping("""
            return function(v)
              return math.type(v.i), math.type(v.f), #v.list, v.text, #v.text
            end
            """, chunkName: "t.lua", in: sandbox)
        let results = try sandbox.state.call(hook, [.value(["i": 5, "f": 5.0, "list": [1, 2, 3], "text": "a\u{0}б"])])
        #expect(results == ["integer", "float", 3, "a\u{0}б", 4])
    }

    @Test(arguments: [
        ("local t = {}; t.self = t; return t", "cycle"),
        ("return { [true] = 1 }", "not a string or an array index"),
        ("return { [1.5] = 1 }", "not a string or an array index"),
        ("return { 1, 2, name = 'x' }", "mixes array items and named fields"),
        ("return { [1] = 'a', [3] = 'c' }", "hole at index 2"),
        ("return { [0] = 'zero' }", "hole at index 1"),
        ("return function() end", "cannot convert a function"),
        ("return { f = print }", "field 'f': cannot convert a function"),
        ("local t = {} local c = t for i = 1, 200 do c.next = {} c = c.next end return t", "nested deeper"),
    ])
    func unconvertibleValuesAreErrorsNotCrashes(source: String, expected: String) throws {
        let chunk = try sandbox.load(source: source, chunkName: "bad.lua")
        let error = expectLuaError(.conversion) { try sandbox.state.call(chunk) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(sandbox.state.stackDepth == 0)
    }

    @Test func referencesGiveFieldsKeysAndValues() throws {
        let chunk = try sandbox.load(source: "return { delivered = function() end, ['*'] = function() end, [1] = 'x' }", chunkName: "transitions.lua")
        let table = try sandbox.state.callKeepingResults(chunk)[0]
        let keys = sandbox.state.keys(of: table)
        #expect(keys.strings == ["*", "delivered"])
        #expect(keys.otherKeys == ["number"])
        let delivered = try #require(sandbox.state.field("delivered", of: table))
        #expect(sandbox.state.type(of: delivered) == .function)
        #expect(sandbox.state.field("missing", of: table) == nil)
        #expect(sandbox.state.stackDepth == 0)
    }
}

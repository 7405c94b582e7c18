import LuaKit
import PostingModel
import Testing

@testable import RulesEngine

/// Decisions are read from Lua straight into JSON; that must equal reading a
/// `LuaValue` and converting it, and refuse the same tables with the same message.
struct DecisionBuilderTests {
    @Test(arguments: [
        "return { carrier = 'cdek', cost = 35000, eta_days = 3, reason = 'cheapest' }",
        "return { { kind = 'gift', sku = 17 }, { kind = 'thank_you_card', text = 'Спасибо' } }",
        "return { packages = { { items = { { sku = 1, quantity = 2 } }, fragile = true, weight_g = 1.5 } } }",
        "return {}",
        "return { nested = { deeper = { list = { 1, 2.5, 'x', false } } } }",
        "return 1/0",
        "return { z = 1, a = 2, m = { y = 1, b = 2 } }",
    ])
    func matchesTheLuaValuePath(source: String) throws {
        let state = try LuaState()
        let chunk = try state.load(source: source, chunkName: "decision.lua")
        let direct = try state.call(chunk, [], building: DecisionBuilder())
        let viaLuaValue = try state.call(chunk).map { JSONValue(lua: $0) }
        #expect(direct == viaLuaValue)
        #expect(direct.map { JSONWriter.write($0) } == viaLuaValue.map { JSONWriter.write($0) })
    }

    @Test(arguments: [
        ("return { [1] = 'a', [3] = 'c' }", "array has a hole at index 2"),
        ("return { 1, 2, name = 'x' }", "mixes array items and named fields"),
        ("local t = {} t.self = t return t", "cycle"),
        ("return { f = string.len }", "cannot convert a function value"),
    ])
    func refusesWhatLuaValueRefuses(source: String, message: String) throws {
        let state = try LuaState()
        let chunk = try state.load(source: source, chunkName: "decision.lua")
        let direct = #expect(throws: LuaError.self) { try state.call(chunk, [], building: DecisionBuilder()) }
        let viaLuaValue = #expect(throws: LuaError.self) { try state.call(chunk) }
        #expect(direct?.message.contains(message) == true, "\(direct?.message ?? "")")
        #expect(direct?.message == viaLuaValue?.message)
    }
}

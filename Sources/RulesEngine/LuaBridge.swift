import LuaKit
import PostingModel

/// Converts between the JSON the host reads and writes and the values scripts see.
enum LuaBridge {
    /// JSON → Lua: integers stay integers, other numbers become floats, `null` is
    /// dropped from objects (an absent field reads as nil either way).
    static func luaValue(_ json: JSONValue) -> LuaValue {
        switch json {
        case .null: return .nil
        case .bool(let flag): return .boolean(flag)
        case .number(let number):
            if let integer = number.int64Value { return .integer(integer) }
            return .number(number.doubleValue)
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(luaValue))
        case .object(let object): return luaValue(object)
        }
    }

    static func luaValue(_ object: JSONObject) -> LuaValue {
        var fields: [String: LuaValue] = [:]
        fields.reserveCapacity(object.count)
        for (key, value) in object where !value.isNull {
            fields[key] = luaValue(value)
        }
        return .table(fields)
    }

    /// Lua → JSON, by the rules of `DecisionBuilder` (the one place that says
    /// how a Lua value becomes JSON).
    static func json(_ value: LuaValue) -> JSONValue {
        let builder = DecisionBuilder()
        switch value {
        case .nil: return builder.makeNil()
        case .boolean(let flag): return builder.make(boolean: flag)
        case .integer(let integer): return builder.make(integer: integer)
        case .number(let number): return builder.make(number: number)
        case .string(let text): return builder.make(string: text)
        case .array(let items): return builder.make(array: items.map(json))
        case .table(let fields): return builder.make(fields: fields.map { (key: $0.key, value: json($0.value)) })
        }
    }
}

/// How a Lua value becomes JSON: integers stay integers, non-finite floats
/// become strings, object keys are sorted (deterministic output). Reads what a
/// hook returned straight off the stack in one pass.
struct DecisionBuilder: LuaValueBuilder {
    func makeNil() -> JSONValue { .null }
    func make(boolean: Bool) -> JSONValue { .bool(boolean) }
    func make(integer: Int64) -> JSONValue { .number(JSONNumber(integer: integer)) }
    func make(number: Double) -> JSONValue {
        number.isFinite ? .number(JSONNumber(double: number)) : .string(String(number))
    }
    func make(string: String) -> JSONValue { .string(string) }
    func make(array items: [JSONValue]) -> JSONValue { .array(items) }
    func make(fields: [(key: String, value: JSONValue)]) -> JSONValue {
        .object(JSONObject(distinctPairs: fields.sorted { $0.key < $1.key }))
    }
}

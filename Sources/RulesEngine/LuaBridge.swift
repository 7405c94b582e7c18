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

    /// Lua → JSON, with object keys sorted so output is deterministic.
    static func json(_ value: LuaValue) -> JSONValue {
        switch value {
        case .nil: return .null
        case .boolean(let flag): return .bool(flag)
        case .integer(let integer): return .number(JSONNumber(integer: integer))
        case .number(let number):
            return number.isFinite ? .number(JSONNumber(double: number)) : .string(String(number))
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(json))
        case .table(let fields):
            return .object(JSONObject(distinctPairs: fields.sorted { $0.key < $1.key }.map { (key: $0.key, value: json($0.value)) }))
        }
    }
}

/// Reads what a hook returned straight into JSON, object keys sorted, by the
/// same rules as `LuaBridge.json` (non-finite floats become strings), in one
/// pass over the Lua value.
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

import LuaKit
import PostingModel

/// Writes JSON straight onto the Lua stack (the hot path for postings):
/// integers stay integers, other numbers become floats, `null` fields are left
/// out. Key order follows the input, which is deterministic.
struct LuaJSON: LuaPushable {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }
    init(_ object: JSONObject) { self.value = .object(object) }

    func push(to writer: inout LuaStackWriter) {
        LuaJSON.push(value, to: &writer)
    }

    static func push(_ value: JSONValue, to writer: inout LuaStackWriter) {
        switch value {
        case .null: writer.pushNil()
        case .bool(let flag): writer.pushBoolean(flag)
        case .number(let number):
            if let integer = number.int64Value { writer.pushInteger(integer) } else { writer.pushNumber(number.doubleValue) }
        case .string(let text): writer.pushString(text)
        case .array(let items):
            writer.pushTable(arrayCount: items.count)
            items.withUnsafeBufferPointer { items in
                for index in items.indices {
                    push(items[index], to: &writer)
                    writer.setIndex(index + 1)
                }
            }
        case .object(let object):
            writer.pushTable(fieldCount: object.count)
            object.forEachEntry { key, field in
                guard !field.isNull else { return }
                push(field, to: &writer)
                writer.setField(key)
            }
        }
    }
}

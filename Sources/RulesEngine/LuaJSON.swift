import LuaKit
import PostingModel

/// Writes JSON straight onto the Lua stack (the hot path for postings):
/// integers stay integers, other numbers become floats, `null` fields are left
/// out. Key order follows the input, which is deterministic.
struct LuaJSON: LuaPushable {
    let value: JSONValue
    /// When set, every table is pushed as a read-only view with this name.
    let readOnlyName: StaticString?

    init(_ value: JSONValue, readOnlyAs name: StaticString? = nil) {
        self.value = value
        readOnlyName = name
    }

    init(_ object: JSONObject, readOnlyAs name: StaticString? = nil) {
        self.init(.object(object), readOnlyAs: name)
    }

    /// A posting as the hooks of one transition share it: read-only, so that
    /// no hook can change what the next one sees.
    static func sharedPosting(_ fields: JSONObject) -> LuaJSON { LuaJSON(fields, readOnlyAs: "posting") }

    func push(to writer: inout LuaStackWriter) {
        LuaJSON.push(value, readOnlyName: readOnlyName, to: &writer)
    }

    static func push(_ value: JSONValue, readOnlyName: StaticString? = nil, to writer: inout LuaStackWriter) {
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
                    push(items[index], readOnlyName: readOnlyName, to: &writer)
                    writer.setIndex(index + 1)
                }
            }
            if let readOnlyName { writer.makeReadOnly(name: readOnlyName) }
        case .object(let object):
            writer.pushTable(fieldCount: object.count)
            object.forEachEntry { key, field in
                guard !field.isNull else { return }
                push(field, readOnlyName: readOnlyName, to: &writer)
                writer.setField(key)
            }
            if let readOnlyName { writer.makeReadOnly(name: readOnlyName) }
        }
    }
}

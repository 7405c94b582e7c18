/// A Lua value that can cross the boundary between Swift and Lua.
///
/// Integers and floats stay apart (`3` is `.integer(3)`, `3.0` is `.number(3.0)`),
/// as they do in Lua 5.4. A Lua table becomes `.array` when its keys are exactly
/// `1...n`, `.table` when every key is a string, and a conversion error otherwise
/// (mixed, sparse or non-string keys, cycles), never a crash. The empty table
/// converts to `.array([])`.
public enum LuaValue: Sendable, Hashable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([LuaValue])
    case table([String: LuaValue])

    /// The Lua type name of the value, as `type()` reports it.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array, .table: "table"
        }
    }

    public var isNil: Bool { if case .nil = self { true } else { false } }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .boolean(let b) = self { b } else { nil } }
    public var integerValue: Int64? { if case .integer(let i) = self { i } else { nil } }

    /// Elements of an array; the empty table counts as an empty array.
    public var arrayValue: [LuaValue]? {
        switch self {
        case .array(let items): items
        default: nil
        }
    }

    /// Fields of a table with string keys; the empty table counts as empty fields.
    public var tableValue: [String: LuaValue]? {
        switch self {
        case .table(let fields): fields
        case .array(let items) where items.isEmpty: [:]
        default: nil
        }
    }

    /// A field of a table value (`nil` when absent or when this is not a table).
    public subscript(key: String) -> LuaValue? {
        tableValue?[key]
    }
}

// Deliberately not ExpressibleByNilLiteral: `nil` must keep meaning Optional.none.
extension LuaValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: LuaValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// A value to pass into Lua: a plain value, or a reference to a Lua object
/// (function, table) held by the state.
public enum LuaArgument {
    case value(LuaValue)
    case reference(LuaReference)
}

/// A Lua object (a function or table) kept alive in the state's registry.
/// Valid only for the `LuaState` that made it.
public struct LuaReference: Hashable, Sendable {
    let id: Int32
}

/// The Lua type of a value held by reference.
public enum LuaType: String, Sendable {
    case `nil`, boolean, lightuserdata, number, string, table, function, userdata, thread, none
}

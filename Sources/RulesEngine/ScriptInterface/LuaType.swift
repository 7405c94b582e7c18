/// The type of a value that crosses into or out of a script, in the terms
/// LuaLS (lua-language-server) annotations use.
package indirect enum LuaType: Sendable, Hashable {
    case string, integer, number, boolean, any
    /// One of these string constants (`"approve"|"reject"`).
    case literals([String])
    /// A table described by the class of that name.
    case object(String)
    case list(LuaType)
    case map(key: LuaType, value: LuaType)
    /// A function, spelled as LuaLS writes one (`fun(...: any)`).
    case function(String)
    case union([LuaType])
    /// A named `---@alias` of another type (`ozon.PostingStatus`).
    case alias(String, LuaType)

    /// As written after `---@field name`.
    package var spelled: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .any: "any"
        case .literals(let values): values.map { "\"\($0)\"" }.joined(separator: "|")
        case .object(let name): name
        case .list(let element):
            if case .union = element { "(\(element.spelled))[]" } else if case .literals = element { "(\(element.spelled))[]" } else { "\(element.spelled)[]" }
        case .map(let key, let value): "table<\(key.spelled), \(value.spelled)>"
        case .function(let signature): signature
        case .union(let types): types.map(\.spelled).joined(separator: "|")
        case .alias(let name, _): name
        }
    }
}

/// One named field of a table scripts see or return.
package struct LuaField: Sendable, Hashable {
    package var name: String
    package var type: LuaType
    /// Absent from some tables (LuaLS: `name?`).
    package var optional: Bool
    package var doc: String

    package init(_ name: String, _ type: LuaType, optional: Bool = false, _ doc: String = "") {
        self.name = name
        self.type = type
        self.optional = optional
        self.doc = doc
    }
}

/// A table shape: a `---@class` in the definitions.
package struct LuaClass: Sendable, Hashable {
    package var name: String
    package var doc: String
    package var fields: [LuaField]
    /// Takes fields beyond the listed ones (transition actions carry their own).
    package var isOpen: Bool

    package init(_ name: String, _ doc: String, isOpen: Bool = false, _ fields: [LuaField]) {
        self.name = name
        self.doc = doc
        self.fields = fields
        self.isOpen = isOpen
    }

    package func field(_ name: String) -> LuaField? { fields.first { $0.name == name } }
}

/// A global function the host gives scripts.
package struct LuaGlobalFunction: Sendable, Hashable {
    package var name: String
    package var doc: String
    package var parameters: [(name: String, type: LuaType)]
    package var returns: LuaType?

    package init(_ name: String, _ doc: String, parameters: [(name: String, type: LuaType)], returns: LuaType?) {
        self.name = name
        self.doc = doc
        self.parameters = parameters
        self.returns = returns
    }

    package static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }
    package func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

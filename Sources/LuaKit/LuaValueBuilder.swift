import CLua
import CLuaShims

/// Builds a host-side value from a Lua value read off the stack, so callers
/// that want their own tree (JSON, say) get it in one pass instead of going
/// through `LuaValue` first.
///
/// The reader enforces `LuaValue`'s rules for every builder: a table is an
/// array when its keys are exactly `1...n`, named fields when every key is a
/// string, and a conversion error otherwise (mixed, sparse or other keys,
/// cycles, more than 100 levels, functions and userdata).
public protocol LuaValueBuilder {
    associatedtype Value
    func makeNil() -> Value
    func make(boolean: Bool) -> Value
    func make(integer: Int64) -> Value
    func make(number: Double) -> Value
    func make(string: String) -> Value
    func make(array items: [Value]) -> Value
    /// Named fields in Lua's traversal order (which is arbitrary); keys are distinct.
    func make(fields: [(key: String, value: Value)]) -> Value
}

/// Reads into `LuaValue` itself.
struct LuaValueTreeBuilder: LuaValueBuilder {
    func makeNil() -> LuaValue { .nil }
    func make(boolean: Bool) -> LuaValue { .boolean(boolean) }
    func make(integer: Int64) -> LuaValue { .integer(integer) }
    func make(number: Double) -> LuaValue { .number(number) }
    func make(string: String) -> LuaValue { .string(string) }
    func make(array items: [LuaValue]) -> LuaValue { .array(items) }
    func make(fields: [(key: String, value: LuaValue)]) -> LuaValue {
        .table(Dictionary(fields, uniquingKeysWith: { _, last in last }))
    }
}

extension LuaState {
    /// Calls a function and builds each result with `builder`.
    ///
    /// Inlinable so that the reader is specialized for the caller's builder
    /// (through a protocol witness per value it is slower than `LuaValue`).
    @inlinable
    public func call<Builder: LuaValueBuilder>(
        _ function: LuaReference, _ arguments: [LuaArgument], building builder: Builder
    ) throws(LuaError) -> [Builder.Value] {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        let count = try protectedCall(function, arguments)
        var results: [Builder.Value] = []
        results.reserveCapacity(count)
        for index in 0..<count {
            var reader = LuaValueReader(L: L, builder: builder)
            do throws(ConversionError) {
                results.append(try reader.read(at: top + 1 + Int32(index)))
            } catch {
                throw LuaError(kind: .conversion, message: "result \(index + 1): \(error.message)")
            }
        }
        return results
    }
}

/// One read of a value (and everything it holds) off the stack. Only raw
/// access: no metamethods run and no Lua error can be raised.
@usableFromInline
struct LuaValueReader<Builder: LuaValueBuilder> {
    @usableFromInline let L: OpaquePointer
    @usableFromInline let builder: Builder
    /// Tables on the path from the root to the table being read (cycle check;
    /// a short list, so a linear search beats hashing).
    @usableFromInline var path: [UnsafeRawPointer] = []

    @inlinable
    init(L: OpaquePointer, builder: Builder) {
        self.L = L
        self.builder = builder
    }

    @inlinable
    static var maximumDepth: Int { 100 }

    @inlinable
    mutating func read(at index: Int32) throws(LuaState.ConversionError) -> Builder.Value {
        let index = lua_absindex(L, index)
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return builder.makeNil()
        case LUA_TBOOLEAN: return builder.make(boolean: lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return builder.make(integer: lua_tointegerx(L, index, nil)) }
            return builder.make(number: lua_tonumberx(L, index, nil))
        case LUA_TSTRING: return builder.make(string: LuaState.string(at: index, on: L) ?? "")
        case LUA_TTABLE: return try readTable(at: index)
        default:
            throw LuaState.ConversionError(message: "cannot convert a \(String(cString: lua_typename(L, lua_type(L, index)))) value")
        }
    }

    @inlinable
    mutating func readTable(at index: Int32) throws(LuaState.ConversionError) -> Builder.Value {
        guard path.count < Self.maximumDepth else {
            throw LuaState.ConversionError(message: "table nested deeper than \(Self.maximumDepth) levels")
        }
        guard let identity = lua_topointer(L, index) else { return builder.makeNil() }
        guard !path.contains(identity) else {
            throw LuaState.ConversionError(message: "table contains a cycle")
        }
        path.append(identity)
        defer { path.removeLast() }
        guard lua_checkstack(L, 4) != 0 else { throw LuaState.ConversionError(message: "Lua stack exhausted") }
        // A read-only view (a posting, say, returned as part of a decision) reads as its table.
        if ozr_push_readonly_target(L, index) != 0 {
            defer { clua_pop(L, 1) }
            return try readTable(at: lua_gettop(L))
        }

        // lua_next walks the array part first, in order, so items usually
        // arrive as 1, 2, 3...; any other integer key waits in `outOfOrder`.
        var items: [Builder.Value] = []
        items.reserveCapacity(Int(lua_rawlen(L, index)))
        var outOfOrder: [Int64: Builder.Value] = [:]
        var integerKeyCount = 0
        var fields: [(key: String, value: Builder.Value)] = []
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let value: Builder.Value
            do {
                value = try read(at: -1)
            } catch {
                let key = LuaState.keyDescription(at: -2, on: L)
                clua_pop(L, 2)
                throw LuaState.ConversionError(message: "\(key): \(error.message)")
            }
            switch lua_type(L, -2) {
            case LUA_TSTRING:
                if fields.isEmpty { fields.reserveCapacity(8) }
                fields.append((LuaState.string(at: -2, on: L) ?? "", value))
            case LUA_TNUMBER where lua_isinteger(L, -2) != 0:
                integerKeyCount += 1
                let key = lua_tointegerx(L, -2, nil)
                if outOfOrder.isEmpty && key == Int64(items.count) + 1 {
                    items.append(value)
                } else {
                    outOfOrder[key] = value
                }
            default:
                let key = LuaState.keyDescription(at: -2, on: L)
                clua_pop(L, 2)
                throw LuaState.ConversionError(message: "table has a key that is not a string or an array index: \(key)")
            }
            clua_pop(L, 1)
        }
        if integerKeyCount > 0 && !fields.isEmpty {
            throw LuaState.ConversionError(message: "table mixes array items and named fields")
        }
        if !fields.isEmpty { return builder.make(fields: fields) }
        // The keys are exactly 1...count when each position up to count holds
        // an item; the first that does not is the hole.
        var position = items.count + 1
        while position <= integerKeyCount {
            guard let item = outOfOrder[Int64(position)] else {
                throw LuaState.ConversionError(message: "array has a hole at index \(position)")
            }
            items.append(item)
            position += 1
        }
        return builder.make(array: items)
    }
}

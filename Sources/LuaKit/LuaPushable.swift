import CLua
import CLuaShims

/// A Swift value that can write itself onto the Lua stack directly, without
/// first becoming a `LuaValue` (the fast path for large inputs such as a
/// posting, which would otherwise be copied into dictionaries and sorted).
public protocol LuaPushable {
    /// Pushes exactly one value with the writer's primitives.
    func push(to writer: inout LuaStackWriter)
}

/// The primitives a `LuaPushable` writes with. Tables are built by pushing a
/// table, then for each entry pushing its value and calling `setField` or
/// `setIndex`. Writes are raw (no metamethods) and never raise Lua errors.
public struct LuaStackWriter: ~Copyable {
    let L: OpaquePointer

    public func pushNil() { lua_pushnil(L) }
    public func pushBoolean(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }
    public func pushInteger(_ value: Int64) { lua_pushinteger(L, value) }
    public func pushNumber(_ value: Double) { lua_pushnumber(L, value) }
    public func pushString(_ value: String) { LuaState.pushString(value, on: L) }
    public func pushValue(_ value: LuaValue) { LuaState.push(value, on: L) }

    /// Pushes a new table sized for `arrayCount` items and `fieldCount` fields.
    public func pushTable(arrayCount: Int = 0, fieldCount: Int = 0) {
        _ = lua_checkstack(L, 8)
        lua_createtable(L, Int32(clamping: arrayCount), Int32(clamping: fieldCount))
    }

    /// Pops the value on top into field `key` of the table below it.
    public func setField(_ key: String) {
        LuaState.pushString(key, on: L)
        lua_rotate(L, -2, 1)  // key below value
        lua_rawset(L, -3)
    }

    /// Replaces the table on top with a read-only view of it: reads, `#`,
    /// `pairs`, `ipairs`, `next` and the host's conversions see the table;
    /// writes fail with "attempt to modify read-only table 'NAME'".
    public func makeReadOnly(name: StaticString) {
        name.withUTF8Buffer { bytes in
            ozr_make_readonly(L, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self))
        }
    }

    /// Pops the value on top into `table[index]` (1-based) of the table below it.
    public func setIndex(_ index: Int) {
        lua_rawseti(L, -2, lua_Integer(index))
    }
}

extension LuaState {
    /// Keeps a value written by a `LuaPushable` in the registry.
    public func reference(to pushable: some LuaPushable) -> LuaReference {
        var writer = LuaStackWriter(L: L)
        let top = lua_gettop(L)
        pushable.push(to: &writer)
        lua_settop(L, top + 1)
        return makeReference()
    }

    /// Sets `table[key]` to a value written by a `LuaPushable`, raw (no metamethods).
    public func setField(_ key: String, of table: LuaReference, to pushable: some LuaPushable) {
        lua_rawgeti(L, clua_registryindex, lua_Integer(table.id))
        guard lua_type(L, -1) == LUA_TTABLE else {
            clua_pop(L, 1)
            return
        }
        let top = lua_gettop(L)
        pushString(key)
        var writer = LuaStackWriter(L: L)
        pushable.push(to: &writer)
        lua_settop(L, top + 2)
        lua_rawset(L, -3)
        clua_pop(L, 1)
    }

    /// Sets `table[key] = value` raw (no metamethods).
    public func setField(_ key: String, of table: LuaReference, to value: LuaValue) {
        setField(key, of: table, to: .value(value))
    }

    /// Sets `table[key]` to a value or a referenced object, raw (no metamethods).
    public func setField(_ key: String, of table: LuaReference, to argument: LuaArgument) {
        lua_rawgeti(L, clua_registryindex, lua_Integer(table.id))
        guard lua_type(L, -1) == LUA_TTABLE else {
            clua_pop(L, 1)
            return
        }
        pushString(key)
        push(argument)
        lua_rawset(L, -3)
        clua_pop(L, 1)
    }
}

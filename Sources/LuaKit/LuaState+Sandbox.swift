import CLua
import CLuaShims

/// State-wide services the sandbox builds on: the random seed, the evaluation log.
extension LuaState {
    /// `math.randomseed(seed)` of the state's math library, called directly
    /// (the sandbox reseeds before every evaluation: reproducible results).
    public func reseedRandom(_ seed: Int64) {
        ozr_reseed_random(L, lua_Integer(seed))
    }

    /// Whether a referenced table has no entries at all (raw).
    public func isEmptyTable(_ table: LuaReference) -> Bool {
        lua_rawgeti(L, clua_registryindex, lua_Integer(table.id))
        defer { clua_pop(L, 1) }
        lua_pushnil(L)
        guard lua_next(L, -2) != 0 else { return true }
        clua_pop(L, 2)
        return false
    }
}

extension LuaState {
    /// A function that keeps its string argument as a line of this state's log.
    public func logFunctionReference() -> LuaReference {
        ozr_push_log_function(L)
        return makeReference()
    }

    /// The lines logged since the last `clearLog()`, in order.
    public func logLines() -> [String] {
        guard ozr_push_log(L) != 0 else { return [] }
        defer { clua_pop(L, 1) }
        let count = Int(lua_rawlen(L, -1))
        var lines: [String] = []
        lines.reserveCapacity(count)
        for index in 0..<count {
            lua_rawgeti(L, -1, lua_Integer(index + 1))
            lines.append(stringAt(-1) ?? "")
            clua_pop(L, 1)
        }
        return lines
    }

    public func clearLog() { ozr_clear_log(L) }
}

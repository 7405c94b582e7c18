import Foundation
import LuaKit
import PostingModel
import RulesEngine

/// The Lua side of a REPL session for one loaded rules folder: the session's
/// globals, the tooling functions, the loaded postings, and the host
/// functions that run input, format results and list completions.
///
/// Globals: the session has its own table (what you assign stays across
/// inputs), reading through to the session API (`postings`, `returns`,
/// `posting`, `run_hook`, `show`, ...) and then to the rules' sandbox base.
/// Rule evaluations never see the session's globals.
final class REPLLua {
    let engine: RulesEngine
    let bindings: ToolingBindings
    let state: LuaState
    let postings: [Posting]
    let returns: [ReturnEvent]
    /// Lines printed by `print` since the last `takePrinted()`.
    private var printed: [String] = []
    private let globals: LuaReference
    private let entry: [String: LuaReference]

    init(engine: RulesEngine, postings: [Posting], returns: [ReturnEvent], now: Timestamp) throws(LuaError) {
        self.engine = engine
        self.postings = postings
        self.returns = returns
        let state = engine.toolingSandbox.state
        self.state = state
        let bindings = try ToolingBindings(engine: engine, now: now)
        self.bindings = bindings
        let base = try engine.toolingSandbox.newEnvironment()

        weak var weakSelf: REPLLua?
        let emit = state.makeFunction(values: { arguments in
            weakSelf?.printed.append(arguments.first?.stringValue ?? "")
            return []
        })
        let catalog = engine.folder.catalog
        let postingTables = LuaValue.array(postings.map { LuaValue(json: .object(catalog.apply(to: $0).fields)) })
        let returnTables = LuaValue.array(returns.map { LuaValue(json: .object($0.fields)) })
        let chunk = try state.load(source: REPLLua.source, chunkName: "(repl)")
        state.setEnvironment(of: chunk, to: base)
        let results = try state.withLimits(.unlimited) { () throws(LuaError) in
            try state.callKeepingResults(chunk, [
                .reference(bindings.functions["show"]!), .reference(emit), .value(postingTables), .value(returnTables),
                .value(.array(REPLLua.baseNames.map(LuaValue.string))),
            ])
        }
        state.release(chunk)
        guard results.count == 3 else { throw LuaError(kind: .runtime, message: "the REPL library returned \(results.count) values") }
        try bindings.install(into: results[1])
        globals = results[2]
        var entry: [String: LuaReference] = [:]
        for name in ["run", "keys", "show", "global_names", "get_global", "set_global"] {
            guard let function = state.field(name, of: results[0]) else {
                throw LuaError(kind: .runtime, message: "the REPL library has no \(name)")
            }
            entry[name] = function
        }
        self.entry = entry
        weakSelf = self
    }

    /// Names the sandbox's base may hold (SPEC §3.4 and the host's helpers);
    /// only those present are offered as completions.
    static let baseNames = [
        "string", "table", "math", "utf8", "pairs", "ipairs", "next", "select", "type", "tostring", "tonumber",
        "error", "assert", "pcall", "xpcall", "setmetatable", "getmetatable", "rawget", "rawequal", "rawlen",
        "require", "_VERSION",
    ] + RulesEngine.helperNames

    /// Compiles input as a chunk of the session (chunk name `stdin`).
    func compile(_ source: String) throws(LuaError) -> LuaReference {
        let chunk = try state.load(source: source, chunkName: "stdin")
        state.setEnvironment(of: chunk, to: globals)
        return chunk
    }

    /// Runs a compiled chunk under the rules' limits; returns its results
    /// shown as Lua, tab-separated (empty for none).
    func run(_ chunk: LuaReference) throws(LuaError) -> String {
        defer { state.release(chunk) }
        return try state.call(entry["run"]!, [.reference(chunk)]).first?.stringValue ?? ""
    }

    func takePrinted() -> [String] {
        defer { printed.removeAll() }
        return printed
    }

    /// A value shown as readable Lua.
    func show(_ value: LuaValue) -> String {
        (try? state.withLimits(.unlimited) { () throws(LuaError) in try state.call(entry["show"]!, [.value(value)]) })?
            .first?.stringValue ?? "\(value)"
    }

    /// The string keys of the value at `path` (global, then fields), sorted;
    /// at the top level, every global name visible to the session.
    func keys(at path: [String]) -> [String] {
        let value = try? state.withLimits(LuaLimits(instructionBudget: 1_000_000, memoryLimitBytes: state.limits.memoryLimitBytes,
                                                    timeoutMilliseconds: 200)) { () throws(LuaError) in
            try state.call(entry["keys"]!, [.value(.array(path.map(LuaValue.string)))])
        }
        return value?.first?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The session's own globals that are plain data (to carry over a reload),
    /// and the names of those that are not.
    func plainGlobals() -> (kept: [String: LuaValue], dropped: [String]) {
        var kept: [String: LuaValue] = [:]
        var dropped: [String] = []
        let names = (try? state.withLimits(.unlimited) { () throws(LuaError) in try state.call(entry["global_names"]!) })?
            .first?.arrayValue?.compactMap(\.stringValue) ?? []
        for name in names {
            guard let reference = try? state.withLimits(.unlimited, { () throws(LuaError) in
                try state.callKeepingResults(entry["get_global"]!, [.value(.string(name))]).first
            }) else { continue }
            if let value = try? state.value(of: reference) { kept[name] = value } else { dropped.append(name) }
            state.release(reference)
        }
        return (kept, dropped.sorted())
    }

    func setGlobal(_ name: String, _ value: LuaValue) {
        _ = try? state.withLimits(.unlimited) { () throws(LuaError) in
            try state.call(entry["set_global"]!, [.value(.string(name)), .value(value)])
        }
    }

    /// Host code of the session. Returns the entry points, the API table and the session's globals.
    static let source = #"""
    local show, emit, postings, returns, base_names = ...
    local base = _ENV
    local pack, concat, sort, select, tostring, type, next, pairs, pcall, setmetatable =
      table.pack, table.concat, table.sort, select, tostring, type, next, pairs, pcall, setmetatable

    local api = setmetatable({}, { __index = base, __metatable = false })
    local globals = setmetatable({}, { __index = api, __metatable = false })
    api.postings, api.returns = postings, returns
    function api.print(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      emit(concat(parts, "\t"))
    end

    local repl = { show = show }

    function repl.run(chunk)
      local results = pack(chunk())
      local parts = {}
      for i = 1, results.n do parts[i] = show(results[i]) end
      return concat(parts, "\t")
    end

    local function identifier(k) return type(k) == "string" and k:find("^[%a_][%w_]*$") ~= nil end

    function repl.keys(path)
      local out, seen = {}, {}
      local function add(k)
        if identifier(k) and not seen[k] then seen[k] = true; out[#out + 1] = k end
      end
      if #path == 0 then
        for k in next, globals do add(k) end
        for k in next, api do add(k) end
        for _, k in ipairs(base_names) do if globals[k] ~= nil then add(k) end end
      else
        local t = globals
        for _, name in ipairs(path) do
          local ok, v = pcall(function() return t[name] end)
          if not ok or v == nil then return {} end
          t = v
        end
        if type(t) == "string" then t = string end
        if type(t) == "table" then pcall(function() for k in pairs(t) do add(k) end end) end
      end
      sort(out)
      return out
    end

    function repl.global_names()
      local names = {}
      for k in next, globals do if identifier(k) then names[#names + 1] = k end end
      sort(names)
      return names
    end

    function repl.get_global(name) return rawget(globals, name) end
    function repl.set_global(name, value) globals[name] = value end

    return repl, api, globals
    """#
}

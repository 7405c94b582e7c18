import Foundation

/// The allow-list environment rule scripts run in (SPEC §3.4).
///
/// Scripts see only: `string`, `table`, `math` (deterministic `random`),
/// `utf8` (all four as read-only copies), `pairs`, `ipairs`, `next`, `select`,
/// `type`, `tostring`, `tonumber`, `error`, `assert`, `pcall`, `xpcall`,
/// `setmetatable` (refusing `__gc`), `getmetatable`, `rawget`, `rawequal`,
/// `rawlen`, `print` (to the evaluation log), `require` (only the `lib/`
/// modules the host handed over), and the host's helpers. Nothing else of the
/// state is reachable: no `os`, `io`, `debug`, `package`, `load`, `dofile`,
/// `loadfile`, `collectgarbage` or `string.dump`.
///
/// Isolation: every chunk loaded through the sandbox shares one `_ENV`, and
/// `beginEvaluation()` gives them all a fresh, empty one whose reads fall
/// through to the read-only base. What one evaluation writes to globals is
/// gone in the next; library tables cannot be written at all; the string
/// metatable is hidden. Module-level locals of rule files are initialised
/// once per load and are shared by later evaluations.
public final class Sandbox {
    public let state: LuaState
    /// The sources `require` loads from, by path relative to the rules folder
    /// (`lib.tariffs` → `lib/tariffs.lua`); nil when there is no rules folder.
    /// Never read from disk: the code that runs is the code the host read (and digested).
    public let modules: [String: String]?
    /// What scripts printed (via `print` or `ctx.log`) since the last `takeLog()`.
    public var log: [String] { state.logLines() }

    /// The sandbox's `print`, for hosts that hand it to scripts (as `ctx.log`).
    public let printFunction: LuaReference
    private let environmentMetatable: LuaReference
    private var chunks: [LuaReference] = []
    private var environment: LuaReference
    private var compiledModules: [String: LuaReference] = [:]

    /// Creates a state and its sandbox. `modules` are the `lib/**/*.lua`
    /// sources `require` may load, by relative path; `helpers` become globals
    /// of every script (for example `rub`).
    public init(limits: LuaLimits = .standard, modules: [String: String]? = nil, helpers: [String: LuaHostFunction] = [:]) throws(LuaError) {
        let state = try LuaState(limits: limits)
        self.state = state
        self.modules = modules

        // The host side of `print` and `require`; set up once, below.
        var hostTable: [String: LuaReference] = [:]
        weak var weakSelf: Sandbox?
        hostTable["log"] = state.logFunctionReference()
        hostTable["load_module"] = state.makeFunction { arguments in
            guard let sandbox = weakSelf, let name = arguments.first?.stringValue else {
                return [.value(.nil), .value("bad argument #1 to 'require' (string expected)"), .value(2)]
            }
            return sandbox.loadModule(named: name)
        }
        for (name, body) in helpers {
            hostTable[name] = state.makeFunction(body)
        }

        let bootstrap = try state.load(source: Sandbox.bootstrapSource, chunkName: "(sandbox)")
        let hostFunctions = Sandbox.makeTable(hostTable, in: state)
        let helperNames = LuaValue.array(helpers.keys.sorted().map { .string($0) })
        let results = try state.withLimits(.unlimited) { () throws(LuaError) in
            try state.callKeepingResults(bootstrap, [.reference(state.globalsReference()), .reference(hostFunctions), .value(helperNames)])
        }
        guard results.count == 2 else {
            throw LuaError(kind: .runtime, message: "sandbox bootstrap returned \(results.count) values")
        }
        environmentMetatable = results[0]
        printFunction = results[1]
        environment = state.newTable(metatable: environmentMetatable)
        weakSelf = self
    }

    /// Compiles a chunk that will run in the sandbox (its `_ENV` follows the
    /// current evaluation). `chunkName` is the path relative to the rules
    /// folder, as messages should show it.
    public func load(source: String, chunkName: String) throws(LuaError) -> LuaReference {
        try load(bytes: Array(source.utf8), chunkName: chunkName)
    }

    /// Like `load(source:chunkName:)`, for source that may hold non-UTF-8 bytes.
    public func load(bytes: [UInt8], chunkName: String) throws(LuaError) -> LuaReference {
        let chunk = try state.load(bytes: bytes, chunkName: chunkName)
        state.setEnvironment(of: chunk, to: environment)
        chunks.append(chunk)
        return chunk
    }

    /// Starts a fresh evaluation: new empty globals for every loaded chunk,
    /// `math.random` reseeded (so results are reproducible), log cleared.
    public func beginEvaluation(seed: Int64 = 0) throws(LuaError) {
        // Globals nobody wrote to are as fresh as a new table: only replace
        // them (and re-point every chunk) when the last evaluation wrote some.
        if !state.isEmptyTable(environment) { renewEnvironment() }
        state.clearLog()
        state.reseedRandom(seed)
    }

    /// New empty globals for every loaded chunk.
    func renewEnvironment() {
        state.release(environment)
        environment = state.newTable(metatable: environmentMetatable)
        for chunk in chunks {
            state.setEnvironment(of: chunk, to: environment)
        }
    }

    /// Returns and clears what scripts printed.
    public func takeLog() -> [String] {
        defer { state.clearLog() }
        return state.logLines()
    }

    /// Resolves `require(name)`: only `lib.<name>[.<name>...]` among the
    /// modules handed over, compiled once with the file's relative path.
    /// Returns the chunk, or `nil, message, level` for `require` to raise.
    private func loadModule(named name: String) -> [LuaArgument] {
        if let compiled = compiledModules[name] { return [.reference(compiled)] }
        let components = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let valid = components.allSatisfy { component in
            guard let first = component.unicodeScalars.first, !component.isEmpty else { return false }
            return (first == "_" || CharacterSet.letters.contains(first) && first.isASCII)
                && component.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || CharacterSet.alphanumerics.contains($0)) }
        }
        guard valid, components.count >= 2, components[0] == "lib" else {
            return [.value(.nil), .value(.string("module '\(name)' not found: require only loads modules named lib.<name> from the rules folder's lib/")), .value(2)]
        }
        guard let modules else {
            return [.value(.nil), .value(.string("module '\(name)' not found: no rules folder")), .value(2)]
        }
        let relativePath = components.joined(separator: "/") + ".lua"
        guard let source = modules[relativePath] else {
            return [.value(.nil), .value(.string("module '\(name)' not found: no file \(relativePath) in the rules folder")), .value(2)]
        }
        do {
            let chunk = try load(source: source, chunkName: relativePath)
            compiledModules[name] = chunk
            return [.reference(chunk)]
        } catch {
            return [.value(.nil), .value(.string(error.description)), .value(0)]
        }
    }

    private static func makeTable(_ entries: [String: LuaReference], in state: LuaState) -> LuaReference {
        let table = state.reference(to: .table([:]))
        for (key, value) in entries { state.setField(key, of: table, to: .reference(value)) }
        return table
    }

    /// The globals every script sees (SPEC §3.4), helpers aside: the keys of
    /// the base environment the bootstrap below builds, read off its source so
    /// that the linter's list cannot drift from the allow-list.
    public static let globalNames: [String] = {
        guard let start = bootstrapSource.range(of: "local base = {"),
              let end = bootstrapSource.range(of: "\n}", range: start.upperBound..<bootstrapSource.endIndex)
        else { preconditionFailure("the sandbox bootstrap has no base table") }
        var names: [String] = []
        for line in bootstrapSource[start.upperBound..<end.lowerBound].split(separator: "\n") {
            let code = line.components(separatedBy: "--")[0]
            for entry in code.split(separator: ",") {
                guard let equals = entry.firstIndex(of: "=") else { continue }
                let name = entry[..<equals].trimmingCharacters(in: .whitespaces)
                if !name.isEmpty { names.append(name) }
            }
        }
        return names.sorted()
    }()

    /// Builds the read-only base environment. Runs once per state, with the
    /// real globals, which scripts never see.
    static let bootstrapSource = #"""
    local G, host, helper_names = ...
    local next, type, error, tostring, select = G.next, G.type, G.error, G.tostring, G.select
    local setmetatable, rawget, pcall = G.setmetatable, G.rawget, G.pcall
    local concat = G.table.concat

    local views = G.ozr_readonly

    -- A read-only view of a copy of a library table: writes fail, the copy
    -- cannot be reached, pairs() still lists it.
    local function readonly(library, name)
      local copy = {}
      for key, value in next, library do copy[key] = value end
      return views.view(copy, name)
    end

    local function safe_setmetatable(t, mt)
      if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("setmetatable: '__gc' metamethods are not allowed in rules", 2)
      end
      -- An error below names this host chunk; the message handler then reports
      -- the script's own line instead.
      return setmetatable(t, mt)
    end

    local function print(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      host.log(concat(parts, "\t"))
    end

    local loaded, loading = {}, {}
    local function require(name)
      if type(name) ~= "string" then
        error("bad argument #1 to 'require' (string expected, got " .. type(name) .. ")", 2)
      end
      local module = loaded[name]
      if module ~= nil then return module end
      if loading[name] then error("module '" .. name .. "' requires itself (a require loop)", 2) end
      local chunk, message, level = host.load_module(name)
      if chunk == nil then error(message, level) end
      loading[name] = true
      local ok, result = pcall(chunk, name)
      loading[name] = nil
      if not ok then error(result, 0) end
      if result == nil then result = true end
      loaded[name] = result
      return result
    end

    local base = {
      string = readonly(G.string, "string"),
      table = readonly(G.table, "table"),
      math = readonly(G.math, "math"),
      utf8 = readonly(G.utf8, "utf8"),
      -- next, rawget and rawlen see through read-only views (the libraries, the posting).
      pairs = G.pairs, ipairs = G.ipairs, next = views.next, select = G.select,
      type = G.type, tostring = G.tostring, tonumber = G.tonumber,
      error = G.error, assert = G.assert, pcall = G.pcall, xpcall = G.xpcall,
      setmetatable = safe_setmetatable, getmetatable = G.getmetatable,
      rawget = views.rawget, rawequal = G.rawequal, rawlen = views.rawlen,
      print = print, require = require,
      _VERSION = G._VERSION,
    }
    for _, name in G.ipairs(helper_names) do base[name] = host[name] end

    return { __index = base, __metatable = false }, print
    """#
}

extension LuaState {
    /// Runs `body` with other limits, restoring the current ones afterwards.
    public func withLimits<T>(_ temporary: LuaLimits, _ body: () throws(LuaError) -> T) throws(LuaError) -> T {
        let saved = limits
        limits = temporary
        defer { limits = saved }
        return try body()
    }
}

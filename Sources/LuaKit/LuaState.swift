import CLua
import CLuaShims

/// A host function callable from Lua. It receives the call's arguments and
/// returns its results; a thrown error becomes a Lua error at the caller's line.
public typealias LuaHostFunction = ([LuaValue]) throws -> [LuaArgument]

/// One Lua 5.4 state: owns its `lua_State` and closes it on deinit.
///
/// Not thread-safe: use one state per thread (or per task, never shared).
/// Every call into Lua goes through one protected-call funnel that arms the
/// limits, captures file/line/traceback of errors and restores the stack.
public final class LuaState {
    @usableFromInline let L: OpaquePointer
    let accounting: UnsafeMutablePointer<ozr_limits>
    private var hostFunctions: [HostFunctionBox] = []

    /// Limits applied to every call; the memory cap applies to the whole state.
    public var limits: LuaLimits {
        didSet { accounting.pointee.memory_limit = limits.memoryLimitBytes }
    }

    /// Statistics of the last call made through the funnel.
    public private(set) var lastCallStatistics = CallStatistics()

    public struct CallStatistics: Sendable, Hashable {
        /// VM instructions counted, to the granularity of the count hook (1000).
        public var instructions: Int64 = 0
        /// Highest memory the state held during the call, in bytes.
        public var peakMemoryBytes: Int = 0
        /// Wall-clock duration in nanoseconds.
        public var durationNanoseconds: Int64 = 0
    }

    /// Creates a state with the safe standard libraries (base, string, table,
    /// math, utf8) open in its global table. Scripts never see that table:
    /// they run in a `Sandbox` environment.
    public init(limits: LuaLimits = .standard) throws(LuaError) {
        LuaState.installDispatch
        accounting = .allocate(capacity: 1)
        accounting.initialize(to: ozr_limits())
        accounting.pointee.memory_limit = limits.memoryLimitBytes
        accounting.pointee.hook_count = 1000
        guard let state = ozr_newstate(accounting) else {
            accounting.deallocate()
            throw LuaError(kind: .memoryLimit, message: "cannot create a Lua state")
        }
        L = state
        self.limits = limits
        ozr_open_safe_libs(L)
    }

    deinit {
        ozr_close(L)
        accounting.deinitialize(count: 1)
        accounting.deallocate()
    }

    /// VM instructions between two checks of the limits (default 1000). The
    /// instruction counts in `lastCallStatistics` have this granularity; 1
    /// counts exactly, at a large cost in speed (for measuring, not running).
    public var instructionCountInterval: Int {
        get { Int(accounting.pointee.hook_count) }
        set { accounting.pointee.hook_count = Int32(clamping: max(1, newValue)) }
    }

    /// Bytes currently allocated by the state.
    public var memoryInUse: Int { Int(accounting.pointee.memory_used) }

    /// Number of values on the Lua stack; every LuaKit API leaves it unchanged.
    public var stackDepth: Int { Int(lua_gettop(L)) }

    /// Runs a full garbage collection.
    public func collectGarbage() { ozr_gc_collect(L) }

    // MARK: - Loading

    /// Compiles Lua source (text only; binary chunks are refused). `chunkName`
    /// is the file's path relative to its root (`carrier.lua`), so Lua's own
    /// messages read `carrier.lua:14: ...`.
    public func load(source: String, chunkName: String) throws(LuaError) -> LuaReference {
        try load(bytes: Array(source.utf8), chunkName: chunkName)
    }

    /// Compiles Lua source given as bytes (Lua strings may hold any bytes,
    /// including ones that are not UTF-8).
    public func load(bytes source: [UInt8], chunkName: String) throws(LuaError) -> LuaReference {
        var bytes = source
        if bytes.isEmpty { bytes = [0x20] }
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                ozr_load_text(L, chars.baseAddress, chars.count, "@" + chunkName)
            }
        }
        if status != LUA_OK {
            let message = stringAt(-1) ?? "cannot load \(chunkName)"
            clua_pop(L, 1)
            let (location, text) = LuaState.splitLocation(message)
            throw LuaError(kind: status == LUA_ERRMEM ? .memoryLimit : .syntax, message: text, location: location)
        }
        return makeReference()
    }

    // MARK: - Calls

    /// Calls a function with arguments under the current limits, returning its results.
    @discardableResult
    public func call(_ function: LuaReference, _ arguments: [LuaArgument] = []) throws(LuaError) -> [LuaValue] {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        let count = try protectedCall(function, arguments)
        var results: [LuaValue] = []
        results.reserveCapacity(count)
        for index in 0..<count {
            do {
                results.append(try readValue(at: top + 1 + Int32(index)))
            } catch {
                throw LuaError(kind: .conversion, message: "result \(index + 1): \(error.message)")
            }
        }
        return results
    }

    /// Calls a function and keeps its results in the registry (for functions
    /// and tables that stay in Lua, such as the hooks a rule module returns).
    public func callKeepingResults(_ function: LuaReference, _ arguments: [LuaArgument] = []) throws(LuaError) -> [LuaReference] {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        let count = try protectedCall(function, arguments)
        var references: [LuaReference] = []
        for index in 0..<count {
            lua_pushvalue(L, top + 1 + Int32(index))
            references.append(makeReference())
        }
        return references
    }

    /// The funnel: pushes the function and arguments, arms the limits, calls,
    /// and turns a failure into a `LuaError`. Leaves the results on the stack.
    @usableFromInline
    func protectedCall(_ function: LuaReference, _ arguments: [LuaArgument]) throws(LuaError) -> Int {
        let top = lua_gettop(L)
        guard lua_checkstack(L, Int32(arguments.count) + 8) != 0 else {
            throw LuaError(kind: .runtime, message: "too many arguments")
        }
        lua_rawgeti(L, clua_registryindex, lua_Integer(function.id))
        for argument in arguments { push(argument) }
        ozr_arm(L, accounting, limits.instructionBudget, limits.timeoutMilliseconds)
        let started = accounting.pointee.started_ns
        let status = ozr_pcall(L, Int32(arguments.count), clua_multret)
        ozr_disarm(L, accounting)
        lastCallStatistics = CallStatistics(
            instructions: accounting.pointee.instructions_used,
            peakMemoryBytes: Int(accounting.pointee.memory_peak),
            durationNanoseconds: ozr_now_ns() - started)
        guard status == LUA_OK else {
            let error = errorFromFailedCall(status: status)
            lua_settop(L, top)
            if error.kind == .memoryLimit || error.kind == .instructionLimit || error.kind == .timeout {
                // Give the next call its full headroom back.
                collectGarbage()
            }
            throw error
        }
        return Int(lua_gettop(L) - top)
    }

    private func errorFromFailedCall(status: Int32) -> LuaError {
        let info = ozr_last_error(L)!.pointee
        let kind: LuaError.Kind
        switch Int(info.limit) {
        case Int(OZR_LIMIT_INSTRUCTIONS): kind = .instructionLimit
        case Int(OZR_LIMIT_MEMORY): kind = .memoryLimit
        case Int(OZR_LIMIT_TIMEOUT): kind = .timeout
        default: kind = status == LUA_ERRMEM ? .memoryLimit : .runtime
        }
        var location: SourceLocation?
        if info.line > 0 {
            let source = withUnsafeBytes(of: info.source) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            location = SourceLocation(file: source, line: Int(info.line))
        }
        var message: String
        var value: LuaValue?
        if lua_type(L, -1) == LUA_TSTRING {
            message = stringAt(-1) ?? ""
            let (parsed, text) = LuaState.splitLocation(message)
            if parsed != nil { message = text }
            if location == nil { location = parsed }
        } else if lua_type(L, -1) == LUA_TTABLE {
            value = try? readValue(at: lua_gettop(L))
            message = value?["message"]?.stringValue ?? value.map { "error object: \($0)" } ?? "error object is a table"
        } else {
            message = "error object is a \(String(cString: lua_typename(L, lua_type(L, -1))))"
            if lua_type(L, -1) != LUA_TNIL, let converted = try? readValue(at: lua_gettop(L)) { value = converted }
        }
        switch kind {
        case .memoryLimit: message = "memory limit of \(limits.memoryLimitBytes >> 20) MB exceeded"
        case .instructionLimit: message = "instruction budget of \(limits.instructionBudget) exceeded"
        case .timeout: message = "deadline of \(limits.timeoutMilliseconds) ms exceeded"
        default: break
        }
        ozr_push_last_traceback(L)
        let traceback = stringAt(-1)
        clua_pop(L, 1)
        return LuaError(kind: kind, message: message, location: location, traceback: traceback, value: value)
    }

    /// Splits `file:line: text` into its location and text.
    static func splitLocation(_ message: String) -> (SourceLocation?, String) {
        var source = [CChar](repeating: 0, count: 256)
        var line: Int32 = 0
        let found = ozr_parse_location(message, &source, source.count, &line)
        guard found != 0 else { return (nil, message) }
        let file = String(decoding: source.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let prefix = "\(file):\(line):"
        var text = message.utf8.count > prefix.utf8.count ? String(message.dropFirst(prefix.count)) : ""
        if text.hasPrefix(" ") { text.removeFirst() }
        return (SourceLocation(file: file, line: Int(line)), text)
    }

    // MARK: - References

    /// Pops the top value into the registry.
    func makeReference() -> LuaReference {
        LuaReference(id: luaL_ref(L, clua_registryindex))
    }

    /// Keeps a plain value in the registry (for example a read-only table
    /// shared by several calls).
    public func reference(to value: LuaValue) -> LuaReference {
        push(value)
        return makeReference()
    }

    /// Releases a reference; the object may then be collected.
    public func release(_ reference: LuaReference) {
        luaL_unref(L, clua_registryindex, reference.id)
    }

    /// The Lua type of a referenced object.
    public func type(of reference: LuaReference) -> LuaType {
        lua_rawgeti(L, clua_registryindex, lua_Integer(reference.id))
        defer { clua_pop(L, 1) }
        return LuaState.luaType(lua_type(L, -1))
    }

    /// A field of a referenced table, read raw (no metamethods), kept as a reference.
    public func field(_ key: String, of table: LuaReference) -> LuaReference? {
        lua_rawgeti(L, clua_registryindex, lua_Integer(table.id))
        guard lua_type(L, -1) == LUA_TTABLE else {
            clua_pop(L, 1)
            return nil
        }
        pushString(key)
        lua_rawget(L, -2)
        if lua_type(L, -1) == LUA_TNIL {
            clua_pop(L, 2)
            return nil
        }
        clua_remove(L, -2)
        return makeReference()
    }

    /// Element `index` (from 1) of a referenced list, read raw, kept as a reference; nil when absent.
    public func element(_ index: Int, of table: LuaReference) -> LuaReference? {
        lua_rawgeti(L, clua_registryindex, lua_Integer(table.id))
        guard lua_type(L, -1) == LUA_TTABLE else {
            clua_pop(L, 1)
            return nil
        }
        lua_rawgeti(L, -1, lua_Integer(index))
        if lua_type(L, -1) == LUA_TNIL {
            clua_pop(L, 2)
            return nil
        }
        clua_remove(L, -2)
        return makeReference()
    }

    /// The raw length (`#`, without metamethods) of a referenced table; 0 for other values.
    public func length(of table: LuaReference) -> Int {
        lua_rawgeti(L, clua_registryindex, lua_Integer(table.id))
        defer { clua_pop(L, 1) }
        guard lua_type(L, -1) == LUA_TTABLE else { return 0 }
        return Int(lua_rawlen(L, -1))
    }

    /// The string keys of a referenced table, sorted; other keys are reported
    /// in `otherKeys` by their Lua type name.
    public func keys(of table: LuaReference) -> (strings: [String], otherKeys: [String]) {
        lua_rawgeti(L, clua_registryindex, lua_Integer(table.id))
        defer { clua_pop(L, 1) }
        guard lua_type(L, -1) == LUA_TTABLE else { return ([], []) }
        var strings: [String] = []
        var others: [String] = []
        lua_pushnil(L)
        while lua_next(L, -2) != 0 {
            if lua_type(L, -2) == LUA_TSTRING, let key = stringAt(-2) {
                strings.append(key)
            } else {
                others.append(String(cString: lua_typename(L, lua_type(L, -2))))
            }
            clua_pop(L, 1)
        }
        return (strings.sorted(), others)
    }

    /// Where a referenced function is defined (its file and first line), or
    /// nil for C functions and non-functions.
    public func definition(of function: LuaReference) -> SourceLocation? {
        lua_rawgeti(L, clua_registryindex, lua_Integer(function.id))
        guard lua_type(L, -1) == LUA_TFUNCTION else {
            clua_pop(L, 1)
            return nil
        }
        var source = [CChar](repeating: 0, count: 256)
        let line = ozr_function_location(L, -1, &source, source.count)
        clua_pop(L, 1)
        guard line > 0 else { return nil }
        let file = String(decoding: source.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return SourceLocation(file: file, line: Int(line))
    }

    /// The value of a referenced object, converted to a `LuaValue`.
    public func value(of reference: LuaReference) throws(LuaError) -> LuaValue {
        lua_rawgeti(L, clua_registryindex, lua_Integer(reference.id))
        defer { clua_pop(L, 1) }
        do {
            return try readValue(at: lua_gettop(L))
        } catch {
            throw LuaError(kind: .conversion, message: error.message)
        }
    }

    /// Sets the first upvalue (`_ENV` of a main chunk) of a referenced function.
    public func setEnvironment(of function: LuaReference, to environment: LuaReference) {
        lua_rawgeti(L, clua_registryindex, lua_Integer(function.id))
        lua_rawgeti(L, clua_registryindex, lua_Integer(environment.id))
        if lua_setupvalue(L, -2, 1) == nil { clua_pop(L, 1) }
        clua_pop(L, 1)
    }

    /// A new empty table whose metatable is the referenced table.
    public func newTable(metatable: LuaReference?) -> LuaReference {
        lua_createtable(L, 0, 0)
        if let metatable {
            lua_rawgeti(L, clua_registryindex, lua_Integer(metatable.id))
            lua_setmetatable(L, -2)
        }
        return makeReference()
    }

    /// The state's real global table (never given to scripts).
    public func globalsReference() -> LuaReference {
        lua_rawgeti(L, clua_registryindex, clua_ridx_globals)
        return makeReference()
    }

    // MARK: - Host functions

    /// Wraps a Swift function as a Lua function value kept in the registry.
    public func makeFunction(_ body: @escaping LuaHostFunction) -> LuaReference {
        let box = HostFunctionBox(body: body)
        hostFunctions.append(box)
        ozr_push_host_function(L, Unmanaged.passUnretained(box).toOpaque())
        return makeReference()
    }

    /// Convenience for host functions that return plain values.
    public func makeFunction(values body: @escaping ([LuaValue]) throws -> [LuaValue]) -> LuaReference {
        makeFunction { arguments in try body(arguments).map(LuaArgument.value) }
    }

    private static let installDispatch: Void = {
        ozr_set_host_dispatch { state, context in
            guard let state, let context else { return 0 }
            let box = Unmanaged<HostFunctionBox>.fromOpaque(context).takeUnretainedValue()
            return box.invoke(state)
        }
    }()

    // MARK: - Line hook (coverage, tracing)

    /// Calls `observer` with (file, line) for every line executed, until removed.
    public func observeLines(_ observer: ((String, Int) -> Void)?) {
        if let observer {
            let box = LineObserverBox(observer: observer)
            lineObserver = box
            ozr_set_line_hook(L, { context, source, line in
                guard let context, let source else { return }
                let box = Unmanaged<LineObserverBox>.fromOpaque(context).takeUnretainedValue()
                box.observer(String(cString: source), Int(line))
            }, Unmanaged.passUnretained(box).toOpaque())
        } else {
            ozr_set_line_hook(L, nil, nil)
            lineObserver = nil
        }
    }
    private var lineObserver: LineObserverBox?

    // MARK: - Values

    func push(_ argument: LuaArgument) {
        switch argument {
        case .value(let value): push(value)
        case .reference(let reference): lua_rawgeti(L, clua_registryindex, lua_Integer(reference.id))
        }
    }

    func push(_ value: LuaValue) {
        LuaState.push(value, on: L)
    }

    func pushString(_ string: String) {
        LuaState.pushString(string, on: L)
    }

    static func pushString(_ string: String, on L: OpaquePointer) {
        // Native strings lend their bytes as they are; only others are copied.
        let pushed: Void? = string.utf8.withContiguousStorageIfAvailable { buffer in
            _ = lua_pushlstring(L, UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count)
        }
        guard pushed == nil else { return }
        var copy = string
        copy.withUTF8 { buffer in
            _ = lua_pushlstring(L, UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count)
        }
    }

    static func push(_ value: LuaValue, on L: OpaquePointer) {
        _ = lua_checkstack(L, 4)
        switch value {
        case .nil: lua_pushnil(L)
        case .boolean(let flag): lua_pushboolean(L, flag ? 1 : 0)
        case .integer(let number): lua_pushinteger(L, number)
        case .number(let number): lua_pushnumber(L, number)
        case .string(let string): pushString(string, on: L)
        case .array(let items):
            lua_createtable(L, Int32(clamping: items.count), 0)
            for (index, item) in items.enumerated() {
                push(item, on: L)
                lua_rawseti(L, -2, lua_Integer(index + 1))
            }
        case .table(let fields):
            lua_createtable(L, 0, Int32(clamping: fields.count))
            // Sorted so that table construction (and so `pairs` order) is deterministic.
            for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
                pushString(key, on: L)
                push(field, on: L)
                lua_rawset(L, -3)
            }
        }
    }

    func stringAt(_ index: Int32) -> String? {
        LuaState.string(at: index, on: L)
    }

    @usableFromInline
    static func string(at index: Int32, on L: OpaquePointer) -> String? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    func readValue(at index: Int32) throws(ConversionError) -> LuaValue {
        var reader = LuaValueReader(L: L, builder: LuaValueTreeBuilder())
        return try reader.read(at: index)
    }

    @usableFromInline
    struct ConversionError: Error {
        @usableFromInline var message: String
        @usableFromInline init(message: String) { self.message = message }
    }

    @usableFromInline
    static func keyDescription(at index: Int32, on L: OpaquePointer) -> String {
        switch lua_type(L, index) {
        case LUA_TSTRING: return "field '\(string(at: index, on: L) ?? "")'"
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return "index \(lua_tointegerx(L, index, nil))" }
            return "key \(lua_tonumberx(L, index, nil))"
        default: return "a \(String(cString: lua_typename(L, lua_type(L, index)))) key"
        }
    }

    static func luaType(_ code: Int32) -> LuaType {
        switch code {
        case LUA_TNIL: .nil
        case LUA_TBOOLEAN: .boolean
        case LUA_TLIGHTUSERDATA: .lightuserdata
        case LUA_TNUMBER: .number
        case LUA_TSTRING: .string
        case LUA_TTABLE: .table
        case LUA_TFUNCTION: .function
        case LUA_TUSERDATA: .userdata
        case LUA_TTHREAD: .thread
        default: .none
        }
    }
}

/// Holds a host function's body; its address is the C closure's upvalue.
final class HostFunctionBox {
    let body: LuaHostFunction
    init(body: @escaping LuaHostFunction) { self.body = body }

    /// Called from the C trampoline. Returns the number of results pushed, or
    /// -1 after pushing an error message (the trampoline raises it from C).
    func invoke(_ L: OpaquePointer) -> Int32 {
        let count = lua_gettop(L)
        var arguments: [LuaValue] = []
        arguments.reserveCapacity(Int(count))
        for index in stride(from: Int32(1), through: count, by: 1) {
            var reader = LuaValueReader(L: L, builder: LuaValueTreeBuilder())
            do {
                arguments.append(try reader.read(at: index))
            } catch {
                LuaState.pushString("bad argument #\(index): \(error.message)", on: L)
                return -1
            }
        }
        let results: [LuaArgument]
        do {
            results = try body(arguments)
        } catch let error as LuaHostError {
            LuaState.pushString(error.message, on: L)
            return -1
        } catch {
            LuaState.pushString(String(describing: error), on: L)
            return -1
        }
        guard lua_checkstack(L, Int32(results.count) + 4) != 0 else {
            LuaState.pushString("too many results", on: L)
            return -1
        }
        for result in results {
            switch result {
            case .value(let value): LuaState.push(value, on: L)
            case .reference(let reference): lua_rawgeti(L, clua_registryindex, lua_Integer(reference.id))
            }
        }
        return Int32(results.count)
    }
}

final class LineObserverBox {
    let observer: (String, Int) -> Void
    init(observer: @escaping (String, Int) -> Void) { self.observer = observer }
}

import CLua

/// The lines of a chunk that hold code, for line coverage.
///
/// Lua keeps the line of every VM instruction in each compiled function
/// ("prototype"), nested functions included, and reports exactly those lines to
/// a line hook. This reads them from the chunk's own bytecode: the function is
/// dumped with `lua_dump` (debug information kept) and every prototype's line
/// table is decoded, the same way `debug.getinfo(f, "L").activelines` derives
/// them, but for all nested functions at once and without running anything.
///
/// Two kinds of instruction are left out, as `activelines` leaves out the first:
/// the `VARARGPREP` that opens a vararg function (the main chunk), which the
/// line hook never reports, and the implicit `return` the compiler appends at
/// the `end` of every function, which only runs when control falls off the
/// end (a function that always returns early would otherwise never cover its
/// `end`). A line with any other instruction counts.
public enum CodeLines {
    /// Compiles `source` (without running it) and returns its code lines, sorted.
    public static func lines(source: String, chunkName: String) throws(LuaError) -> [Int] {
        let state = try LuaState(limits: .unlimited)
        let chunk = try state.load(source: source, chunkName: chunkName)
        return try state.codeLines(of: chunk)
    }
}

extension LuaState {
    /// The code lines of a Lua function and every function nested in it, sorted
    /// (see `CodeLines`). Throws for C functions and non-functions.
    public func codeLines(of function: LuaReference) throws(LuaError) -> [Int] {
        lua_rawgeti(L, clua_registryindex, lua_Integer(function.id))
        defer { clua_pop(L, 1) }
        guard lua_type(L, -1) == LUA_TFUNCTION, lua_iscfunction(L, -1) == 0 else {
            throw LuaError(kind: .conversion, message: "code lines: not a Lua function")
        }
        let sink = DumpSink()
        let status = lua_dump(L, { _, data, size, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<DumpSink>.fromOpaque(context).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }, Unmanaged.passUnretained(sink).toOpaque(), 0)
        guard status == 0 else { throw LuaError(kind: .conversion, message: "code lines: lua_dump failed (\(status))") }
        do {
            var reader = BytecodeReader(bytes: sink.bytes)
            var lines = Set<Int>()
            try reader.readChunk(into: &lines)
            return lines.sorted()
        } catch {
            throw LuaError(kind: .conversion, message: "code lines: \(error.message)")
        }
    }
}

private final class DumpSink {
    var bytes: [UInt8] = []
}

/// A reader of Lua 5.4 binary chunks (`ldump.c`), keeping only line information.
struct BytecodeReader {
    struct FormatError: Error { var message: String }

    let bytes: [UInt8]
    var position = 0
    private var instructionSize = 4
    private var integerSize = 8
    private var numberSize = 8

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func readChunk(into lines: inout Set<Int>) throws(FormatError) {
        let signature: [UInt8] = [0x1B, 0x4C, 0x75, 0x61]  // "\eLua"
        guard Array(try take(4)) == signature else { throw FormatError(message: "not a Lua binary chunk") }
        let version = try byte()
        guard version == 0x54 else { throw FormatError(message: "bytecode version \(String(version, radix: 16)), expected 54 (Lua 5.4)") }
        guard try byte() == 0 else { throw FormatError(message: "unknown bytecode format") }
        _ = try take(6)  // LUAC_DATA
        instructionSize = Int(try byte())
        integerSize = Int(try byte())
        numberSize = Int(try byte())
        _ = try take(integerSize + numberSize)  // LUAC_INT, LUAC_NUM
        _ = try byte()  // upvalues of the main closure
        try readFunction(into: &lines)
    }

    private mutating func readFunction(into lines: inout Set<Int>) throws(FormatError) {
        try skipString()  // source
        let lineDefined = try size()
        _ = try size()  // lastlinedefined
        _ = try byte()  // numparams
        let isVararg = try byte() != 0
        _ = try byte()  // maxstacksize
        let codeCount = try size()
        _ = try take(codeCount * instructionSize)
        let constants = try size()
        for _ in 0..<constants {
            switch try byte() {
            case 3: _ = try take(integerSize)  // integer
            case 19: _ = try take(numberSize)  // float
            case 4, 20: try skipString()  // short and long strings
            case 0, 1, 17: break  // nil, false, true
            case let tag: throw FormatError(message: "unknown constant tag \(tag)")
            }
        }
        let upvalues = try size()
        _ = try take(upvalues * 3)
        let protos = try size()
        for _ in 0..<protos { try readFunction(into: &lines) }

        // Debug information: relative line deltas per instruction, and absolute
        // lines at the instructions whose delta is the marker -128.
        let deltas = try take(try size()).map { Int(Int8(bitPattern: $0)) }
        var absolute: [Int: Int] = [:]
        for _ in 0..<(try size()) {
            let pc = try size()
            absolute[pc] = try size()
        }
        for _ in 0..<(try size()) {  // local variables
            try skipString()
            _ = try size()
            _ = try size()
        }
        for _ in 0..<(try size()) { try skipString() }  // upvalue names

        var line = lineDefined
        var functionLines: [Int] = []
        for pc in deltas.indices {
            if deltas[pc] == -0x80 {
                guard let value = absolute[pc] else { throw FormatError(message: "missing absolute line at pc \(pc)") }
                line = value
            } else {
                line += deltas[pc]
            }
            functionLines.append(line)
        }
        // Leave out the opening VARARGPREP and the implicit final return.
        let first = isVararg ? 1 : 0
        let last = functionLines.count - 1
        if first < last {
            for pc in first..<last { lines.insert(functionLines[pc]) }
        }
    }

    private mutating func byte() throws(FormatError) -> UInt8 {
        guard position < bytes.count else { throw FormatError(message: "truncated bytecode") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func take(_ count: Int) throws(FormatError) -> ArraySlice<UInt8> {
        guard count >= 0, position + count <= bytes.count else { throw FormatError(message: "truncated bytecode") }
        defer { position += count }
        return bytes[position..<position + count]
    }

    /// `dumpSize`: 7 bits per byte, most significant first, the last byte marked with 0x80.
    private mutating func size() throws(FormatError) -> Int {
        var value = 0
        while true {
            let next = try byte()
            guard value < Int.max >> 7 else { throw FormatError(message: "size overflow") }
            value = (value << 7) | Int(next & 0x7F)
            if next & 0x80 != 0 { return value }
        }
    }

    private mutating func skipString() throws(FormatError) {
        let length = try size()
        if length > 0 { _ = try take(length - 1) }
    }
}

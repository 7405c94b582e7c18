import CLua
import CLuaShims

/// A value encoded for a lazy read-only view (`LuaState.reference(toEncoded:name:)`):
/// scripts get tables that are built from these bytes, in C, only when first read.
///
/// Write one value: a scalar, or a container opened with `beginArray` or
/// `beginObject`, filled (objects: `key` before each value) and closed with
/// `end(_:)`. `nil` items keep their place in arrays; objects have no `nil` values.
public struct LuaEncoder {
    public private(set) var bytes: [UInt8] = []

    public init() { bytes.reserveCapacity(4096) }

    /// Empties the buffer, keeping its capacity (one encoder per state, reused).
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// Where an open container's header is, for `end(_:)`.
    public struct Container {
        let position: Int
        let isObject: Bool
        /// Entries of an object so far.
        var count: UInt32 = 0
    }

    public mutating func encodeNil() { bytes.append(UInt8(OZR_ENC_NIL)) }
    public mutating func encode(_ flag: Bool) { bytes.append(UInt8(flag ? OZR_ENC_TRUE : OZR_ENC_FALSE)) }

    public mutating func encode(_ integer: Int64) {
        bytes.append(UInt8(OZR_ENC_INTEGER))
        withUnsafeBytes(of: integer.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func encode(_ number: Double) {
        bytes.append(UInt8(OZR_ENC_NUMBER))
        withUnsafeBytes(of: number) { bytes.append(contentsOf: $0) }
    }

    public mutating func encode(_ string: String) {
        bytes.append(UInt8(OZR_ENC_STRING))
        appendCounted(string)
    }

    /// Opens an array of `count` items (each then encoded in order).
    public mutating func beginArray(count: Int) -> Container {
        let container = Container(position: bytes.count, isObject: false)
        bytes.append(UInt8(OZR_ENC_ARRAY))
        appendUInt32(UInt32(clamping: count))
        appendUInt32(0)  // body size, set by end
        return container
    }

    /// Opens an object whose table is sized for `presize` fields.
    public mutating func beginObject(presize: Int) -> Container {
        let container = Container(position: bytes.count, isObject: true)
        bytes.append(UInt8(OZR_ENC_OBJECT))
        appendUInt32(UInt32(clamping: presize))
        appendUInt32(0)  // entries, set by end
        appendUInt32(0)  // body size, set by end
        return container
    }

    /// The key of the next value of the object `container`.
    public mutating func key(_ key: String, in container: inout Container) {
        container.count += 1
        appendCounted(key)
    }

    public mutating func end(_ container: Container) {
        let header = container.isObject ? 13 : 9
        let size = UInt32(clamping: bytes.count - container.position - header)
        if container.isObject { store(container.count, at: container.position + 5) }
        store(size, at: container.position + header - 4)
    }

    private mutating func appendUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func store(_ value: UInt32, at position: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for index in 0..<4 { bytes[position + index] = raw[index] }
        }
    }

    private mutating func appendCounted(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            appendUInt32(UInt32(clamping: utf8.count))
            bytes.append(contentsOf: utf8)
        }
        guard done == nil else { return }
        var copy = string
        copy.withUTF8 { utf8 in
            appendUInt32(UInt32(clamping: utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
}

extension LuaState {
    /// Keeps in the registry a read-only view of what `encoder` holds: reads,
    /// `#`, `pairs`, `next`, `rawget` and the host's conversions see it as
    /// tables, each built on its first read; writes fail with "attempt to
    /// modify read-only table 'NAME'".
    public func reference(toEncoded encoder: LuaEncoder, name: StaticString) -> LuaReference {
        encoder.bytes.withUnsafeBytes { raw in
            name.withUTF8Buffer { text in
                ozr_push_encoded(L, raw.baseAddress, raw.count, UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self))
            }
        }
        return makeReference()
    }
}

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

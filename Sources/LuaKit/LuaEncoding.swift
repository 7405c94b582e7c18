import CLua
import CLuaShims

/// A value encoded for a lazy read-only view (`LuaState.reference(toEncoded:name:)`):
/// scripts get tables that are built from these bytes, in C, only when first read.
///
/// Write one value: a scalar, or a container opened with `beginArray` or
/// `beginObject`, filled (objects: `key` before each value) and closed with
/// `end(_:)`. `nil` items keep their place in arrays; objects have no `nil` values.
public final class LuaEncoder {
    /// The encoding so far: `used` bytes from `base` (grown by doubling).
    // (Unchecked: the encoder's own methods are the only accessors, and the
    // runtime's exclusivity checks cost more than writing the bytes.)
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    @exclusivity(unchecked) @usableFromInline var used = 0
    /// Bytes written.
    public var count: Int { used }

    public init(capacity: Int = 8192) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// Empties the buffer, keeping its memory (one encoder per state, reused).
    public func reset() { used = 0 }

    /// Where an open container's header is, for `end(_:)`.
    public struct Container {
        @usableFromInline let position: Int
        @usableFromInline let isObject: Bool
        /// Entries of an object so far.
        @usableFromInline var entries: UInt32 = 0

        @usableFromInline init(position: Int, isObject: Bool) {
            self.position = position
            self.isObject = isObject
        }
    }

    @inlinable public func encodeNil() { appendTag(OZR_ENC_NIL) }
    @inlinable public func encode(_ flag: Bool) { appendTag(flag ? OZR_ENC_TRUE : OZR_ENC_FALSE) }

    @inlinable public func encode(_ integer: Int64) {
        reserve(9)
        base.storeBytes(of: UInt8(OZR_ENC_INTEGER), toByteOffset: used, as: UInt8.self)
        base.storeBytes(of: integer, toByteOffset: used + 1, as: Int64.self)
        used += 9
    }

    @inlinable public func encode(_ number: Double) {
        reserve(9)
        base.storeBytes(of: UInt8(OZR_ENC_NUMBER), toByteOffset: used, as: UInt8.self)
        base.storeBytes(of: number, toByteOffset: used + 1, as: Double.self)
        used += 9
    }

    @inlinable public func encode(_ string: String) {
        appendTag(OZR_ENC_STRING)
        appendCounted(string)
    }

    /// Opens an array of `items` values (each then encoded in order).
    @inlinable public func beginArray(count items: Int) -> Container {
        let container = Container(position: used, isObject: false)
        reserve(9)
        base.storeBytes(of: UInt8(OZR_ENC_ARRAY), toByteOffset: used, as: UInt8.self)
        base.storeBytes(of: UInt32(clamping: items), toByteOffset: used + 1, as: UInt32.self)
        used += 9  // the body size is set by end
        return container
    }

    /// Opens an object whose table is sized for `presize` fields.
    @inlinable public func beginObject(presize: Int) -> Container {
        let container = Container(position: used, isObject: true)
        reserve(13)
        base.storeBytes(of: UInt8(OZR_ENC_OBJECT), toByteOffset: used, as: UInt8.self)
        base.storeBytes(of: UInt32(clamping: presize), toByteOffset: used + 1, as: UInt32.self)
        used += 13  // entries and body size are set by end
        return container
    }

    /// The key of the next value of the object `container`.
    @inlinable public func key(_ key: String, in container: inout Container) {
        container.entries += 1
        appendCounted(key)
    }

    @inlinable public func end(_ container: Container) {
        let header = container.isObject ? 13 : 9
        if container.isObject { base.storeBytes(of: container.entries, toByteOffset: container.position + 5, as: UInt32.self) }
        base.storeBytes(of: UInt32(clamping: used - container.position - header),
                        toByteOffset: container.position + header - 4, as: UInt32.self)
    }

    @inlinable func appendTag(_ tag: Int) {
        reserve(1)
        base.storeBytes(of: UInt8(tag), toByteOffset: used, as: UInt8.self)
        used += 1
    }

    @inlinable func appendCounted(_ string: String) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in appendCounted(utf8) }
        guard done == nil else { return }
        var copy = string
        copy.withUTF8 { appendCounted($0) }
    }

    @inlinable func appendCounted(_ utf8: UnsafeBufferPointer<UInt8>) {
        reserve(4 + utf8.count)
        base.storeBytes(of: UInt32(clamping: utf8.count), toByteOffset: used, as: UInt32.self)
        if let source = utf8.baseAddress { (base + used + 4).copyMemory(from: source, byteCount: utf8.count) }
        used += 4 + utf8.count
    }

    @inlinable func reserve(_ bytes: Int) {
        if used + bytes > capacity { grow(to: used + bytes) }
    }

    @usableFromInline func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBase.copyMemory(from: base, byteCount: used)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}

extension LuaState {
    /// Keeps in the registry a read-only view of what `encoder` holds: reads,
    /// `#`, `pairs`, `next`, `rawget` and the host's conversions see it as
    /// tables, each built on its first read; writes fail with "attempt to
    /// modify read-only table 'NAME'".
    public func reference(toEncoded encoder: LuaEncoder, name: StaticString) -> LuaReference {
        name.withUTF8Buffer { text in
            ozr_push_encoded(L, encoder.base, encoder.used, UnsafeRawPointer(text.baseAddress!).assumingMemoryBound(to: CChar.self))
        }
        return makeReference()
    }
}

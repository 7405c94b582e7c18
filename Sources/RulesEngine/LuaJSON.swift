import LuaKit
import PostingModel

/// Writes JSON straight onto the Lua stack (returns, decisions in `ctx.decisions`):
/// integers stay integers, other numbers become floats, `null` fields are left
/// out. Key order follows the input, which is deterministic.
struct LuaJSON: LuaPushable {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    init(_ object: JSONObject) { self.init(.object(object)) }

    func push(to writer: inout LuaStackWriter) {
        LuaJSON.push(value, to: &writer)
    }

    static func push(_ value: JSONValue, to writer: inout LuaStackWriter) {
        switch value {
        case .null: writer.pushNil()
        case .bool(let flag): writer.pushBoolean(flag)
        case .number(let number):
            if let integer = number.int64Value { writer.pushInteger(integer) } else { writer.pushNumber(number.doubleValue) }
        case .string(let text): writer.pushString(text)
        case .array(let items):
            writer.pushTable(arrayCount: items.count)
            items.withUnsafeBufferPointer { items in
                for index in items.indices {
                    push(items[index], to: &writer)
                    writer.setIndex(index + 1)
                }
            }
        case .object(let object):
            writer.pushTable(fieldCount: object.count)
            object.forEachEntry { key, field in
                guard !field.isNull else { return }
                push(field, to: &writer)
                writer.setField(key)
            }
        }
    }
}

/// A posting written for a lazy read-only view (`LuaState.reference(toEncoded:name:)`),
/// with the catalog's facts merged into its products on the way, exactly as
/// `Catalog.apply(to:)` merges them (so no merged copy of the posting is made).
struct PostingEncoding {
    let catalog: Catalog

    func encode(_ fields: JSONObject, into encoder: LuaEncoder) {
        var object = encoder.beginObject(presize: fields.count)
        let merging = !catalog.entries.isEmpty
        fields.storage.withUnsafeBufferPointer { entries in for entry in entries {
            let key = entry.key, value = entry.value
            guard !value.isNull else { continue }
            encoder.key(key, in: &object)
            if merging, entry.hash == Keys.products.hash, key == "products", case .array(let products) = value {
                let array = encoder.beginArray(count: products.count)
                for product in products {
                    if case .object(let fields) = product, let entry = catalog.entry(
                        offerID: fields["offer_id"]?.stringValue, sku: fields["sku"]?.int64Value) {
                        encodeProduct(fields, merging: entry, into: encoder)
                    } else {
                        PostingEncoding.encode(product, into: encoder)
                    }
                }
                encoder.end(array)
            } else {
                PostingEncoding.encode(value, into: encoder)
            }
        } }
        encoder.end(object)
    }

    /// The keys the merge looks for, hashed once (JSONObject keeps each key's hash).
    enum Keys {
        static let products = (name: "products", hash: JSONObject.hashKey("products"))
        static let weight = JSONObject.hashKey("weight_g")
        static let dimensions = JSONObject.hashKey("dims_mm")
        static let fragile = JSONObject.hashKey("fragile")
        static let tags = JSONObject.hashKey("tags")
    }

    /// `Catalog.merge(into:)`, written out: the catalog's four facts replace the
    /// product's in place or follow its fields, then the other keys it lacks.
    private func encodeProduct(_ product: JSONObject, merging entry: CatalogEntry, into encoder: LuaEncoder) {
        // Which of the four facts the product already has a field for (one pass).
        var hasWeight = false, hasDims = false, hasFragile = false, hasTags = false
        product.storage.withUnsafeBufferPointer { entries in
            for entry in entries {
                switch entry.hash {
                case Keys.weight where entry.key == "weight_g": hasWeight = true
                case Keys.dimensions where entry.key == "dims_mm": hasDims = true
                case Keys.fragile where entry.key == "fragile": hasFragile = true
                case Keys.tags where entry.key == "tags": hasTags = true
                default: break
                }
            }
        }
        var added = 0
        if entry.weightG != nil && !hasWeight { added += 1 }
        if entry.dimsMM != nil && !hasDims { added += 1 }
        if entry.fragile != nil && !hasFragile { added += 1 }
        if entry.tags != nil && !hasTags { added += 1 }
        var extras: [(key: String, value: JSONValue)] = []
        if !entry.extra.isEmpty {
            for (key, value) in entry.extra where !product.contains(key: key) { extras.append((key, value)) }
        }
        var object = encoder.beginObject(presize: product.count + added + extras.count)
        product.storage.withUnsafeBufferPointer { fields in
            for field in fields {
                switch field.hash {
                case Keys.weight where entry.weightG != nil && hasWeight && field.key == "weight_g":
                    encodeWeight(entry.weightG!, in: &object, into: encoder)
                case Keys.dimensions where entry.dimsMM != nil && hasDims && field.key == "dims_mm":
                    encodeDimensions(entry.dimsMM!, in: &object, into: encoder)
                case Keys.fragile where entry.fragile != nil && hasFragile && field.key == "fragile":
                    encodeFragile(entry.fragile!, in: &object, into: encoder)
                case Keys.tags where entry.tags != nil && hasTags && field.key == "tags":
                    encodeTags(entry.tags!, in: &object, into: encoder)
                default:
                    guard !field.value.isNull else { continue }
                    encoder.key(field.key, in: &object)
                    PostingEncoding.encode(field.value, into: encoder)
                }
            }
        }
        if let weight = entry.weightG, !hasWeight { encodeWeight(weight, in: &object, into: encoder) }
        if let dimensions = entry.dimsMM, !hasDims { encodeDimensions(dimensions, in: &object, into: encoder) }
        if let fragile = entry.fragile, !hasFragile { encodeFragile(fragile, in: &object, into: encoder) }
        if let tags = entry.tags, !hasTags { encodeTags(tags, in: &object, into: encoder) }
        for (key, value) in extras where !value.isNull {
            encoder.key(key, in: &object)
            PostingEncoding.encode(value, into: encoder)
        }
        encoder.end(object)
    }

    private func encodeWeight(_ grams: Int64, in object: inout LuaEncoder.Container, into encoder: LuaEncoder) {
        encoder.key("weight_g", in: &object)
        encoder.encode(grams)
    }

    private func encodeDimensions(_ dimensions: Dimensions, in object: inout LuaEncoder.Container, into encoder: LuaEncoder) {
        encoder.key("dims_mm", in: &object)
        var sides = encoder.beginObject(presize: 3)
        encoder.key("length", in: &sides)
        encoder.encode(dimensions.length)
        encoder.key("width", in: &sides)
        encoder.encode(dimensions.width)
        encoder.key("height", in: &sides)
        encoder.encode(dimensions.height)
        encoder.end(sides)
    }

    private func encodeFragile(_ fragile: Bool, in object: inout LuaEncoder.Container, into encoder: LuaEncoder) {
        encoder.key("fragile", in: &object)
        encoder.encode(fragile)
    }

    private func encodeTags(_ tags: [String], in object: inout LuaEncoder.Container, into encoder: LuaEncoder) {
        encoder.key("tags", in: &object)
        let array = encoder.beginArray(count: tags.count)
        for tag in tags { encoder.encode(tag) }
        encoder.end(array)
    }

    /// JSON as `LuaJSON` pushes it: integers stay integers, other numbers
    /// become floats, `null` fields are left out (items keep their place).
    static func encode(_ value: JSONValue, into encoder: LuaEncoder) {
        switch value {
        case .null: encoder.encodeNil()
        case .bool(let flag): encoder.encode(flag)
        case .number(let number):
            if let integer = number.int64Value { encoder.encode(integer) } else { encoder.encode(number.doubleValue) }
        case .string(let text): encoder.encode(text)
        case .array(let items):
            let array = encoder.beginArray(count: items.count)
            items.withUnsafeBufferPointer { items in
                for index in items.indices { encode(items[index], into: encoder) }
            }
            encoder.end(array)
        case .object(let fields):
            var object = encoder.beginObject(presize: fields.count)
            fields.forEachEntry { key, field in
                guard !field.isNull else { return }
                encoder.key(key, in: &object)
                encode(field, into: encoder)
            }
            encoder.end(object)
        }
    }
}

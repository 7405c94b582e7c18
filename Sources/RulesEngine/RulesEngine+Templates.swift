import PostingModel

/// Insert texts are Mustache templates over the posting's fields (SPEC §3.3):
/// the host renders them, and records and shows the rendered text.
extension RulesEngine {
    /// `inserts` (validated, and `json` as the hook returned them) with every
    /// template rendered over `posting` with the catalog merged; nil when no text changed (the common shortcut: no
    /// `{{` in any text).
    func renderTemplates(
        _ inserts: [InsertDecision], json: JSONValue, posting: Posting
    ) -> (inserts: [InsertDecision], json: JSONValue)? {
        guard inserts.contains(where: { $0.text.map(RulesEngine.hasPlaceholder) == true }),
            case .array(var items) = json, items.count == inserts.count
        else { return nil }
        var inserts = inserts
        var changed = false
        // The catalog's facts, merged only for a template that can read products.
        var merged: JSONObject?
        for index in inserts.indices {
            guard let text = inserts[index].text, RulesEngine.hasPlaceholder(text), let template = template(for: text),
                var fields = items[index].objectValue
            else { continue }
            var source = posting.fields
            if template.mayReadProducts {
                if merged == nil { merged = catalog.apply(to: posting).fields }
                source = merged!
            }
            let rendered = template.render(source)
            inserts[index].text = rendered
            fields["text"] = .string(rendered)
            items[index] = .object(fields)
            changed = true
        }
        return changed ? (inserts, .array(items)) : nil
    }

    /// Whether `text` holds `{{`: a byte scan, far cheaper than a Foundation search.
    static func hasPlaceholder(_ text: String) -> Bool {
        var previousWasBrace = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") {
                if previousWasBrace { return true }
                previousWasBrace = true
            } else {
                previousWasBrace = false
            }
        }
        return false
    }

    /// Compiled templates by text: rules produce the same few texts again and again.
    func template(for text: String) -> InsertTemplate? {
        let key = TemplateKey(text: text)
        if let cached = templates[key] { return cached }
        guard let template = InsertTemplate(text) else { return nil }
        if templates.count < 1024 { templates[key] = template }
        return template
    }

    /// A template text compared by its UTF-8 bytes: hashing a `String` first
    /// normalizes it to NFC, which for a long Cyrillic card cost more than rendering it.
    struct TemplateKey: Hashable {
        let text: String

        static func == (lhs: TemplateKey, rhs: TemplateKey) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }
}

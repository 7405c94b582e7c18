import PostingModel

/// Insert texts and buyer messages are Mustache templates over the posting's
/// fields (SPEC §3.3, §6): the host renders them when it validates the
/// decision, and records and shows the rendered text.
extension RulesEngine {
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

/// Renders texts for buyers over one posting, with the engine's compiled templates.
struct PostingTexts {
    unowned let engine: RulesEngine
    /// The posting as given: the catalog's facts are merged only for a
    /// template that can read products (most name a field or two).
    let posting: Posting

    /// `text` rendered; as it is when it has no placeholder or does not parse as a template.
    func render(_ text: String) -> String {
        guard RulesEngine.hasPlaceholder(text), let template = engine.template(for: text) else { return text }
        return template.render(template.mayReadProducts ? engine.catalog.apply(to: posting).fields : posting.fields)
    }
}

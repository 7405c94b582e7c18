import Foundation
import Mustache
import PostingModel

/// An insert text with `{{…}}` placeholders, compiled once per distinct text.
///
/// Cards name a field or two (`{{posting_number}}`), so a template made only
/// of plain variables is rendered here directly; anything else (sections,
/// partials, a variable that names a list or an object) goes to Mustache,
/// which defines the meaning of every template.
struct InsertTemplate {
    private let plain: [Part]?
    private let mustache: MustacheTemplate
    /// Whether a rendering may read `products` (and so the catalog's facts):
    /// a plain path that starts there, or anything Mustache renders.
    let mayReadProducts: Bool

    private enum Part {
        case text(Substring)
        /// A dotted path: `buyer.name` is `["buyer", "name"]`.
        case variable([String])
    }

    /// Nil when Mustache cannot parse the text.
    init?(_ text: String) {
        guard let mustache = try? MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text) else { return nil }
        self.mustache = mustache
        plain = InsertTemplate.plainParts(of: text)
        mayReadProducts = plain?.contains { part in
            if case .variable(let path) = part { return path.first == "products" }
            return false
        } ?? true
    }

    func render(_ fields: JSONObject) -> String {
        if let plain, let text = InsertTemplate.render(plain, fields) { return text }
        return renderedByMustache(fields)
    }

    /// What Mustache makes of the text (the meaning the fast path must keep).
    func renderedByMustache(_ fields: JSONObject) -> String {
        mustache.render(TemplateView(fields))
    }

    /// Whether `render` can skip Mustache for this text.
    var isPlain: Bool { plain != nil }

    /// Renders plain variables; nil when one names something Mustache renders
    /// its own way (a boolean, a list, an object).
    private static func render(_ parts: [Part], _ fields: JSONObject) -> String? {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .variable(let path):
                var value: JSONValue? = .object(fields)
                for name in path { value = value?[name] }
                switch value {
                case nil, .null?: break
                case .string(let text)?: output += text
                case .number(let number)?: output += number.literal
                case .bool?, .array?, .object?: return nil
                }
            }
        }
        return output
    }

    /// The text split at `{{name}}` tags, or nil when any tag is more than a
    /// plain (dotted) name.
    private static func plainParts(of text: String) -> [Part]? {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { return nil }
            if open.lowerBound > rest.startIndex { parts.append(.text(rest[..<open.lowerBound])) }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let components = name.split(separator: ".", omittingEmptySubsequences: false)
            let isPlainName = !name.isEmpty && components.allSatisfy { component in
                !component.isEmpty && component.utf8.allSatisfy { byte in
                    byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                        || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                }
            }
            guard isPlainName else { return nil }
            parts.append(.variable(components.map(String.init)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(rest)) }
        return parts
    }
}

import Foundation
import Mustache
import PostingModel

/// What every page is rendered with: the console, the moment of the request and the templates.
struct ConsolePage {
    let console: SellerConsole
    let now: Timestamp

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for template in ConsoleTemplates.all {
            // The templates are constants of this module: a parse failure is a bug every test catches.
            try! library.register(template.text, named: template.name)
        }
        return library
    }()

    func time(_ time: Timestamp?) -> String {
        time.map(console.time.format) ?? ""
    }

    /// Renders `template` with the layout's values added to `values`.
    func render(_ template: String, title: String, status: Int = 200, _ values: [String: Any] = [:]) -> ConsoleResponse {
        var context = values
        context["title"] = title
        context["style"] = ConsoleTemplates.style
        context["zone"] = console.time.zoneName(at: now)
        context["generatedAt"] = time(now)
        return ConsoleResponse(status: status, body: Self.library.render(context, withTemplate: template) ?? "")
    }

    func message(status: Int, title: String, _ message: String) -> ConsoleResponse {
        render("message", title: title, status: status, ["message": message])
    }

    /// A posting number as one path segment or query value: everything but unreserved
    /// characters percent-encoded (a number may hold `/`, `?`, `#` or markup).
    static func link(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A Mustache value that is false (section skipped) when absent or empty.
    static func present(_ text: String?) -> Any {
        if let text, !text.isEmpty { return text }
        return false
    }

    /// `{"effects": rows}` for the effects table partial, or false when there are none.
    static func table(_ rows: [[String: Any]]) -> Any {
        rows.isEmpty ? false : ["effects": rows] as [String: Any]
    }
}

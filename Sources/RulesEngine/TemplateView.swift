import Mustache
import PostingModel

/// A posting's fields as Mustache sees them, converted only where a template
/// looks (a card names one or two fields; converting the whole posting per
/// render cost more than the hooks themselves).
struct TemplateView: MustacheParent {
    let object: JSONObject

    init(_ object: JSONObject) { self.object = object }

    func child(named name: String) -> Any? {
        object[name].flatMap(TemplateView.value)
    }

    /// Numbers render as their literal text (money stays exact); `null` is absent.
    static func value(_ json: JSONValue) -> Any? {
        switch json {
        case .null: return nil
        case .bool(let flag): return flag
        case .number(let number): return number.literal
        case .string(let text): return text
        case .array(let items): return items.map { TemplateView.value($0) as Any }
        case .object(let object): return TemplateView(object)
        }
    }
}

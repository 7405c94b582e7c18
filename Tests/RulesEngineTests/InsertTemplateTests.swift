import PostingModel
import Testing

@testable import RulesEngine

/// Insert texts rendered without Mustache must read exactly as Mustache renders them.
struct InsertTemplateTests {
    let fields: JSONObject = {
        let json = #"""
            {"posting_number": "0123-1", "total": 1550, "rate": 0.5, "cancelled": false, "note": null,
             "buyer": {"name": "Анна", "city": {"name": "Казань"}}, "products": [{"sku": 1}]}
            """#
        guard case .object(let object) = try! JSONParser.parse(Array(json.utf8)) else { fatalError("not an object") }
        return object
    }()

    @Test(arguments: [
        ("Спасибо за заказ {{posting_number}}!", "Спасибо за заказ 0123-1!", true),
        ("{{ posting_number }} / {{total}} / {{rate}}", "0123-1 / 1550 / 0.5", true),
        ("Привет, {{buyer.name}} из {{buyer.city.name}}", "Привет, Анна из Казань", true),
        ("[{{missing}}] [{{note}}] [{{buyer.missing.name}}]", "[] [] []", true),
        ("{{posting_number}}{{posting_number}}", "0123-1" + "0123-1", true),
        ("no placeholders at all", "no placeholders at all", true),
        // Mustache's own ground: sections, booleans, lists.
        ("{{#buyer}}для {{name}}{{/buyer}}", "для Анна", false),
        ("{{^cancelled}}в пути{{/cancelled}}", "в пути", false),
    ])
    func rendersLikeMustache(text: String, expected: String, plain: Bool) throws {
        let template = try #require(InsertTemplate(text))
        #expect(template.isPlain == plain)
        #expect(template.render(fields) == expected)
        #expect(template.render(fields) == template.renderedByMustache(fields))
    }

    @Test func variableNamingAListOrBooleanFallsBackToMustache() throws {
        for text in ["{{cancelled}}", "{{products}}", "{{buyer}}"] {
            let template = try #require(InsertTemplate(text))
            #expect(template.isPlain, "the text itself is plain")
            #expect(template.render(fields) == template.renderedByMustache(fields), "\(text)")
        }
    }

    @Test func placeholderScanFindsOnlyDoubleBraces() {
        #expect(RulesEngine.hasPlaceholder("a {{b}}"))
        #expect(!RulesEngine.hasPlaceholder("a {b} { {c}"))
        #expect(!RulesEngine.hasPlaceholder(""))
    }
}

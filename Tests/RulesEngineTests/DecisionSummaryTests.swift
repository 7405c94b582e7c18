import PostingModel
import Testing

@testable import RulesEngine

/// The one renderer behind `evaluate --format table`, `log` and `replay`.
struct DecisionSummaryTests {
    @Test(arguments: [
        ("packaging", #"{"packages": [{"box": "M", "items": [{"sku": 1, "quantity": 1}]}, {"box": "S", "items": [{"sku": 2, "quantity": 1}]}, {"box": "S", "items": [{"sku": 3, "quantity": 1}]}, {"items": [{"sku": 4, "quantity": 1}]}]}"#, "M, S×2, box"),
        ("carrier", #"{"carrier": "cdek", "service": "pickup_point", "cost": 14900, "eta_days": 3, "reason": "r"}"#, "cdek/pickup_point 149.00 ₽ 3d"),
        ("carrier", #"{"carrier": "ozon_express", "cost": 5}"#, "ozon_express 0.05 ₽"),
        ("inserts", #"[{"kind": "thank_you_card"}, {"kind": "coupon"}]"#, "thank_you_card+coupon"),
        ("inserts", #"[]"#, "(none)"),
        ("returns", #"{"action": "refund", "amount": 129950}"#, "refund 1299.50 ₽"),
        ("returns", #"{"action": "manual_review"}"#, "manual_review"),
        ("transitions:*", #"[{"action": "notify"}, {"action": "hold"}]"#, "notify, hold"),
        ("transitions:delivered", #"[]"#, "(none)"),
        // Not the hook's shape, or a hook the table does not know: the JSON itself.
        ("carrier", #"{"service": "x", "cost": 1}"#, #"{"cost":1,"service":"x"}"#),
        ("timers", #"{"b": 1, "a": 2}"#, #"{"a":2,"b":1}"#),
    ])
    func recorded(hook: String, decision: String, text: String) throws {
        #expect(DecisionSummary.text(hook: hook, recorded: try JSONParser.parse(Array(decision.utf8))) == text)
    }

    /// The table leaves empty lists blank; the log spells them out.
    @Test func emptyLists() {
        #expect(DecisionSummary.text(.inserts([]), empty: "") == "")
        #expect(DecisionSummary.text(.actions([])) == "(none)")
        #expect(DecisionSummary.roubles(-5) == "-0.05 ₽")
    }
}

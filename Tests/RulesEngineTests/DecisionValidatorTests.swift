import PostingModel
import Testing

@testable import RulesEngine

/// Every rule of SPEC §3.3, one row each: what a hook returns (as JSON), and
/// the violation expected (a part of its message), through the hook table.
struct DecisionValidatorTests {
    /// The posting the packaging rows are checked against: 2 × SKU 11, 1 × SKU 12.
    static let products = [
        Product(sku: 11, offerID: "A", name: "a", quantity: 2, price: Money(minorUnits: 1000, currency: "RUB")),
        Product(sku: 12, offerID: "B", name: "b", quantity: 1, price: Money(minorUnits: 550, currency: "RUB")),
    ]
    /// What the buyer paid for the returned product, in kopecks.
    static let paid: Int64 = 129_900

    struct Row: CustomTestStringConvertible, Sendable {
        let hook: String
        let decision: String
        /// nil: the decision is valid.
        let violation: String?
        var testDescription: String { "\(hook) \(decision) → \(violation ?? "valid")" }
    }

    static let rows: [Row] = [
        // carrier
        Row(hook: "carrier", decision: #"{"carrier": "cdek", "service": "courier", "cost": 35000, "eta_days": 4, "tracking_number": "T1"}"#, violation: nil),
        Row(hook: "carrier", decision: #"{"service": "courier"}"#, violation: "field 'carrier' is required"),
        Row(hook: "carrier", decision: #"{"carrier": ""}"#, violation: "field 'carrier' must be a non-empty string"),
        Row(hook: "carrier", decision: #"{"carrier": "cdek", "cost": 350.5}"#, violation: "field 'cost' must be an integer of minor units (kopecks)"),
        Row(hook: "carrier", decision: #"{"carrier": "cdek", "cost": 350.0}"#, violation: "350.0 (a float)"),
        Row(hook: "carrier", decision: #"{"carrier": "cdek", "cost": -1}"#, violation: "field 'cost' must be at least 0"),
        Row(hook: "carrier", decision: #"{"carrier": "cdek", "cots": 350}"#, violation: "unknown field 'cots'"),
        Row(hook: "carrier", decision: #""cdek""#, violation: "carrier decision must be a table with named fields"),
        // packaging
        Row(hook: "packaging", decision: #"{"packages": [{"box": "M", "items": [{"sku": 11, "quantity": 2}, {"sku": 12, "quantity": 1}]}]}"#, violation: nil),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 2}]}, {"items": [{"sku": 12, "quantity": 1}], "fragile": true, "weight_g": 300, "materials": ["bubble"]}]}"#, violation: nil),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 1}, {"sku": 12, "quantity": 1}]}]}"#, violation: "packages hold 1 of SKU 11, the posting has 2: 1 unit(s) not packed"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 3}, {"sku": 12, "quantity": 1}]}]}"#, violation: "packages hold 3 of SKU 11, the posting has 2: 1 unit(s) more than ordered"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 2}, {"sku": 12, "quantity": 1}, {"sku": 99, "quantity": 1}]}]}"#, violation: "packages[1].items[3]: SKU 99 is not in the posting"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 0}]}]}"#, violation: "packages[1].items[1].quantity must be positive, got 0"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": -2}]}]}"#, violation: "must be positive, got -2"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 1.5}]}]}"#, violation: "packages[1].items[1].quantity must be an integer"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": "11", "quantity": 2}]}]}"#, violation: "packages[1].items[1].sku must be an integer SKU"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 2, "qty": 1}]}]}"#, violation: "packages[1].items[1]: unknown field 'qty'"),
        Row(hook: "packaging", decision: #"{"packages": [{"box": "M", "colour": "red", "items": [{"sku": 11, "quantity": 2}]}]}"#, violation: "packages[1]: unknown field 'colour'"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": []}]}"#, violation: "packages[1].items must be a non-empty list"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 2}], "materials": [1]}]}"#, violation: "packages[1].materials must be a list of strings"),
        Row(hook: "packaging", decision: #"{"packages": [{"items": [{"sku": 11, "quantity": 2}], "weight_g": 10.5}]}"#, violation: "field 'packages[1].weight_g' must be an integer"),
        Row(hook: "packaging", decision: #"{"packages": []}"#, violation: "'packages' must be a non-empty list of packages"),
        Row(hook: "packaging", decision: #"{"reason": "x"}"#, violation: "field 'packages' is required"),
        // inserts
        Row(hook: "inserts", decision: #"[{"kind": "thank_you_card", "text": "Спасибо"}, {"kind": "coupon", "sku": 11}]"#, violation: nil),
        Row(hook: "inserts", decision: #"[]"#, violation: nil),
        Row(hook: "inserts", decision: #"[{"text": "hi"}]"#, violation: "field 'inserts[1].kind' is required"),
        Row(hook: "inserts", decision: #"[{"kind": "gift", "sku": 0}]"#, violation: "field 'inserts[1].sku' must be at least 1"),
        Row(hook: "inserts", decision: #"[{"kind": "gift", "colour": "red"}]"#, violation: "inserts[1]: unknown field 'colour'"),
        Row(hook: "inserts", decision: #"{"kind": "gift"}"#, violation: "inserts must be a list of {kind, text?, sku?}"),
        // returns (paid 1299.00 ₽)
        Row(hook: "returns", decision: #"{"action": "refund", "amount": 129900}"#, violation: nil),
        Row(hook: "returns", decision: #"{"action": "refund", "amount": 129901}"#, violation: "amount 129901 exceeds what the buyer paid for the returned product (129900)"),
        Row(hook: "returns", decision: #"{"action": "refund", "amount": 1299.0}"#, violation: "field 'amount' must be an integer of minor units (kopecks)"),
        Row(hook: "returns", decision: #"{"action": "reject"}"#, violation: "a 'reject' decision needs a comment for the buyer"),
        Row(hook: "returns", decision: #"{"action": "reject", "comment": ""}"#, violation: "a 'reject' decision needs a comment for the buyer"),
        Row(hook: "returns", decision: #"{"action": "reject", "comment": "used item"}"#, violation: nil),
        Row(hook: "returns", decision: #"{"action": "compensate"}"#, violation: "a 'compensate' decision needs an amount"),
        Row(hook: "returns", decision: #"{"action": "shred"}"#, violation: "action must be one of approve, reject, compensate, refund, manual_review; got 'shred'"),
        Row(hook: "returns", decision: #"{"action": "approve", "note": "x"}"#, violation: "return decision: unknown field 'note'"),
        // transitions.lua actions (extra fields allowed)
        Row(hook: "transitions:awaiting_packaging", decision: #"[{"action": "notify", "message": "hi"}, {"action": "cancel", "cancel_reason_id": 402}]"#, violation: nil),
        Row(hook: "transitions:*", decision: #"[{"action": "cancel"}]"#, violation: "actions[1]: a 'cancel' action needs an integer cancel_reason_id"),
        Row(hook: "transitions:*", decision: #"[{"action": "cancel", "cancel_reason_id": 402.5}]"#, violation: "a 'cancel' action needs an integer cancel_reason_id"),
        Row(hook: "transitions:*", decision: #"[{"action": "cancel", "cancel_reason_id": 0}]"#, violation: "a 'cancel' action needs an integer cancel_reason_id"),
        Row(hook: "transitions:*", decision: #"[{"message": "hi"}]"#, violation: "field 'actions[1].action' is required"),
        Row(hook: "transitions:*", decision: #"{"action": "hold"}"#, violation: "a transitions hook must return a list of actions"),
        // set_status (rFBS, the seller's own delivery)
        Row(hook: "transitions:awaiting_deliver", decision: #"[{"action": "set_status", "status": "delivering"}]"#, violation: nil),
        Row(hook: "transitions:*", decision: #"[{"action": "set_status", "status": "last_mile"}, {"action": "set_status", "status": "delivered"}]"#, violation: nil),
        Row(hook: "transitions:*", decision: #"[{"action": "set_status", "status": "cancelled"}]"#, violation: "actions[1]: a 'set_status' action needs status 'delivering', 'last_mile', 'delivered' (rFBS), got \"cancelled\""),
        Row(hook: "transitions:*", decision: #"[{"action": "set_status"}]"#, violation: "got nothing"),
        // alert (the seller's own team)
        Row(hook: "transitions:*", decision: #"[{"action": "alert", "text": "Звоните +7 912 345-67-89", "level": "urgent"}]"#, violation: nil),
        Row(hook: "transitions:*", decision: #"[{"action": "alert", "level": "info"}]"#, violation: "field 'actions[1].text' is required"),
        Row(hook: "transitions:*", decision: #"[{"action": "alert", "text": ""}]"#, violation: "field 'actions[1].text' must be a non-empty string"),
        Row(hook: "transitions:*", decision: #"[{"action": "alert", "text": "x", "level": "critical"}]"#, violation: "actions[1].level must be one of info, warning, urgent, got \"critical\""),
        Row(hook: "transitions:*", decision: #"[{"action": "notify", "to": 5, "text": "x"}]"#, violation: "field 'actions[1].to' must be a non-empty string"),
        Row(hook: "transitions:*", decision: #"[{"action": "request_review", "text": "x", "delay_hours": 1.5}]"#, violation: "field 'actions[1].delay_hours' must be an integer"),
        // cancellations
        Row(hook: "cancellations", decision: #"{"action": "approve"}"#, violation: nil),
        Row(hook: "cancellations", decision: #"{"action": "reject", "comment": "Заказ уже передан курьеру", "reason": "shipped"}"#, violation: nil),
        Row(hook: "cancellations", decision: #"{"action": "reject"}"#, violation: "a 'reject' decision needs a comment for the buyer"),
        Row(hook: "cancellations", decision: #"{"action": "reject", "comment": ""}"#, violation: "a 'reject' decision needs a comment"),
        Row(hook: "cancellations", decision: #"{"action": "refund"}"#, violation: "action must be one of approve, reject; got 'refund'"),
        Row(hook: "cancellations", decision: #"{"action": "approve", "amount": 1}"#, violation: "cancellation decision: unknown field 'amount'"),
        Row(hook: "cancellations", decision: #"{"comment": "x"}"#, violation: "field 'action' is required"),
        Row(hook: "cancellations", decision: #""approve""#, violation: "cancellation decision must be a table with named fields"),
    ]

    @Test(arguments: rows)
    func validates(row: Row) throws {
        let hook = try #require(Hook.named(row.hook))
        let value = try JSONParser.parse(Array(row.decision.utf8))
        do {
            _ = try hook.validate(value, DecisionSubject(products: Self.products, paid: Self.paid))
            #expect(row.violation == nil, "accepted, expected: \(row.violation ?? "")")
        } catch {
            let expected = try #require(row.violation, "refused a valid decision: \(error.message)")
            #expect(error.message.contains(expected), "got: \(error.message)")
        }
    }

    @Test func decodesTypedValues() throws {
        let packaging = try Hook.packaging.validate(
            try JSONParser.parse(Array(#"{"packages": [{"box": "M", "fragile": true, "items": [{"sku": 11, "quantity": 2}]}, {"items": [{"sku": 12, "quantity": 1}]}], "reason": "r"}"#.utf8)),
            DecisionSubject(products: Self.products))
        #expect(packaging == .packaging(PackagingDecision(packages: [
            .init(box: "M", items: [.init(sku: 11, quantity: 2)], fragile: true),
            .init(items: [.init(sku: 12, quantity: 1)]),
        ], reason: "r")))
        let carrier = try Hook.carrier.validate(try JSONParser.parse(Array(#"{"carrier": "cdek", "cost": 35000, "tracking_number": "T1"}"#.utf8)), nil)
        #expect(carrier == .carrier(CarrierDecision(carrier: "cdek", cost: 35000, trackingNumber: "T1")))
        let returns = try Hook.returns.validate(try JSONParser.parse(Array(#"{"action": "manual_review"}"#.utf8)), nil)
        #expect(returns == .returns(ReturnDecision(action: .manualReview)))
        guard case .actions(let actions) = try Hook.transitions.validate(
            try JSONParser.parse(Array(#"[{"action": "cancel", "cancel_reason_id": 402, "message": "m"}]"#.utf8)), nil)
        else { Issue.record("not actions"); return }
        #expect(actions.map(\.action) == ["cancel"])
        #expect(actions.first?.cancelReasonID == 402)
        #expect(actions.first?.text("message") == "m")
    }

    @Test func decodesCancellationDecisions() throws {
        let reject = try Hook.cancellations.validate(try JSONParser.parse(Array(#"{"action": "reject", "comment": "c", "reason": "r"}"#.utf8)), nil)
        #expect(reject == .cancellation(CancellationDecision(action: .reject, comment: "c", reason: "r")))
        #expect(Hook.cancellations.recorded(["action": "approve"]) == .cancellation(CancellationDecision(action: .approve)))
    }

    /// An alert without a level is recorded as `info`, keys still sorted.
    @Test func alertLevelDefaultsToInfo() throws {
        let validated = try Hook.transitions.check(try JSONParser.parse(Array(#"[{"action": "alert", "text": "t"}, {"action": "hold"}]"#.utf8)), nil)
        let recorded = try #require(validated.recorded)
        #expect(JSONWriter.write(recorded) == #"[{"action":"alert","level":"info","text":"t"},{"action":"hold"}]"#)
        guard case .actions(let actions) = validated.decision else { Issue.record("not actions"); return }
        #expect(actions[0].text("level") == "info")
        #expect(try Hook.transitions.check(try JSONParser.parse(Array(#"[{"action": "alert", "text": "t", "level": "urgent"}]"#.utf8)), nil).recorded == nil)
    }

    @Test func tellsBuyerMessagesFromNotesForTheTeam() {
        func action(_ fields: JSONObject) -> ActionDecision { ActionDecision(action: fields["action"]!.stringValue!, fields: fields) }
        #expect(action(["action": "notify", "text": "t"]).isBuyerMessage)
        #expect(action(["action": "reply", "text": "t", "to": "buyer"]).isBuyerMessage)
        #expect(action(["action": "request_review", "text": "t"]).isBuyerMessage)
        #expect(!action(["action": "notify", "text": "t", "to": "seller"]).isBuyerMessage)
        #expect(!action(["action": "notify", "text": "t", "to": "warehouse"]).isBuyerMessage)
        #expect(!action(["action": "notify", "message": "m"]).isBuyerMessage)
        #expect(!action(["action": "alert", "text": "t"]).isBuyerMessage)
    }

    /// A recorded decision is decoded by its shape only: the posting it was made for is not at hand.
    @Test func recordedDecisionsSkipTheSubjectChecks() throws {
        let packed = try JSONParser.parse(Array(#"{"packages": [{"items": [{"sku": 99, "quantity": 5}]}]}"#.utf8))
        #expect(Hook.packaging.recorded(packed) != nil)
        #expect(Hook.carrier.recorded(packed) == nil)
        #expect(CarrierDecision(recorded: try JSONParser.parse(Array(#"{"carrier": "cdek", "service": "pvz"}"#.utf8)))?.service == "pvz")
    }
}

import JSON
import PostingModel
import PostingStore
import RulesEngine
import SQLiteStore
import Testing

@testable import RulesRuntime

/// What the planner asks of Ozon for the typed decisions of one transition, as a table:
/// pure input, pure output, no I/O.
struct EffectPlannerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let status: String
        /// More top-level posting fields, as JSON (`"tpl_integration_type": "non_integrated"`).
        var fields = ""
        var decisions = Decisions()
        var recordedCarrier: CarrierDecision?
        /// Expected effects: kind and body (compared with keys sorted).
        let expected: [(EffectKind, String)]
        var testDescription: String { name }
    }

    static let packedInTwo = PackagingDecision(packages: [
        .init(box: "M", items: [.init(sku: 11, quantity: 2)]),
        .init(box: "S", items: [.init(sku: 12, quantity: 1)], fragile: true),
    ])
    static let shipBody = #"{"posting_number": "P-1", "with": {"additional_data": true}, "packages": [{"products": [{"product_id": 11, "quantity": 2}]}, {"products": [{"product_id": 12, "quantity": 1}]}]}"#

    static let cases: [Case] = [
        Case(name: "ship with the decided packages", status: "awaiting_packaging", decisions: Decisions(packaging: packedInTwo),
             expected: [(.ship, shipBody)]),
        Case(name: "no packaging decision: nothing to ship", status: "awaiting_packaging", expected: []),
        Case(name: "hold stops the ship", status: "awaiting_packaging",
             decisions: Decisions(packaging: packedInTwo, actions: [ActionDecision(action: "notify"), ActionDecision(action: "hold")]),
             expected: []),
        Case(name: "ship listed in available_actions", status: "awaiting_packaging", fields: #", "available_actions": ["cancel", "ship"]"#,
             decisions: Decisions(packaging: packedInTwo), expected: [(.ship, shipBody)]),
        Case(name: "ship not in available_actions", status: "awaiting_packaging", fields: #", "available_actions": ["cancel"]"#,
             decisions: Decisions(packaging: packedInTwo), expected: []),
        Case(name: "packaging outside awaiting_packaging is not shipped", status: "awaiting_deliver",
             decisions: Decisions(packaging: packedInTwo), expected: []),
        Case(name: "cancel wins over ship", status: "awaiting_packaging",
             decisions: Decisions(packaging: packedInTwo, actions: [ActionDecision(action: "cancel", cancelReasonID: 352)]),
             expected: [(.cancel, #"{"posting_number": "P-1", "cancel_reason_id": 352}"#)]),
        Case(name: "cancel 402 carries a message", status: "awaiting_packaging",
             decisions: Decisions(actions: [ActionDecision(action: "cancel", cancelReasonID: 402, fields: ["action": "cancel", "message": "out of stock"])]),
             expected: [(.cancel, #"{"posting_number": "P-1", "cancel_reason_id": 402, "cancel_reason_message": "out of stock"}"#)]),
        Case(name: "cancel 402 without a message gets the default one", status: "awaiting_deliver",
             decisions: Decisions(actions: [ActionDecision(action: "cancel", cancelReasonID: 402)]),
             expected: [(.cancel, #"{"posting_number": "P-1", "cancel_reason_id": 402, "cancel_reason_message": "cancelled by the seller's rules"}"#)]),
        Case(name: "a delivered posting is not cancelled", status: "delivered",
             decisions: Decisions(actions: [ActionDecision(action: "cancel", cancelReasonID: 352)]), expected: []),
        Case(name: "rFBS tracking number from this transition", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "non_integrated""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "T1")),
             expected: [(.setTracking, #"{"tracking_numbers": [{"posting_number": "P-1", "tracking_number": "T1"}]}"#)]),
        Case(name: "rFBS tracking number from the recorded carrier decision", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "aggregator""#, recordedCarrier: CarrierDecision(carrier: "cdek", trackingNumber: "T0"),
             expected: [(.setTracking, #"{"tracking_numbers": [{"posting_number": "P-1", "tracking_number": "T0"}]}"#)]),
        Case(name: "this transition's carrier decision wins over the recorded one", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "non_integrated""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "T2")),
             recordedCarrier: CarrierDecision(carrier: "cdek", trackingNumber: "T0"),
             expected: [(.setTracking, #"{"tracking_numbers": [{"posting_number": "P-1", "tracking_number": "T2"}]}"#)]),
        Case(name: "FBS (delivered by Ozon): no tracking number", status: "awaiting_deliver", fields: #", "tpl_integration_type": "ozon""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "T1")), expected: []),
        Case(name: "tracking number Ozon already shows", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "non_integrated", "tracking_number": "T1""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "T1")), expected: []),
        Case(name: "empty tracking number", status: "awaiting_deliver", fields: #", "tpl_integration_type": "non_integrated""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "")), expected: []),
        Case(name: "rFBS status move after the tracking number", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "non_integrated""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "own", trackingNumber: "T1"),
                                  actions: [ActionDecision(action: "set_status", fields: ["action": "set_status", "status": "delivering"])]),
             expected: [(.setTracking, #"{"tracking_numbers": [{"posting_number": "P-1", "tracking_number": "T1"}]}"#),
                        (.setStatus, #"{"posting_number": ["P-1"]}"#)]),
        Case(name: "no status move for a posting Ozon delivers", status: "awaiting_deliver",
             decisions: Decisions(actions: [ActionDecision(action: "set_status", fields: ["action": "set_status", "status": "delivered"])]),
             expected: []),
        Case(name: "a review request goes to the buyer's chat", status: "delivered",
             decisions: Decisions(actions: [ActionDecision(action: "request_review", fields: [
                "action": "request_review", "text": "Спасибо за заказ!", "delay_hours": 24])]),
             expected: [(.chatMessage, #"{"posting_number": "P-1", "text": "Спасибо за заказ!"}"#)]),
        Case(name: "a message to the seller's own team is not sent to the buyer", status: "cancelled",
             decisions: Decisions(actions: [
                ActionDecision(action: "notify", fields: ["action": "notify", "to": "seller", "text": "отменено"]),
                ActionDecision(action: "notify", fields: ["action": "notify", "to": "buyer", "text": "Заказ отменён"]),
                ActionDecision(action: "notify", fields: ["action": "notify"]),
             ]),
             expected: [(.chatMessage, #"{"posting_number": "P-1", "text": "Заказ отменён"}"#)]),
    ]

    static func posting(status: String, fields: String) throws -> Posting {
        try Posting(json: JSONParser.parse(Array(#"""
            {"posting_number": "P-1", "status": "\#(status)"\#(fields),
             "products": [{"sku": 11, "quantity": 2, "price": "10.00"}, {"sku": 12, "quantity": 1, "price": "5.00"}]}
            """#.utf8)))
    }

    static func sorted(_ text: String) throws -> String { JSONWriter.write(try JSONParser.parse(Array(text.utf8)), sortedKeys: true) }

    @Test(arguments: cases)
    func plans(_ row: Case) throws {
        let posting = try Self.posting(status: row.status, fields: row.fields)
        let planned = EffectPlanner.plan(posting: posting, decisions: row.decisions, recordedCarrier: row.recordedCarrier,
                                         revision: 3, now: Self.now)
        #expect(planned.map(\.kind) == row.expected.map(\.0))
        #expect(try planned.map { JSONWriter.write($0.request, sortedKeys: true) } == row.expected.map { try Self.sorted($0.1) })
        #expect(Set(planned.map(\.key)).count == planned.count)
        // Planning the same decisions again gives the same keys: the store keeps each effect once.
        #expect(EffectPlanner.plan(posting: posting, decisions: row.decisions, recordedCarrier: row.recordedCarrier, revision: 3,
                                   now: Self.now.adding(seconds: 5)).map(\.key) == planned.map(\.key))
    }

    static let now = Timestamp(unixSeconds: 1_779_278_400)

    @Test func effectsOfAPostingAreOrderedOnItsSubjectAndAChatOnItsOwn() throws {
        let posting = try Self.posting(status: "delivered", fields: #", "tpl_integration_type": "non_integrated""#)
        let planned = EffectPlanner.plan(posting: posting, decisions: Decisions(actions: [
            ActionDecision(action: "set_status", fields: ["action": "set_status", "status": "delivered"]),
            ActionDecision(action: "request_review", fields: ["action": "request_review", "text": "Спасибо!", "delay_hours": 24]),
        ]), recordedCarrier: nil, revision: 1, now: Self.now)
        #expect(planned.map(\.subject) == [.posting("P-1"), .chat("P-1")])
        #expect(planned.map(\.method) == ["/v2/fbs/posting/delivered", "/v1/chat/send/message"])
        #expect(planned[0].notBefore == nil && planned[1].notBefore == Self.now.adding(seconds: 24 * 3600))
    }

    static func rfbsReturn(actions: String) throws -> ReturnEvent {
        try ReturnEvent(json: JSONParser.parse(Array(#"""
            {"return_id": 184300917, "posting_number": "P-1", "product": {"sku": 11, "name": "Кружка", "price": "649.00", "currency_code": "RUB"},
             "available_actions": \#(actions)}
            """#.utf8)))
    }

    static let offered = #"[{"action": {"id": 1, "name": "Одобрить заявку"}}, {"id": -1, "name": "Отклонить"}, {"id": 1020, "name": "Компенсировать часть"}, {"id": 7, "name": "Вернуть деньги"}]"#

    @Test(arguments: [
        (ReturnDecision(action: .approve), #"{"return_id": 184300917, "id": 1}"#),
        (ReturnDecision(action: .reject, rejectionReasonID: 7, comment: "Следы использования"),
         #"{"return_id": 184300917, "id": -1, "rejection_reason_id": 7, "comment": "Следы использования"}"#),
        (ReturnDecision(action: .compensate, amount: 15050), #"{"return_id": 184300917, "id": 1020, "compensation_amount": 150.5}"#),
        (ReturnDecision(action: .refund), #"{"return_id": 184300917, "id": 7}"#),
    ])
    func anRFBSReturnDecisionUsesAnOfferedAction(decision: ReturnDecision, body: String) throws {
        let planned = EffectPlanner.effects(forReturn: try Self.rfbsReturn(actions: Self.offered), decision: decision)
        #expect(planned.map(\.kind) == [.returnAction])
        #expect(try planned.map { JSONWriter.write($0.request, sortedKeys: true) } == [try Self.sorted(body)])
        #expect(planned.first?.subject == .returnRequest(184300917) && planned.first?.key == "return_action:184300917")
    }

    @Test func aDecisionTheRequestDoesNotOfferIsKeptForTheDispatcherToFail() throws {
        let planned = EffectPlanner.effects(forReturn: try Self.rfbsReturn(actions: #"[{"id": -1, "name": "Отклонить"}]"#),
                                            decision: ReturnDecision(action: .compensate, amount: 100))
        #expect(planned.first?.request["not_offered"]?.stringValue == "compensate")
        #expect(planned.first?.request["id"] == nil)
        #expect(EffectPlanner.effects(forReturn: try Self.rfbsReturn(actions: Self.offered), decision: ReturnDecision(action: .manualReview)).isEmpty)
        #expect(EffectPlanner.effects(forReturn: try Self.rfbsReturn(actions: Self.offered), decision: nil).isEmpty)
    }

    /// Only a created or moved posting acts; an update or a re-ingest sends nothing.
    @Test(arguments: ItemResult.Change.allCases)
    func onlyTransitionsAct(change: ItemResult.Change) throws {
        let posting = try Self.posting(status: "awaiting_packaging", fields: "")
        var evaluation = Evaluation(postingNumber: "P-1", status: "awaiting_packaging")
        evaluation.decisions = Decisions(packaging: Self.packedInTwo)
        let result = ItemResult(change: change, postingNumber: "P-1", evaluation: evaluation)
        let planned = EffectPlanner.effects(RequestPlanningInput(
            posting: posting, result: result, recordedCarrierDecision: nil, revision: 0, now: Self.now))
        #expect(planned.map(\.kind) == (change == .created || change == .transitioned ? [.ship] : []))
    }
}

import JSON
import PostingModel
import RulesEngine
import SQLiteStore
import Testing

@testable import RulesRuntime

/// What the planner sends to Ozon for the typed decisions of one transition, as a table:
/// pure input, pure output, no I/O.
struct ActionPlannerTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let status: String
        /// More top-level posting fields, as JSON (`"tpl_integration_type": "non_integrated"`).
        var fields = ""
        var decisions = Decisions()
        var recordedCarrier: CarrierDecision?
        /// Expected requests: kind and body (compared with keys sorted).
        let expected: [(ActionKind, String)]
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
             expected: [(.trackingNumber, #"{"tracking_numbers": [{"posting_number": "P-1", "tracking_number": "T1"}]}"#)]),
        Case(name: "rFBS tracking number from the recorded carrier decision", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "aggregator""#, recordedCarrier: CarrierDecision(carrier: "cdek", trackingNumber: "T0"),
             expected: [(.trackingNumber, #"{"tracking_numbers": [{"posting_number": "P-1", "tracking_number": "T0"}]}"#)]),
        Case(name: "this transition's carrier decision wins over the recorded one", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "non_integrated""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "T2")),
             recordedCarrier: CarrierDecision(carrier: "cdek", trackingNumber: "T0"),
             expected: [(.trackingNumber, #"{"tracking_numbers": [{"posting_number": "P-1", "tracking_number": "T2"}]}"#)]),
        Case(name: "FBS (delivered by Ozon): no tracking number", status: "awaiting_deliver", fields: #", "tpl_integration_type": "ozon""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "T1")), expected: []),
        Case(name: "tracking number Ozon already shows", status: "awaiting_deliver",
             fields: #", "tpl_integration_type": "non_integrated", "tracking_number": "T1""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "T1")), expected: []),
        Case(name: "empty tracking number", status: "awaiting_deliver", fields: #", "tpl_integration_type": "non_integrated""#,
             decisions: Decisions(carrier: CarrierDecision(carrier: "cdek", trackingNumber: "")), expected: []),
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
        let planned = ActionPlanner.plan(posting: posting, decisions: row.decisions, recordedCarrier: row.recordedCarrier)
        #expect(planned.map(\.kind) == row.expected.map(\.0))
        #expect(try planned.map { JSONWriter.write($0.request, sortedKeys: true) } == row.expected.map { try Self.sorted($0.1) })
    }

    /// Only a created or moved posting acts; an update or a re-ingest sends nothing.
    @Test(arguments: ItemResult.Change.allCases)
    func onlyTransitionsAct(change: ItemResult.Change) throws {
        let posting = try Self.posting(status: "awaiting_packaging", fields: "")
        var evaluation = Evaluation(postingNumber: "P-1", status: "awaiting_packaging")
        evaluation.decisions = Decisions(packaging: Self.packedInTwo)
        let result = ItemResult(change: change, postingNumber: "P-1", evaluation: evaluation)
        let planned = ActionPlanner.plan(posting: posting, result: result, recordedCarrierDecision: nil)
        #expect(planned.map(\.kind) == (change == .created || change == .transitioned ? [.ship] : []))
    }
}

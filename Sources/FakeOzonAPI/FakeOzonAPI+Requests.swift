import Foundation
import JSON

// rFBS return requests (ozon-api-actions.md §2) and buyer cancellation requests (§3).

extension FakeOzonAPI {
    /// Seeds an rFBS return request: `return_id`, `return_number`, `posting_number`, `product`,
    /// `state{state, state_name, group_state}`, `available_actions[]{id, name}`,
    /// `rejection_reason[]{id, name, hint, is_comment_required}` and any other field of `get`.
    /// Missing `state` becomes `New`; a missing `return_number` is made from the id.
    public func put(rfbsReturnRequest value: JSONValue) {
        guard case .object(var object) = value, let id = FakeOzonAPI.int64(object["return_id"]) else { return }
        if object["return_number"] == nil { _ = object.updateValue(.string("R\(id)"), forKey: "return_number") }
        if object["state"] == nil {
            _ = object.updateValue(["state": "CREATED", "state_name": "Новая заявка", "group_state": "New", "money_return_state_name": ""], forKey: "state")
        }
        if object["available_actions"] == nil { _ = object.updateValue([], forKey: "available_actions") }
        // Actions are kept flat ({id, name}); `get` wraps them as the example does.
        let flat: [JSONValue] = (object["available_actions"]?.arrayValue ?? []).map { $0["action"] ?? $0 }
        _ = object.updateValue(.array(flat), forKey: "available_actions")
        locked { returnRequests[id] = object }
    }

    /// Seeds several return requests (see `put(rfbsReturnRequest:)`).
    public func put(rfbsReturns items: [JSONValue]) {
        for item in items { put(rfbsReturnRequest: item) }
    }

    /// The return request as the fake holds it now (with `return_id`).
    public func rfbsReturnRequest(_ returnID: Int64) -> JSONValue? {
        locked { returnRequests[returnID].map(JSONValue.object) }
    }

    /// The action ids applied to a return, in order: a test expects at most one.
    public func appliedReturnActions(_ returnID: Int64) -> [Int64] {
        locked { appliedReturnActionIDs[returnID] ?? [] }
    }

    /// Seeds a buyer cancellation request: `cancellation_id`, `posting_number`, and any of
    /// `state{id, name, state}` (default `ON_APPROVAL`), `cancellation_initiator`,
    /// `cancellation_reason{id, name}`, `cancellation_reason_message`, `cancelled_at`,
    /// `auto_approve_date`, `order_date`, `tpl_integration_type`, `source_id`.
    public func put(cancellationRequest value: JSONValue) {
        guard case .object(var object) = value, let id = FakeOzonAPI.int64(object["cancellation_id"]) else { return }
        if object["state"] == nil { _ = object.updateValue(["id": 1, "name": "На согласовании", "state": "ON_APPROVAL"], forKey: "state") }
        for (key, fallback) in [("cancellation_initiator", JSONValue.string("CLIENT")),
                                ("cancellation_reason", ["id": 503, "name": "Покупатель передумал"]),
                                ("cancellation_reason_message", ""), ("approve_comment", ""), ("approve_date", .null),
                                ("tpl_integration_type", "non_integrated"), ("source_id", .number(JSONNumber(integer: id)))]
        where object[key] == nil {
            _ = object.updateValue(fallback, forKey: key)
        }
        locked { cancellations[id] = object }
    }

    /// The cancellation request as the fake holds it now.
    public func cancellationRequest(_ id: Int64) -> JSONValue? {
        locked { cancellations[id].map(JSONValue.object) }
    }

    static func int64(_ value: JSONValue?) -> Int64? {
        switch value {
        case .number(let n)?: return n.int64Value
        case .string(let s)?: return Int64(s)
        default: return nil
        }
    }

    // MARK: rFBS returns

    /// The list item: the documented list fields only.
    static func listItem(_ object: JSONObject) -> JSONObject {
        var item = JSONObject()
        for key in ["return_id", "return_number", "posting_number", "order_number", "created_at", "client_name", "product", "state"] {
            if let value = object[key] { _ = item.updateValue(value, forKey: key) }
        }
        return item
    }

    func rfbsList(_ body: JSONValue) -> Reply {
        let limit = Int(body["limit"]?.int64Value ?? 0)
        guard limit > 0 else { return FakeOzonAPI.error(400, 3, "limit is required") }
        let lastID = FakeOzonAPI.int64(body["last_id"]) ?? 0
        let groups = Set((body["filter"]?["group_state"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() })
        let postingNumber = body["filter"]?["posting_number"]?.stringValue
        let matching = returnRequests.keys.sorted().filter { $0 > lastID }.compactMap { returnRequests[$0] }.filter { object in
            if let postingNumber, !postingNumber.isEmpty, object["posting_number"]?.stringValue != postingNumber { return false }
            if groups.isEmpty || groups.contains("all") { return true }
            return groups.contains(object["state"]?["group_state"]?.stringValue?.lowercased() ?? "")
        }
        let page = matching.prefix(limit).map { JSONValue.object(FakeOzonAPI.listItem($0)) }
        if rfbsListReturnsAsObject {
            return (200, [], ["returns": page.first ?? .object([:])])
        }
        return (200, [], ["returns": .array(Array(page))])
    }

    func rfbsGet(_ body: JSONValue) -> Reply {
        guard let id = FakeOzonAPI.int64(body["return_id"]) else { return FakeOzonAPI.error(400, 3, "return_id is required") }
        guard let object = returnRequests[id] else { return FakeOzonAPI.error(404, 5, "RETURN_NOT_FOUND") }
        // As documented: no return_id, state without group_state, actions wrapped as {action:{id,name}}.
        var answer = JSONObject()
        for (key, value) in object where key != "return_id" {
            switch key {
            case "state":
                _ = answer.updateValue(["state": value["state"] ?? "", "state_name": value["state_name"] ?? ""], forKey: key)
            case "available_actions":
                _ = answer.updateValue(.array((value.arrayValue ?? []).map { ["action": $0] }), forKey: key)
            default:
                _ = answer.updateValue(value, forKey: key)
            }
        }
        return (200, [], ["returns": .object(answer)])
    }

    func rfbsActionSet(_ body: JSONValue) -> Reply {
        guard let id = FakeOzonAPI.int64(body["return_id"]) else { return FakeOzonAPI.error(400, 3, "return_id is required") }
        guard var object = returnRequests[id] else { return FakeOzonAPI.error(404, 5, "RETURN_NOT_FOUND") }
        guard let actionID = FakeOzonAPI.int64(body["id"]) else { return FakeOzonAPI.error(400, 3, "id is required") }
        let offered = (object["available_actions"]?.arrayValue ?? []).compactMap { FakeOzonAPI.int64($0["id"]) }
        // Ozon documents no error tokens for action/set; these name the reason plainly.
        guard offered.contains(actionID) else { return FakeOzonAPI.error(400, 3, "ACTION_IS_NOT_AVAILABLE") }
        if actionID == -1 || actionID == -10 {
            let comment = body["comment"]?.stringValue ?? ""
            guard !comment.isEmpty, let reason = FakeOzonAPI.int64(body["rejection_reason_id"]) else {
                return FakeOzonAPI.error(400, 3, "comment and rejection_reason_id are required")
            }
            let reasons = (object["rejection_reason"]?.arrayValue ?? []).compactMap { FakeOzonAPI.int64($0["id"]) }
            guard reasons.contains(reason) else { return FakeOzonAPI.error(400, 3, "INVALID_REJECTION_REASON") }
        }
        if actionID == 1020 {
            guard case .number(let amount)? = body["compensation_amount"], amount.doubleValue > 0 else {
                return FakeOzonAPI.error(400, 3, "compensation_amount is required")
            }
        }
        let rejected = actionID == -1 || actionID == -10
        let name = (object["available_actions"]?.arrayValue ?? []).first { FakeOzonAPI.int64($0["id"]) == actionID }?["name"]?.stringValue ?? ""
        let state: JSONValue = rejected
            ? ["state": "REJECTED", "state_name": "Отклонена", "group_state": "Rejected", "money_return_state_name": ""]
            : ["state": .string("ACTION_\(actionID)"), "state_name": .string(name), "group_state": "Approved", "money_return_state_name": ""]
        _ = object.updateValue(state, forKey: "state")
        _ = object.updateValue([], forKey: "available_actions")
        if rejected, let comment = body["comment"] { _ = object.updateValue(comment, forKey: "rejection_comment") }
        returnRequests[id] = object
        appliedReturnActionIDs[id, default: []].append(actionID)
        recordEffect("/v1/returns/rfbs/action/set", String(id), body)
        return (200, [], [:])
    }

    // MARK: cancellation requests

    func cancellationList(_ body: JSONValue) -> Reply {
        let limit = Int(body["limit"]?.int64Value ?? 0)
        guard (1...500).contains(limit) else { return FakeOzonAPI.error(400, 3, "limit must be 1 to 500") }
        let filters = body["filters"]
        let state = filters?["state"]?.stringValue?.uppercased() ?? "ALL"
        let numbers = Set(filters?["posting_number"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let initiators = Set(filters?["cancellation_initiator"]?.arrayValue?.compactMap { $0.stringValue?.uppercased() } ?? [])
        let lastID = FakeOzonAPI.int64(body["last_id"]) ?? 0
        let matching = cancellations.keys.sorted().filter { $0 > lastID }.compactMap { cancellations[$0] }.filter { object in
            if state != "ALL", object["state"]?["state"]?.stringValue != state { return false }
            if !numbers.isEmpty, !numbers.contains(object["posting_number"]?.stringValue ?? "") { return false }
            if !initiators.isEmpty, !initiators.contains(object["cancellation_initiator"]?.stringValue?.uppercased() ?? "") { return false }
            return true
        }
        let page = Array(matching.prefix(limit))
        var answer: JSONObject = ["result": .array(page.map(JSONValue.object))]
        if let last = page.last?["cancellation_id"] { _ = answer.updateValue(last, forKey: "last_id") }
        if body["with"]?["counter"]?.boolValue == true {
            let waiting = cancellations.values.filter { $0["state"]?["state"]?.stringValue == "ON_APPROVAL" }.count
            // A string, as in Ozon's example.
            _ = answer.updateValue(.string(String(waiting)), forKey: "counter")
        }
        return (200, [], .object(answer))
    }

    func cancellationMove(_ path: String, _ body: JSONValue) -> Reply {
        guard let id = FakeOzonAPI.int64(body["cancellation_id"]) else { return FakeOzonAPI.error(400, 3, "cancellation_id is required") }
        guard var object = cancellations[id] else { return FakeOzonAPI.error(404, 5, "CANCELLATION_NOT_FOUND") }
        // Only requests on approval can be answered (Ozon documents no token for this refusal).
        guard object["state"]?["state"]?.stringValue == "ON_APPROVAL" else {
            return FakeOzonAPI.error(400, 9, "CANCELLATION_IS_NOT_ON_APPROVAL")
        }
        let approve = path.hasSuffix("approve")
        _ = object.updateValue(approve ? ["id": 2, "name": "Согласовано", "state": "APPROVED"] : ["id": 3, "name": "Отклонено", "state": "REJECTED"],
                               forKey: "state")
        _ = object.updateValue(body["comment"] ?? "", forKey: "approve_comment")
        _ = object.updateValue(.string(FakeOzonAPI.iso8601(Date())), forKey: "approve_date")
        cancellations[id] = object
        if approve, let number = object["posting_number"]?.stringValue, var posting = postings[number] {
            _ = posting.updateValue("cancelled", forKey: "status")
            postings[number] = posting
        }
        recordEffect(path, String(id), body)
        return (200, [], [:])
    }
}

extension FakeOzonAPI {
    /// An rFBS return request to seed, in the list's shape: new, for a mug, offering approve
    /// (1), reject (−1) and a partial compensation (1020), with one rejection reason (7).
    public static func sampleReturnRequest(
        _ id: Int64, posting: String = "500-1", group: String = "New",
        actions: [(Int64, String)] = [(1, "Одобрить"), (-1, "Отклонить"), (1020, "Частичная компенсация")]
    ) -> JSONValue {
        [
            "return_id": .number(JSONNumber(integer: id)), "return_number": .string("\(posting)-\(id)"), "posting_number": .string(posting),
            "order_number": "500", "created_at": "2026-05-14T09:00:00Z",
            "product": ["sku": 1734059281, "offer_id": "MUG", "name": "Кружка", "price": 649, "currency_code": "RUB"],
            "state": ["state": "CREATED", "state_name": "Новая", "group_state": .string(group), "money_return_state_name": ""],
            "available_actions": .array(actions.map { ["id": .number(JSONNumber(integer: $0.0)), "name": .string($0.1)] }),
            "rejection_reason": [["id": 7, "name": "Товар использовался", "hint": "Фото", "is_comment_required": true]],
        ]
    }

    /// A buyer's cancellation request to seed, in `/v2/conditional-cancellation/list`'s shape.
    public static func sampleCancellationRequest(_ id: Int64, posting: String, state: String = "ON_APPROVAL") -> JSONValue {
        ["cancellation_id": .number(JSONNumber(integer: id)), "posting_number": .string(posting),
         "state": ["id": 1, "name": "x", "state": .string(state)], "cancellation_initiator": "CLIENT",
         "cancellation_reason": ["id": 503, "name": "Передумал"], "cancellation_reason_message": "Нашёл дешевле",
         "cancelled_at": "2026-05-14T09:00:00Z", "auto_approve_date": "2026-05-16T09:00:00Z"]
    }
}

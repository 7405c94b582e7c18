import PostingModel

/// One page of a cursor-paged posting list (`/v4/posting/fbs/list`, `/v4/posting/fbs/unfulfilled/list`).
public struct PostingPage: Sendable {
    /// The raw posting objects, as Ozon sent them.
    public var postings: [JSONValue]
    public var cursor: String
    public var hasNext: Bool
}

/// One item of the per-posting answers of the rFBS status and tracking methods.
public struct PostingActionResult: Sendable, Hashable {
    public var postingNumber: String
    public var ok: Bool
    public var error: String?

    public init(postingNumber: String, ok: Bool, error: String?) {
        self.postingNumber = postingNumber
        self.ok = ok
        self.error = error
    }
}

/// A package of `/v4/posting/fbs/ship`: SKU and quantity per product.
public struct ShipPackage: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        public var sku: Int64
        public var quantity: Int64
        public init(sku: Int64, quantity: Int64) {
            self.sku = sku
            self.quantity = quantity
        }
    }

    public var items: [Item]
    public init(items: [Item]) { self.items = items }
}

/// The rFBS delivery-status moves (ozon-api.md §4.3).
public enum RFBSStatusMove: String, Sendable, CaseIterable {
    case delivering
    case lastMile = "last-mile"
    case delivered

    public var path: String { "/v2/fbs/posting/\(rawValue)" }
}

/// The methods ozon-rules uses. Each builds the documented request and reads the documented answer.
extension OzonClient {
    public enum Path {
        public static let unfulfilledList = "/v4/posting/fbs/unfulfilled/list"
        public static let postingList = "/v4/posting/fbs/list"
        public static let postingGet = "/v3/posting/fbs/get"
        public static let ship = "/v4/posting/fbs/ship"
        public static let trackingNumberSet = "/v2/fbs/posting/tracking-number/set"
        public static let cancel = "/v2/posting/fbs/cancel"
        public static let returnsList = "/v1/returns/list"
        public static let rfbsReturnsList = "/v2/returns/rfbs/list"
        public static let rfbsReturnGet = "/v2/returns/rfbs/get"
        public static let rfbsReturnAction = "/v1/returns/rfbs/action/set"
    }

    static let listWith: JSONValue = ["analytics_data": true, "barcodes": false, "financial_data": true, "legal_info": false]

    /// The request body of a v4 list page (§2.2).
    public static func listRequest(filter: JSONObject, limit: Int, cursor: String) -> JSONValue {
        var body: JSONObject = ["filter": .object(filter), "limit": .number(JSONNumber(integer: Int64(limit))), "with": listWith]
        if !cursor.isEmpty { _ = body.updateValue(.string(cursor), forKey: "cursor") }
        _ = body.updateValue("ASC", forKey: "sort_dir")
        return .object(body)
    }

    /// One page of `/v4/posting/fbs/unfulfilled/list`.
    public func unfulfilledPage(filter: JSONObject, limit: Int = 1000, cursor: String = "") async throws(OzonAPIError) -> PostingPage {
        try await page(Path.unfulfilledList, filter: filter, limit: limit, cursor: cursor)
    }

    /// One page of `/v4/posting/fbs/list`.
    public func listPage(filter: JSONObject, limit: Int = 1000, cursor: String = "") async throws(OzonAPIError) -> PostingPage {
        try await page(Path.postingList, filter: filter, limit: limit, cursor: cursor)
    }

    /// Every posting of a v4 list, following the cursor (at most `maxPages` pages).
    public func allPostings(
        _ path: String, filter: JSONObject, limit: Int = 1000, maxPages: Int = 1000
    ) async throws(OzonAPIError) -> [JSONValue] {
        var all: [JSONValue] = []
        var cursor = ""
        for _ in 0..<maxPages {
            let page = try await page(path, filter: filter, limit: limit, cursor: cursor)
            all += page.postings
            if !page.hasNext || page.cursor.isEmpty || page.cursor == cursor { break }
            cursor = page.cursor
        }
        return all
    }

    func page(_ path: String, filter: JSONObject, limit: Int, cursor: String) async throws(OzonAPIError) -> PostingPage {
        let answer = try await read(path, OzonClient.listRequest(filter: filter, limit: limit, cursor: cursor))
        // v4 answers at the top level; accept a v3-style `result` wrapper too.
        let root = answer["postings"] != nil ? answer : (answer["result"] ?? answer)
        guard let postings = root["postings"]?.arrayValue else {
            throw .invalidResponse(path: path, message: "no postings[] in the answer")
        }
        let hasNext = root["has_next"]?.boolValue ?? (root["has_next"]?.stringValue == "true")
        return PostingPage(postings: postings, cursor: root["cursor"]?.stringValue ?? "", hasNext: hasNext)
    }

    /// `/v3/posting/fbs/get`: the posting's details, raw (`result`).
    public func postingJSON(_ postingNumber: String) async throws(OzonAPIError) -> JSONValue {
        let body: JSONValue = [
            "posting_number": .string(postingNumber),
            "with": ["analytics_data": true, "barcodes": false, "financial_data": true, "product_exemplars": false,
                     "related_postings": true, "translit": false],
        ]
        let answer = try await read(Path.postingGet, body)
        guard let result = answer["result"], case .object = result else {
            throw .invalidResponse(path: Path.postingGet, message: "no result{} in the answer")
        }
        return result
    }

    /// `/v3/posting/fbs/get`, decoded into the posting model.
    public func posting(_ postingNumber: String) async throws(OzonAPIError) -> Posting {
        let json = try await postingJSON(postingNumber)
        do {
            return try Posting(json: json)
        } catch {
            throw .invalidResponse(path: Path.postingGet, message: "posting \(postingNumber): \(error)")
        }
    }

    /// The request body of `/v4/posting/fbs/ship` (§4.1): `product_id` is the SKU.
    public static func shipRequest(postingNumber: String, packages: [ShipPackage]) -> JSONValue {
        let list: [JSONValue] = packages.map { package in
            ["products": .array(package.items.map { item in
                ["product_id": .number(JSONNumber(integer: item.sku)), "quantity": .number(JSONNumber(integer: item.quantity))]
            })]
        }
        return ["posting_number": .string(postingNumber), "packages": .array(list), "with": ["additional_data": true]]
    }

    /// `/v4/posting/fbs/ship`: packs the posting into `packages`; returns the resulting posting
    /// numbers. HTTP 200 does not mean packed: re-read the posting (`ship_failed`).
    public func ship(_ postingNumber: String, packages: [ShipPackage]) async throws(OzonAPIError) -> [String] {
        let answer = try await write(Path.ship, OzonClient.shipRequest(postingNumber: postingNumber, packages: packages))
        return answer["result"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    public static func trackingRequest(_ numbers: [(postingNumber: String, trackingNumber: String)]) -> JSONValue {
        ["tracking_numbers": .array(numbers.map { ["posting_number": .string($0.postingNumber), "tracking_number": .string($0.trackingNumber)] })]
    }

    /// `/v2/fbs/posting/tracking-number/set` (at most 20 per request; larger lists are split).
    public func setTrackingNumbers(_ numbers: [(postingNumber: String, trackingNumber: String)]) async throws(OzonAPIError) -> [PostingActionResult] {
        var results: [PostingActionResult] = []
        var start = 0
        while start < numbers.count {
            let chunk = Array(numbers[start..<min(start + 20, numbers.count)])
            let answer = try await write(Path.trackingNumberSet, OzonClient.trackingRequest(chunk))
            results += OzonClient.actionResults(answer)
            start += 20
        }
        return results
    }

    /// `/v2/fbs/posting/{delivering,last-mile,delivered}` for seller-delivered rFBS postings.
    public func move(_ postingNumbers: [String], to move: RFBSStatusMove) async throws(OzonAPIError) -> [PostingActionResult] {
        let answer = try await write(move.path, ["posting_number": .array(postingNumbers.map(JSONValue.string))])
        return OzonClient.actionResults(answer)
    }

    /// Per-item answers `{result: [{posting_number, result, error}]}`; `error` may be "", [] or null.
    public static func actionResults(_ answer: JSONValue) -> [PostingActionResult] {
        (answer["result"]?.arrayValue ?? []).map { item in
            var error: String?
            switch item["error"] {
            case .string(let text)? where !text.isEmpty: error = text
            case .array(let items)? where !items.isEmpty: error = JSONWriter.write(.array(items))
            default: error = nil
            }
            let ok = item["result"]?.boolValue ?? (error == nil)
            return PostingActionResult(postingNumber: item["posting_number"]?.stringValue ?? "", ok: ok && error == nil, error: error)
        }
    }

    public static func cancelRequest(postingNumber: String, reasonID: Int64, message: String?) -> JSONValue {
        var body: JSONObject = ["posting_number": .string(postingNumber), "cancel_reason_id": .number(JSONNumber(integer: reasonID))]
        if let message, !message.isEmpty { _ = body.updateValue(.string(message), forKey: "cancel_reason_message") }
        return .object(body)
    }

    /// `/v2/posting/fbs/cancel` with a reason id (§4.4); 402 needs a message.
    public func cancel(_ postingNumber: String, reasonID: Int64, message: String? = nil) async throws(OzonAPIError) -> Bool {
        let answer = try await write(Path.cancel, OzonClient.cancelRequest(postingNumber: postingNumber, reasonID: reasonID, message: message))
        return answer["result"]?.boolValue ?? false
    }

    /// One page of `/v1/returns/list` (`last_id` paging, §5.1): the returns and the next `last_id`.
    public func returnsPage(filter: JSONObject, limit: Int = 500, lastID: Int64 = 0) async throws(OzonAPIError) -> (returns: [JSONValue], lastID: Int64, hasNext: Bool) {
        let body: JSONValue = ["filter": .object(filter), "limit": .number(JSONNumber(integer: Int64(limit))), "last_id": .number(JSONNumber(integer: lastID))]
        let answer = try await read(Path.returnsList, body)
        let returns = answer["returns"]?.arrayValue ?? []
        let last = returns.last.flatMap { $0["id"]?.int64Value ?? $0["id"]?.stringValue.flatMap { Int64($0) } } ?? lastID
        return (returns, last, answer["has_next"]?.boolValue ?? false)
    }

    /// One page of `/v2/returns/rfbs/list`; `returns` may be an array or one object (§5.2).
    public func rfbsReturnsPage(filter: JSONObject, limit: Int = 50, lastID: Int64 = 0) async throws(OzonAPIError) -> (returns: [JSONValue], lastID: Int64) {
        let body: JSONValue = ["filter": .object(filter), "limit": .number(JSONNumber(integer: Int64(limit))), "last_id": .number(JSONNumber(integer: lastID))]
        let answer = try await read(Path.rfbsReturnsList, body)
        let returns: [JSONValue]
        switch answer["returns"] {
        case .array(let items)?: returns = items
        case .object(let object)?: returns = object.isEmpty ? [] : [.object(object)]
        default: returns = []
        }
        let last = returns.last.flatMap { $0["return_id"]?.int64Value } ?? lastID
        return (returns, last)
    }

    /// `/v2/returns/rfbs/get`.
    public func rfbsReturn(_ returnID: Int64) async throws(OzonAPIError) -> JSONValue {
        let answer = try await read(Path.rfbsReturnGet, ["return_id": .number(JSONNumber(integer: returnID))])
        return answer["returns"] ?? answer
    }

    /// `/v1/returns/rfbs/action/set` with the fields given as JSON; prefer the typed
    /// `rfbsReturnAction(returnID:actionID:...)`. `id` from the return's `available_actions`; extra fields
    /// (`comment`, `rejection_reason_id`, `compensation_amount`, ...) as documented.
    public func rfbsReturnAction(_ returnID: Int64, actionID: Int64, fields: JSONObject = [:]) async throws(OzonAPIError) -> JSONValue {
        var body = fields
        _ = body.updateValue(.number(JSONNumber(integer: returnID)), forKey: "return_id")
        _ = body.updateValue(.number(JSONNumber(integer: actionID)), forKey: "id")
        return try await write(Path.rfbsReturnAction, .object(body))
    }
}

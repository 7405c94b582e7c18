import AsyncHTTPClient
import Foundation
import NIOCore
import PostingModel

// The methods that carry a seller's decisions out (ozon-api-actions.md): package labels, rFBS
// return requests, buyer cancellation requests and chats. Requests are built exactly as
// documented; answers are read leniently (§12): ids as numbers or strings, objects or arrays.

extension OzonClient.Path {
    public static let labelCreateV3 = "/v3/posting/fbs/package-label/create"
    public static let labelGetV2 = "/v2/posting/fbs/package-label/get"
    public static let labelCreateV2 = "/v2/posting/fbs/package-label/create"
    public static let labelGetV1 = "/v1/posting/fbs/package-label/get"
    public static let cancellationList = "/v2/conditional-cancellation/list"
    public static let cancellationApprove = "/v2/conditional-cancellation/approve"
    public static let cancellationReject = "/v2/conditional-cancellation/reject"
    public static let chatStart = "/v1/chat/start"
    public static let chatSendMessage = "/v1/chat/send/message"
    public static let chatHistory = "/v3/chat/history"
    public static let chatList = "/v3/chat/list"
    public static let rfbsDelivering = "/v2/fbs/posting/delivering"
    public static let rfbsLastMile = "/v2/fbs/posting/last-mile"
    public static let rfbsDelivered = "/v2/fbs/posting/delivered"

    /// Every method that changes something at Ozon: never re-sent blindly after a timeout.
    public static let sideEffecting: Set<String> = [
        ship, trackingNumberSet, cancel, rfbsReturnAction, cancellationApprove, cancellationReject, chatStart,
        chatSendMessage, labelCreateV3, labelCreateV2, rfbsDelivering, rfbsLastMile, rfbsDelivered,
    ]
}

// MARK: - Lenient reading

enum Lenient {
    /// An integer id written as a number or as a string of digits.
    static func int64(_ value: JSONValue?) -> Int64? {
        switch value {
        case .number(let n)?: return n.int64Value
        case .string(let s)?: return Int64(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// An id kept as text: a JSON number's literal (never through `Double`) or a string.
    static func idText(_ value: JSONValue?) -> String? {
        switch value {
        case .number(let n)?: return n.literal
        case .string(let s)? where !s.isEmpty: return s
        default: return nil
        }
    }

    static func string(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s
        case .number(let n)?: return n.literal
        default: return nil
        }
    }

    static func bool(_ value: JSONValue?) -> Bool? {
        switch value {
        case .bool(let b)?: return b
        case .string(let s)?: return s.lowercased() == "true" ? true : s.lowercased() == "false" ? false : nil
        default: return nil
        }
    }

    static func timestamp(_ value: JSONValue?) -> Timestamp? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return Timestamp(iso8601: text)
    }

    /// An error field given as `""`, a string, `{code, message}`, an array or null.
    static func errorText(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let s)?: return s.isEmpty ? nil : s
        case .object(let o)?:
            let message = o["message"]?.stringValue ?? o["msg"]?.stringValue ?? ""
            let code = string(o["code"]) ?? ""
            if message.isEmpty && (code.isEmpty || code == "0") { return nil }
            return message.isEmpty ? code : (code.isEmpty || code == "0" ? message : "\(code): \(message)")
        case .array(let items)?: return items.isEmpty ? nil : JSONWriter.write(.array(items))
        default: return nil
        }
    }

    /// `items` as an array, one object as a one-item array, anything else as none.
    static func list(_ value: JSONValue?) -> [JSONValue] {
        switch value {
        case .array(let items)?: return items
        case .object(let o)?: return o.isEmpty ? [] : [.object(o)]
        default: return []
        }
    }

    static func number(_ value: Int64) -> JSONValue { .number(JSONNumber(integer: value)) }
}

// MARK: - Package labels

/// Which package-label methods to call (ozon-api-actions.md §1): a version switch is a change
/// of this value, not of code.
public struct LabelMethods: Sendable, Hashable {
    public enum Shape: String, Sendable, Hashable {
        /// v3 create `{posting_numbers}` → `{tasks}`; v2 get → `{file_url, error{code, message},
        /// status{code, postings_count, printed_postings_count, unprinted_postings[]{posting_number, message}}}`.
        case unwrapped
        /// v2 create `{posting_number}` → `{result: {tasks}}`; v1 get → `{result: {status, file_url,
        /// error, unprinted_postings[]{posting_number, msg}}}`.
        case resultWrapped
    }

    public var createPath: String
    public var getPath: String
    public var shape: Shape

    public init(createPath: String, getPath: String, shape: Shape) {
        self.createPath = createPath
        self.getPath = getPath
        self.shape = shape
    }

    /// `/v3/posting/fbs/package-label/create` + `/v2/posting/fbs/package-label/get` (Sep 2026).
    public static let current = LabelMethods(createPath: OzonClient.Path.labelCreateV3, getPath: OzonClient.Path.labelGetV2, shape: .unwrapped)
    /// `/v2/posting/fbs/package-label/create` + `/v1/posting/fbs/package-label/get`, off 2 Nov 2026.
    public static let legacy = LabelMethods(createPath: OzonClient.Path.labelCreateV2, getPath: OzonClient.Path.labelGetV1, shape: .resultWrapped)

    /// The most postings one create call takes (stated only for the sync method; kept for all).
    public static let maxPostingsPerTask = 20
}

/// A label job Ozon started; keep `postingNumbers`, since the answer names only the task.
public struct LabelTask: Sendable, Hashable {
    public var taskID: Int64
    /// `big_label`, `small_label`, or `""` when Ozon gives none.
    public var taskType: String
    public var postingNumbers: [String]

    public init(taskID: Int64, taskType: String, postingNumbers: [String]) {
        self.taskID = taskID
        self.taskType = taskType
        self.postingNumbers = postingNumbers
    }
}

/// A label job's state as `package-label/get` tells it.
public struct LabelTaskStatus: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case pending, inProgress = "in_progress", completed, error
        /// A status text Ozon does not document.
        case unknown
    }

    public struct Unprinted: Sendable, Hashable {
        public var postingNumber: String
        public var message: String
        public init(postingNumber: String, message: String) {
            self.postingNumber = postingNumber
            self.message = message
        }
    }

    public var state: State
    /// The status as Ozon wrote it.
    public var statusText: String
    public var fileURL: String?
    public var error: String?
    public var postingsCount: Int64?
    public var printedPostingsCount: Int64?
    public var unprinted: [Unprinted]
    public var raw: JSONValue

    /// Not ready yet: ask again later.
    public var isPending: Bool { state == .pending || state == .inProgress }
}

extension OzonClient {
    /// The create request of `methods`: `posting_numbers` (v3) or `posting_number` (v2).
    public static func labelCreateRequest(_ postingNumbers: [String], methods: LabelMethods) -> JSONValue {
        let key = methods.shape == .unwrapped ? "posting_numbers" : "posting_number"
        return .object(JSONObject(distinctPairs: [(key: key, value: .array(postingNumbers.map(JSONValue.string)))]))
    }

    /// Starts label jobs for `postingNumbers`, at most 20 a call (longer lists are split). One
    /// call may start two jobs, one per label size.
    public func createLabelTasks(_ postingNumbers: [String]) async throws(OzonAPIError) -> [LabelTask] {
        var tasks: [LabelTask] = []
        var start = 0
        while start < postingNumbers.count {
            let chunk = Array(postingNumbers[start..<min(start + LabelMethods.maxPostingsPerTask, postingNumbers.count)])
            let path = labelMethods.createPath
            let answer = try await write(path, OzonClient.labelCreateRequest(chunk, methods: labelMethods))
            let root = answer["tasks"] != nil || answer["task_id"] != nil ? answer : (answer["result"] ?? answer)
            var found = Lenient.list(root["tasks"]).compactMap { item -> LabelTask? in
                guard let id = Lenient.int64(item["task_id"]) else { return nil }
                return LabelTask(taskID: id, taskType: item["task_type"]?.stringValue ?? "", postingNumbers: chunk)
            }
            // v1 create answers one task id.
            if found.isEmpty, let id = Lenient.int64(root["task_id"]) {
                found = [LabelTask(taskID: id, taskType: "", postingNumbers: chunk)]
            }
            guard !found.isEmpty else { throw .invalidResponse(path: path, message: "no task_id in the answer") }
            tasks += found
            start += LabelMethods.maxPostingsPerTask
        }
        return tasks
    }

    /// Reads a label job (either documented shape).
    public func labelTask(_ taskID: Int64) async throws(OzonAPIError) -> LabelTaskStatus {
        let answer = try await read(labelMethods.getPath, ["task_id": Lenient.number(taskID)])
        return OzonClient.labelTaskStatus(answer)
    }

    /// Reads either get answer: unwrapped (status an object, `message`) or wrapped (`result`,
    /// status a string, `msg`).
    public static func labelTaskStatus(_ answer: JSONValue) -> LabelTaskStatus {
        let root: JSONValue = answer["status"] == nil && answer["file_url"] == nil ? (answer["result"] ?? answer) : answer
        var statusText = "", postingsCount: Int64?, printed: Int64?
        var unprintedItems: [JSONValue] = Lenient.list(root["unprinted_postings"])
        switch root["status"] {
        case .object(let status)?:
            statusText = Lenient.string(status["code"]) ?? ""
            postingsCount = Lenient.int64(status["postings_count"])
            printed = Lenient.int64(status["printed_postings_count"])
            if unprintedItems.isEmpty { unprintedItems = Lenient.list(status["unprinted_postings"]) }
        case let other:
            statusText = Lenient.string(other) ?? ""
        }
        if printed == nil { printed = Lenient.int64(root["printed_postings_count"]) }
        let unprinted = unprintedItems.map { item in
            LabelTaskStatus.Unprinted(postingNumber: item["posting_number"]?.stringValue ?? "",
                                      message: item["message"]?.stringValue ?? item["msg"]?.stringValue ?? "")
        }
        let fileURL = root["file_url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return LabelTaskStatus(
            state: LabelTaskStatus.State(rawValue: statusText.lowercased()) ?? .unknown, statusText: statusText,
            fileURL: fileURL, error: Lenient.errorText(root["error"]), postingsCount: postingsCount,
            printedPostingsCount: printed, unprinted: unprinted, raw: answer)
    }

    /// The largest label file read.
    public static let maxLabelBytes = 16 << 20

    /// Downloads a completed job's `file_url` (with the API headers: whether the CDN needs them
    /// is not documented). A `application/pdf` body is the file; a JSON body with a base64
    /// `file_content` is decoded (the sync method's declared shape, §1.1).
    public func downloadLabel(url: String) async throws(OzonAPIError) -> [UInt8] {
        let path = URL(string: url)?.path ?? url
        var attempts = 0
        var delay = retry.transportDelay
        while true {
            attempts += 1
            do {
                try await limiter.acquire(path: "label-download")
            } catch {
                throw .transport(path: path, message: "cancelled")
            }
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            request.headers.add(name: "Client-Id", value: credentialsClientID)
            request.headers.add(name: "Api-Key", value: credentialsAPIKey)
            request.headers.add(name: "Accept", value: "application/pdf, application/json")
            var failure: OzonAPIError
            do {
                let response = try await httpClient.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
                let body = Array(try await response.body.collect(upTo: OzonClient.maxLabelBytes).readableBytesView)
                let status = Int(response.status.code)
                if (200..<300).contains(status) {
                    let type = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
                    if type.contains("json"), let value = try? JSONParser.parse(body),
                       let content = (value["file_content"] ?? value["result"]?["file_content"])?.stringValue {
                        if content.hasPrefix("%PDF") { return Array(content.utf8) }
                        guard let data = Data(base64Encoded: content) else {
                            throw OzonAPIError.invalidResponse(path: path, message: "file_content is not base64")
                        }
                        return Array(data)
                    }
                    guard body.starts(with: Array("%PDF".utf8)) else {
                        throw OzonAPIError.invalidResponse(path: path, message: "the label is not a PDF (\(type))")
                    }
                    return body
                }
                failure = OzonAPIError.fromAnswer(path: path, status: status, body: body)
                if !(status == 429 || status >= 500) { throw failure }
            } catch let error as OzonAPIError {
                throw error
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                failure = .timeout(path: path, seconds: timeoutSeconds)
            } catch {
                failure = .transport(path: path, message: "\(error)")
            }
            // A download changes nothing: try again a few times.
            guard attempts < retry.maxAttempts else { throw failure }
            try? await Task.sleep(nanoseconds: UInt64(max(0, delay) * 1_000_000_000))
            delay *= 2
        }
    }
}

// MARK: - rFBS return requests

/// An action a return request offers (`available_actions[]`, `{id, name}` or `{action: {id, name}}`).
public struct ReturnRequestAction: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }

    /// The documented ids (ozon-api-actions.md §2.3): reject variants need a reason and a comment.
    public static let rejectIDs: Set<Int64> = [-1, -10]
    /// Partial compensation: needs `compensation_amount`.
    public static let compensateID: Int64 = 1020
}

/// A reason the seller may give for rejecting (`rejection_reason[]`).
public struct ReturnRejectionReason: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var hint: String
    public var isCommentRequired: Bool
    public init(id: Int64, name: String, hint: String, isCommentRequired: Bool) {
        self.id = id
        self.name = name
        self.hint = hint
        self.isCommentRequired = isCommentRequired
    }
}

/// One item of `/v2/returns/rfbs/list`.
public struct RFBSReturnSummary: Sendable, Hashable {
    public var returnID: Int64
    public var returnNumber: String?
    public var postingNumber: String
    public var state: String?
    public var groupState: String?
    public var createdAt: Timestamp?
    public var raw: JSONObject
}

/// One page of `/v2/returns/rfbs/list`. There is no `has_next`: a page shorter than the limit
/// is the last (ozon-api-actions.md §2.1).
public struct RFBSReturnsPage: Sendable {
    public var returns: [RFBSReturnSummary]
    /// The `last_id` for the next page (the last `return_id` of this one).
    public var lastID: Int64?
    public var isLast: Bool
}

/// `/v2/returns/rfbs/get`, with the `return_id` that was asked for (the answer does not echo it).
public struct RFBSReturnRequest: Sendable, Hashable {
    public var returnID: Int64
    public var returnNumber: String?
    public var postingNumber: String?
    /// `state.state` (not enumerated by Ozon) and `state.state_name`.
    public var state: String?
    public var stateName: String?
    public var availableActions: [ReturnRequestAction]
    public var rejectionReasons: [ReturnRejectionReason]
    /// The `returns` object as Ozon sent it.
    public var raw: JSONObject

    /// The object with `return_id` put first, for the input decoder and `returns.lua`.
    public var rawWithReturnID: JSONObject {
        var object = JSONObject(distinctPairs: [(key: "return_id", value: Lenient.number(returnID))])
        for (key, value) in raw where key != "return_id" { _ = object.updateValue(value, forKey: key) }
        return object
    }

    public func offers(_ actionID: Int64) -> Bool { availableActions.contains { $0.id == actionID } }

    public init(returnID: Int64, object raw: JSONObject) {
        self.returnID = returnID
        self.raw = raw
        returnNumber = Lenient.string(raw["return_number"])
        postingNumber = raw["posting_number"]?.stringValue
        state = raw["state"]?["state"]?.stringValue ?? raw["state"]?.stringValue
        stateName = raw["state"]?["state_name"]?.stringValue
        availableActions = Lenient.list(raw["available_actions"]).compactMap { item in
            let action = item["action"]?.objectValue != nil ? item["action"]! : item
            guard let id = Lenient.int64(action["id"]) else { return nil }
            return ReturnRequestAction(id: id, name: action["name"]?.stringValue ?? "")
        }
        rejectionReasons = Lenient.list(raw["rejection_reason"]).compactMap { item in
            guard let id = Lenient.int64(item["id"]) else { return nil }
            return ReturnRejectionReason(id: id, name: item["name"]?.stringValue ?? "", hint: item["hint"]?.stringValue ?? "",
                                         isCommentRequired: Lenient.bool(item["is_comment_required"]) ?? false)
        }
    }
}

extension OzonClient {
    /// One page of `/v2/returns/rfbs/list`, filtered by `group_state` (e.g. `["New"]`);
    /// `lastID` nil on the first call. `returns` is read as an array or as one object.
    public func rfbsReturnsPage(
        groupState: [String], postingNumber: String? = nil, limit: Int = 500, lastID: Int64? = nil
    ) async throws(OzonAPIError) -> RFBSReturnsPage {
        var filter = JSONObject()
        if !groupState.isEmpty { _ = filter.updateValue(.array(groupState.map(JSONValue.string)), forKey: "group_state") }
        if let postingNumber { _ = filter.updateValue(.string(postingNumber), forKey: "posting_number") }
        var body: JSONObject = ["filter": .object(filter), "limit": Lenient.number(Int64(limit))]
        if let lastID { _ = body.updateValue(Lenient.number(lastID), forKey: "last_id") }
        let answer = try await read(Path.rfbsReturnsList, .object(body))
        let items = Lenient.list(answer["returns"] ?? answer["result"]?["returns"])
        let returns: [RFBSReturnSummary] = items.compactMap { item in
            guard case .object(let object) = item, let id = Lenient.int64(object["return_id"]) else { return nil }
            return RFBSReturnSummary(
                returnID: id, returnNumber: Lenient.string(object["return_number"]),
                postingNumber: object["posting_number"]?.stringValue ?? "",
                state: object["state"]?["state"]?.stringValue, groupState: object["state"]?["group_state"]?.stringValue,
                createdAt: Lenient.timestamp(object["created_at"]), raw: object)
        }
        return RFBSReturnsPage(returns: returns, lastID: returns.last?.returnID ?? lastID, isLast: items.count < limit)
    }

    /// `/v2/returns/rfbs/get`, typed; `returnID` is kept from the request.
    public func rfbsReturnRequest(_ returnID: Int64) async throws(OzonAPIError) -> RFBSReturnRequest {
        let answer = try await read(Path.rfbsReturnGet, ["return_id": Lenient.number(returnID)])
        let root = answer["returns"] ?? answer["result"]?["returns"] ?? answer["result"]
        let object: JSONObject
        switch root {
        case .object(let o)?: object = o
        case .array(let items)?: object = items.first?.objectValue ?? [:]
        default: throw .invalidResponse(path: Path.rfbsReturnGet, message: "no returns{} in the answer")
        }
        return RFBSReturnRequest(returnID: returnID, object: object)
    }

    /// A money amount as a JSON number with at most two decimals, written from minor units
    /// (never through `Double`): 30000 → `300`, 30050 → `300.5`, 30005 → `300.05`.
    public static func amountNumber(_ money: Money) -> JSONValue {
        if money.minorUnits % 100 == 0 { return Lenient.number(money.minorUnits / 100) }
        var text = money.decimalString
        while text.hasSuffix("0") { text.removeLast() }
        return .number(JSONNumber(literal: text)!)
    }

    /// The body of `/v1/returns/rfbs/action/set` (ozon-api-actions.md §2.3).
    public static func rfbsReturnActionRequest(
        returnID: Int64, actionID: Int64, comment: String?, rejectionReasonID: Int64?, compensationAmount: Money?,
        returnForBackWay: Money?
    ) -> JSONValue {
        var body: JSONObject = ["return_id": Lenient.number(returnID), "id": Lenient.number(actionID)]
        if let comment, !comment.isEmpty { _ = body.updateValue(.string(comment), forKey: "comment") }
        if let rejectionReasonID { _ = body.updateValue(Lenient.number(rejectionReasonID), forKey: "rejection_reason_id") }
        if let compensationAmount { _ = body.updateValue(amountNumber(compensationAmount), forKey: "compensation_amount") }
        if let returnForBackWay { _ = body.updateValue(amountNumber(returnForBackWay), forKey: "return_for_back_way") }
        return .object(body)
    }

    /// `/v1/returns/rfbs/action/set`: `actionID` from the request's `available_actions`. −1 and
    /// −10 need a comment and a rejection reason, 1020 a compensation amount: a call without
    /// them is refused here, before anything is sent.
    @discardableResult
    public func rfbsReturnAction(
        returnID: Int64, actionID: Int64, comment: String? = nil, rejectionReasonID: Int64? = nil,
        compensationAmount: Money? = nil, returnForBackWay: Money? = nil
    ) async throws(OzonAPIError) -> JSONValue {
        if ReturnRequestAction.rejectIDs.contains(actionID), comment?.isEmpty ?? true || rejectionReasonID == nil {
            throw .configuration("return \(returnID): action \(actionID) needs a comment and a rejection_reason_id")
        }
        if actionID == ReturnRequestAction.compensateID, compensationAmount == nil {
            throw .configuration("return \(returnID): action 1020 needs a compensation_amount")
        }
        if let amount = compensationAmount ?? returnForBackWay, amount.minorUnits < 0 {
            throw .configuration("return \(returnID): a negative amount")
        }
        return try await write(Path.rfbsReturnAction, OzonClient.rfbsReturnActionRequest(
            returnID: returnID, actionID: actionID, comment: comment, rejectionReasonID: rejectionReasonID,
            compensationAmount: compensationAmount, returnForBackWay: returnForBackWay))
    }
}

// MARK: - Buyer cancellation requests (rFBS)

/// One item of `/v2/conditional-cancellation/list`.
public struct CancellationRequest: Sendable, Hashable {
    public var cancellationID: Int64
    public var postingNumber: String
    /// `state.state`: `ON_APPROVAL`, `APPROVED` or `REJECTED`.
    public var state: String
    public var stateName: String?
    public var initiator: String?
    public var reasonID: Int64?
    public var reasonName: String?
    public var reasonMessage: String?
    public var cancelledAt: Timestamp?
    public var autoApproveDate: Timestamp?
    public var approveDate: Timestamp?
    public var approveComment: String?
    public var raw: JSONObject

    public var isOnApproval: Bool { state.uppercased() == "ON_APPROVAL" }

    public init?(object raw: JSONObject) {
        guard let id = Lenient.int64(raw["cancellation_id"]) else { return nil }
        cancellationID = id
        self.raw = raw
        postingNumber = raw["posting_number"]?.stringValue ?? ""
        state = raw["state"]?["state"]?.stringValue ?? raw["state"]?.stringValue ?? ""
        stateName = raw["state"]?["name"]?.stringValue
        initiator = raw["cancellation_initiator"]?.stringValue
        reasonID = Lenient.int64(raw["cancellation_reason"]?["id"])
        reasonName = raw["cancellation_reason"]?["name"]?.stringValue
        reasonMessage = raw["cancellation_reason_message"]?.stringValue
        cancelledAt = Lenient.timestamp(raw["cancelled_at"])
        autoApproveDate = Lenient.timestamp(raw["auto_approve_date"])
        approveDate = Lenient.timestamp(raw["approve_date"])
        approveComment = raw["approve_comment"]?.stringValue
    }
}

/// One page of `/v2/conditional-cancellation/list` (no `has_next`: a short page is the last).
public struct CancellationRequestsPage: Sendable {
    public var requests: [CancellationRequest]
    public var lastID: Int64?
    /// `counter` (requests `ON_APPROVAL`), a number or a string; nil when not asked for.
    public var counter: Int64?
    public var isLast: Bool
}

extension OzonClient {
    /// At most this many cancellation requests a page.
    public static let maxCancellationPage = 500

    /// One page of `/v2/conditional-cancellation/list`. The key is `filters` (plural).
    public func cancellationRequestsPage(
        state: String? = "ON_APPROVAL", postingNumbers: [String] = [], initiators: [String] = [],
        limit: Int = OzonClient.maxCancellationPage, lastID: Int64? = nil, withCounter: Bool = false
    ) async throws(OzonAPIError) -> CancellationRequestsPage {
        let limit = min(max(1, limit), OzonClient.maxCancellationPage)
        var filters = JSONObject()
        if let state { _ = filters.updateValue(.string(state), forKey: "state") }
        if !initiators.isEmpty { _ = filters.updateValue(.array(initiators.map(JSONValue.string)), forKey: "cancellation_initiator") }
        if !postingNumbers.isEmpty { _ = filters.updateValue(.array(postingNumbers.map(JSONValue.string)), forKey: "posting_number") }
        var body: JSONObject = ["filters": .object(filters), "limit": Lenient.number(Int64(limit))]
        if let lastID { _ = body.updateValue(Lenient.number(lastID), forKey: "last_id") }
        if withCounter { _ = body.updateValue(["counter": true], forKey: "with") }
        let answer = try await read(Path.cancellationList, .object(body))
        let items = Lenient.list(answer["result"])
        let requests = items.compactMap { $0.objectValue.flatMap(CancellationRequest.init(object:)) }
        let last = Lenient.int64(answer["last_id"]) ?? requests.last?.cancellationID
        return CancellationRequestsPage(requests: requests, lastID: last ?? lastID, counter: Lenient.int64(answer["counter"]),
                                        isLast: items.count < limit)
    }

    public static func cancellationAnswerRequest(id: Int64, comment: String?) -> JSONValue {
        var body: JSONObject = ["cancellation_id": Lenient.number(id)]
        if let comment, !comment.isEmpty { _ = body.updateValue(.string(comment), forKey: "comment") }
        return .object(body)
    }

    /// `/v2/conditional-cancellation/approve`: cancels the posting and refunds the buyer.
    public func approveCancellation(id: Int64, comment: String? = nil) async throws(OzonAPIError) {
        _ = try await write(Path.cancellationApprove, OzonClient.cancellationAnswerRequest(id: id, comment: comment))
    }

    /// `/v2/conditional-cancellation/reject`: the posting stays, and must still be delivered.
    public func rejectCancellation(id: Int64, comment: String? = nil) async throws(OzonAPIError) {
        _ = try await write(Path.cancellationReject, OzonClient.cancellationAnswerRequest(id: id, comment: comment))
    }
}

// MARK: - Chats

/// Who wrote a chat message (`user.type`), compared case-insensitively; Ozon's example spells
/// `Сustomer` with a Cyrillic `С` (ozon-api-actions.md §4.3), which is read as `customer`.
public enum ChatSender: Sendable, Hashable {
    case customer, seller, crm, courier, support, notificationUser
    case other(String)

    public init(_ text: String) {
        var folded = text.trimmingCharacters(in: .whitespaces).lowercased()
        // Cyrillic look-alikes of Latin letters, as seen in Ozon's examples.
        let lookAlikes: [Character: Character] = ["с": "c", "о": "o", "е": "e", "а": "a", "р": "p", "х": "x", "у": "y"]
        folded = String(folded.map { lookAlikes[$0] ?? $0 })
        switch folded.replacingOccurrences(of: "_", with: "") {
        case "customer": self = .customer
        case "seller": self = .seller
        case "crm": self = .crm
        case "courier": self = .courier
        case "support": self = .support
        case "notificationuser": self = .notificationUser
        default: self = .other(text)
        }
    }
}

/// One message of `/v3/chat/history`. `messageID` is text: ids exceed `Double` (and even
/// `UInt64` in one example), so a number's literal is kept as written.
public struct ChatMessage: Sendable, Hashable {
    public var messageID: String
    public var createdAt: Timestamp?
    public var userID: String?
    public var userType: String
    public var sender: ChatSender
    public var data: [String]
    public var isImage: Bool
    public var isRead: Bool
    public var orderNumber: String?
    public var sku: String?
    public var raw: JSONObject

    public var text: String { data.joined(separator: "\n") }

    public init?(object raw: JSONObject) {
        guard let id = Lenient.idText(raw["message_id"]) else { return nil }
        messageID = id
        self.raw = raw
        createdAt = Lenient.timestamp(raw["created_at"])
        userID = Lenient.idText(raw["user"]?["id"])
        userType = raw["user"]?["type"]?.stringValue ?? ""
        sender = ChatSender(userType)
        data = Lenient.list(raw["data"]).compactMap(\.stringValue)
        if data.isEmpty, let one = raw["data"]?.stringValue { data = [one] }
        isImage = Lenient.bool(raw["is_image"]) ?? false
        isRead = Lenient.bool(raw["is_read"]) ?? false
        orderNumber = Lenient.string(raw["context"]?["order_number"]).flatMap { $0.isEmpty ? nil : $0 }
        sku = Lenient.string(raw["context"]?["sku"]).flatMap { $0.isEmpty ? nil : $0 }
    }
}

public enum ChatDirection: String, Sendable, Hashable {
    /// Old to new, from `from_message_id` (required).
    case forward = "Forward"
    /// New to old (Ozon's default).
    case backward = "Backward"
}

public struct ChatHistoryPage: Sendable {
    public var messages: [ChatMessage]
    public var hasNext: Bool
}

/// One item of `/v3/chat/list`.
public struct ChatSummary: Sendable, Hashable {
    public var chatID: String
    public var status: String
    public var type: String
    public var createdAt: Timestamp?
    public var firstUnreadMessageID: String?
    public var lastMessageID: String?
    public var unreadCount: Int64
    public var raw: JSONObject

    /// `BUYER_SELLER` or `Buyer_Seller` (the casing differs between methods).
    public var isBuyerChat: Bool { type.uppercased().hasPrefix("BUYER_SELLER") }
}

public struct ChatListPage: Sendable {
    public var chats: [ChatSummary]
    public var totalUnreadCount: Int64
    public var cursor: String
    public var hasNext: Bool
}

extension OzonClient {
    /// The most characters a chat message may have (ozon-api-actions.md §4.2).
    public static let maxChatMessageLength = 1000

    /// `/v1/chat/start` by posting number: the chat's id.
    public func startChat(postingNumber: String) async throws(OzonAPIError) -> String {
        let answer = try await write(Path.chatStart, ["posting_number": .string(postingNumber)])
        guard let id = Lenient.idText(answer["result"]?["chat_id"] ?? answer["chat_id"]) else {
            throw .invalidResponse(path: Path.chatStart, message: "no result.chat_id in the answer")
        }
        return id
    }

    /// `/v1/chat/send/message`: plain text of 1–1000 characters (refused here otherwise).
    public func sendChatMessage(chatID: String, text: String) async throws(OzonAPIError) {
        guard (1...OzonClient.maxChatMessageLength).contains(text.count) else {
            throw .configuration("a chat message has 1 to \(OzonClient.maxChatMessageLength) characters, this one \(text.count)")
        }
        let answer = try await write(Path.chatSendMessage, ["chat_id": .string(chatID), "text": .string(text)])
        if let result = answer["result"]?.stringValue, result.lowercased() != "success" {
            throw .invalidResponse(path: Path.chatSendMessage, message: "result \"\(result)\"")
        }
    }

    /// `/v3/chat/history`. `fromMessageID` is sent as a JSON number written from its digits.
    public func chatHistory(
        chatID: String, direction: ChatDirection = .backward, fromMessageID: String? = nil, limit: Int = 50
    ) async throws(OzonAPIError) -> ChatHistoryPage {
        var body: JSONObject = ["chat_id": .string(chatID), "direction": .string(direction.rawValue),
                                "limit": Lenient.number(Int64(min(max(1, limit), 1000)))]
        if let fromMessageID {
            guard !fromMessageID.isEmpty, fromMessageID.allSatisfy(\.isASCII), fromMessageID.allSatisfy(\.isNumber),
                  let number = JSONNumber(literal: fromMessageID) else {
                throw .configuration("from_message_id must be digits, got '\(fromMessageID)'")
            }
            _ = body.updateValue(.number(number), forKey: "from_message_id")
        }
        let answer = try await read(Path.chatHistory, .object(body))
        let root = answer["messages"] != nil ? answer : (answer["result"] ?? answer)
        let messages = Lenient.list(root["messages"]).compactMap { $0.objectValue.flatMap(ChatMessage.init(object:)) }
        return ChatHistoryPage(messages: messages, hasNext: Lenient.bool(root["has_next"]) ?? false)
    }

    /// `/v3/chat/list` (at most 100 a page).
    public func chatList(unreadOnly: Bool = false, status: String? = nil, limit: Int = 100, cursor: String = "") async throws(OzonAPIError) -> ChatListPage {
        var filter: JSONObject = ["unread_only": .bool(unreadOnly)]
        if let status { _ = filter.updateValue(.string(status), forKey: "chat_status") }
        var body: JSONObject = ["filter": .object(filter), "limit": Lenient.number(Int64(min(max(1, limit), 100)))]
        if !cursor.isEmpty { _ = body.updateValue(.string(cursor), forKey: "cursor") }
        let answer = try await read(Path.chatList, .object(body))
        let chats: [ChatSummary] = Lenient.list(answer["chats"]).compactMap { item in
            let chat = item["chat"] ?? item
            guard let id = Lenient.idText(chat["chat_id"]), case .object(let raw) = item else { return nil }
            return ChatSummary(
                chatID: id, status: chat["chat_status"]?.stringValue ?? "", type: chat["chat_type"]?.stringValue ?? "",
                createdAt: Lenient.timestamp(chat["created_at"]), firstUnreadMessageID: Lenient.idText(item["first_unread_message_id"]),
                lastMessageID: Lenient.idText(item["last_message_id"]), unreadCount: Lenient.int64(item["unread_count"]) ?? 0, raw: raw)
        }
        return ChatListPage(chats: chats, totalUnreadCount: Lenient.int64(answer["total_unread_count"]) ?? 0,
                            cursor: Lenient.string(answer["cursor"]) ?? "", hasNext: Lenient.bool(answer["has_next"]) ?? false)
    }
}

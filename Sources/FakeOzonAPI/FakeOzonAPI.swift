import Foundation
import Hummingbird
import JSON
import Logging
import NIOCore
import ServiceLifecycle

/// A fake Ozon Seller API for tests, on loopback: it serves the requests ozon-rules sends with
/// the documented answers (ozon-api.md §2–§5, ozon-api-actions.md §1–§5), keeps postings, rFBS
/// return requests, buyer cancellation requests, chats and label jobs in memory, records every
/// call and every side effect it applied, and can be told to fail: HTTP 429 with `Retry-After`,
/// `Circle is open`, a permission refusal, any error, a ship that a later `/v3/posting/fbs/get`
/// shows as `ship_failed`, or a connection dropped after the request took effect.
public final class FakeOzonAPI: @unchecked Sendable {
    /// One request received.
    public struct Call: Sendable {
        public var path: String
        public var body: JSONValue
        public var at: Date
        public var clientID: String?
        public var apiKeyMatched: Bool
    }

    /// A state change the fake applied (ship, cancel, tracking number, status move, return
    /// action, cancellation answer, chat message, label job), one per subject.
    public struct SideEffect: Sendable {
        public var path: String
        /// The subject: a posting number, a return id, a cancellation id, a chat id, a task id.
        public var subject: String
        /// The request body (for tracking numbers and status moves: the one item applied).
        public var body: JSONValue
        public var at: Date

        public var json: JSONValue {
            ["path": .string(path), "subject": .string(subject), "body": body, "at": .string(FakeOzonAPI.iso8601(at))]
        }
    }

    /// A canned answer for the next call(s) to a path.
    public enum Failure: Sendable {
        case tooManyRequests(retryAfter: String?)
        case circuitOpen
        /// HTTP 403 for a missing role or subscription.
        case permissionDenied(message: String)
        case error(status: Int, code: Int, message: String)
    }

    /// The message of the chat methods' refusal without Premium. Ozon documents no token for it
    /// (ozon-api-actions.md §4.1), so this is a plausible wording, not Ozon's.
    public static let premiumRefusal = "This method is not available with existing subscription: Premium Plus or Premium Pro is required"

    public let clientID: String
    public let apiKey: String
    /// More accounts it answers (client id → API key), as one Ozon answers several sellers;
    /// they all see the same postings.
    public var otherAccounts: [String: String] = [:]

    let lock = NSLock()
    var postings: [String: JSONObject] = [:]
    var order: [String] = []
    var returns: [JSONValue] = []
    var calls: [Call] = []
    var effects: [SideEffect] = []
    var failures: [String: [Failure]] = [:]
    var drops: [String: Int] = [:]
    var stalls: [String: (times: Int, seconds: Double)] = [:]
    var shipFailures: Set<String> = []
    var returnRequests: [Int64: JSONObject] = [:]
    var appliedReturnActionIDs: [Int64: [Int64]] = [:]
    var cancellations: [Int64: JSONObject] = [:]
    var chats: [String: Chat] = [:]
    var chatOrder: [String] = []
    var chatByPosting: [String: String] = [:]
    var nextMessageID: UInt64 = 3_000_000_000_817_031_942
    var labelTasks: [Int64: LabelTask] = [:]
    var nextTaskID: Int64 = 7_730_144_218

    /// Status a posting gets after a successful ship (ozon-api.md §3.7).
    public var statusAfterShip = "awaiting_deliver"
    /// `/v2/returns/rfbs/list` answers `returns` as one object (the schema's shape: the page's
    /// first item only) instead of an array (the example's shape).
    public var rfbsListReturnsAsObject = false
    /// Chat calls answer HTTP 403 with `premiumRefusal`, as for a seller without Premium.
    public var chatsNeedPremium = false
    /// `/v1/chat/start` refuses postings whose `available_actions` lack `can_create_chat`
    /// (when the posting lists `available_actions` at all).
    public var chatStartNeedsAvailableAction = true
    /// Buyer messages carry `user.type` `Сustomer` with a Cyrillic `С`, as Ozon's example does.
    public var spellCustomerWithCyrillicC = false
    /// How many `package-label/get` polls of a job answer "not ready" before it completes.
    public var labelPollsBeforeReady = 1
    /// The jobs one create call starts.
    public var labelTaskTypes = ["big_label"]
    /// When set, a posting number the fake does not know is answered with this posting under
    /// that number (and kept): for load tests that make up posting numbers.
    var postingTemplate: JSONObject?

    private var server: LoopbackServer?
    public private(set) var port: Int = 0

    public init(clientID: String = "100500", apiKey: String = "test-api-key") {
        self.clientID = clientID
        self.apiKey = apiKey
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    // MARK: state

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Changes a setting under the fake's lock (the server reads them while answering).
    public func configure(_ change: (FakeOzonAPI) -> Void) { locked { change(self) } }

    /// Adds or replaces a posting (a v3 `get` / v4 list posting object).
    public func put(posting: JSONValue) {
        guard case .object(let object) = posting, let number = object["posting_number"]?.stringValue else { return }
        locked {
            if postings[number] == nil { order.append(number) }
            postings[number] = object
        }
    }

    /// The posting as the fake holds it now.
    public func posting(_ number: String) -> JSONValue? {
        locked { postings[number].map(JSONValue.object) }
    }

    /// Changes a posting's status (and substatus) as Ozon would.
    public func setStatus(_ number: String, status: String, substatus: String? = nil) {
        locked {
            guard var object = postings[number] else { return }
            _ = object.updateValue(.string(status), forKey: "status")
            _ = object.updateValue(substatus.map(JSONValue.string) ?? .string(""), forKey: "substatus")
            postings[number] = object
        }
    }

    /// Answers unknown posting numbers with `template` from now on (see `postingTemplate`).
    public func answerAnyPosting(with template: JSONValue) {
        guard case .object(let object) = template else { return }
        locked { postingTemplate = object }
    }

    public func put(returns items: [JSONValue]) { locked { returns += items } }

    /// The next `failures` calls to `path` get these answers, in order.
    public func fail(_ path: String, with failures: [Failure]) {
        locked { self.failures[path, default: []] += failures }
    }

    /// The next `times` calls to `path` take effect, then their connection is closed without an
    /// answer: the client sees a failed connection and cannot know the outcome.
    public func dropConnectionAfterApplying(_ path: String, times: Int = 1) {
        locked { drops[path, default: 0] += times }
    }

    /// The next `times` calls to `path` take effect, then the answer waits `seconds` before it
    /// is sent: a client with a shorter timeout sees a timeout.
    public func stallAfterApplying(_ path: String, times: Int = 1, seconds: Double) {
        locked { stalls[path] = (times, seconds) }
    }

    /// A ship of this posting is answered 200, but the posting then shows substatus
    /// `ship_failed` (still `awaiting_packaging`) instead of moving on; once only.
    public func failShip(of postingNumber: String) {
        locked { _ = shipFailures.insert(postingNumber) }
    }

    /// Every call received so far (optionally to one path).
    public func received(_ path: String? = nil) -> [Call] {
        locked { path.map { p in calls.filter { $0.path == p } } ?? calls }
    }

    /// Every side effect applied so far, in order.
    public var appliedActions: [SideEffect] { locked { effects } }

    /// The side effects applied by calls to `path` (optionally for one subject).
    public func sideEffects(path: String, subject: String? = nil) -> [SideEffect] {
        locked { effects.filter { $0.path == path && (subject == nil || $0.subject == subject) } }
    }

    /// How many side effects each (path, subject) got: a crash test expects 1 everywhere.
    public func sideEffectCounts() -> [String: [String: Int]] {
        locked {
            var counts: [String: [String: Int]] = [:]
            for effect in effects { counts[effect.path, default: [:]][effect.subject, default: 0] += 1 }
            return counts
        }
    }

    func recordEffect(_ path: String, _ subject: String, _ body: JSONValue) {
        effects.append(SideEffect(path: path, subject: subject, body: body, at: Date()))
    }

    // MARK: server

    /// The request context: the channel is kept so a fault can close the connection.
    struct Context: RequestContext {
        var coreContext: CoreRequestContextStorage
        let channel: any Channel

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            channel = source.channel
        }
    }

    struct DroppedConnection: Error {}

    /// What `handle` tells the route to do after answering.
    enum Fault {
        case none
        case drop
        case stall(Double)
    }

    typealias Reply = (status: Int, headers: [(String, String)], body: JSONValue)

    /// Starts listening on 127.0.0.1, on `port` (0: a free one).
    public func start(port requested: Int = 0) async throws {
        let router = Router(context: Context.self)
        for path in FakeOzonAPI.paths {
            router.post(RouterPath(path)) { [self] request, context -> Response in
                let body = try await request.body.collect(upTo: 8 << 20)
                let (reply, fault) = self.handle(
                    path: path, body: Array(body.readableBytesView),
                    clientID: request.headers[.init("Client-Id")!], apiKey: request.headers[.init("Api-Key")!])
                switch fault {
                case .none: break
                case .drop:
                    // Applied; now close the connection before a byte of the answer is written.
                    try? await context.channel.close()
                    throw DroppedConnection()
                case .stall(let seconds):
                    try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                }
                var responseHeaders = HTTPFields()
                responseHeaders[.contentType] = "application/json"
                for (name, value) in reply.headers { responseHeaders[.init(name)!] = value }
                return Response(
                    status: .init(code: reply.status), headers: responseHeaders,
                    body: .init(byteBuffer: ByteBuffer(string: JSONWriter.write(reply.body))))
            }
        }
        router.get("/fake/labels/:file") { [self] _, context -> Response in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".pdf"), let id = Int64(file.dropLast(4)), let pdf = self.labelPDF(taskID: id) else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no such label")))
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/pdf"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: pdf)))
        }
        router.get("/fake/state") { [self] _, _ -> Response in
            FakeOzonAPI.jsonResponse(self.stateJSON())
        }
        router.get("/fake/calls") { [self] _, _ -> Response in
            FakeOzonAPI.jsonResponse(self.callsJSON())
        }
        let server = await LoopbackServer.start(router, label: "fake-ozon", port: requested)
        locked { self.server = server }
        port = server.port
    }

    public func stop() async {
        await locked { server }?.stop()
    }

    static func jsonResponse(_ value: JSONValue) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONWriter.write(value))))
    }

    static let paths = [
        "/v3/posting/fbs/get", "/v4/posting/fbs/ship", "/v2/fbs/posting/tracking-number/set",
        "/v2/fbs/posting/delivering", "/v2/fbs/posting/last-mile", "/v2/fbs/posting/delivered",
        "/v2/posting/fbs/cancel", "/v4/posting/fbs/unfulfilled/list", "/v4/posting/fbs/list",
        "/v1/returns/list", "/v2/returns/rfbs/list", "/v2/returns/rfbs/get", "/v1/returns/rfbs/action/set",
        "/v2/conditional-cancellation/list", "/v2/conditional-cancellation/approve", "/v2/conditional-cancellation/reject",
        "/v1/chat/start", "/v1/chat/send/message", "/v3/chat/history", "/v3/chat/list",
        "/v3/posting/fbs/package-label/create", "/v2/posting/fbs/package-label/get",
        "/v2/posting/fbs/package-label/create", "/v1/posting/fbs/package-label/get",
    ]

    static func error(_ status: Int, _ code: Int, _ message: String) -> Reply {
        (status, [], ["code": .number(JSONNumber(integer: Int64(code))), "message": .string(message), "details": []])
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Answers one call, and says whether to break the connection afterwards.
    func handle(path: String, body bytes: [UInt8], clientID: String?, apiKey: String?) -> (Reply, Fault) {
        let body = (try? JSONParser.parse(bytes)) ?? .null
        return locked {
            let keyOK = (clientID == self.clientID && apiKey == self.apiKey)
                || (apiKey != nil && clientID.flatMap { otherAccounts[$0] } == apiKey)
            calls.append(Call(path: path, body: body, at: Date(), clientID: clientID, apiKeyMatched: keyOK))
            guard keyOK else { return (FakeOzonAPI.error(403, 7, "Invalid Api-Key, please check the key and try again"), .none) }
            if var queue = failures[path], !queue.isEmpty {
                let failure = queue.removeFirst()
                failures[path] = queue
                switch failure {
                case .tooManyRequests(let retryAfter):
                    var answer = FakeOzonAPI.error(429, 8, "You have reached request rate limit per second")
                    if let retryAfter { answer.headers = [("Retry-After", retryAfter)] }
                    return (answer, .none)
                case .circuitOpen:
                    return (FakeOzonAPI.error(429, 8, "Circle is open"), .none)
                case .permissionDenied(let message):
                    return (FakeOzonAPI.error(403, 7, message), .none)
                case .error(let status, let code, let message):
                    return (FakeOzonAPI.error(status, code, message), .none)
                }
            }
            guard case .object = body else { return (FakeOzonAPI.error(400, 3, "invalid JSON body"), .none) }
            let reply = route(path, body)
            var fault = Fault.none
            if let left = drops[path], left > 0 {
                drops[path] = left - 1
                fault = .drop
            } else if let stall = stalls[path], stall.times > 0 {
                stalls[path] = (stall.times - 1, stall.seconds)
                fault = .stall(stall.seconds)
            }
            return (reply, fault)
        }
    }

    private func route(_ path: String, _ body: JSONValue) -> Reply {
        switch path {
        case "/v3/posting/fbs/get":
            guard let number = body["posting_number"]?.stringValue else { return FakeOzonAPI.error(404, 5, "POSTING_NOT_FOUND") }
            if postings[number] == nil, var made = postingTemplate {
                _ = made.updateValue(.string(number), forKey: "posting_number")
                postings[number] = made
                order.append(number)
            }
            guard let posting = postings[number] else { return FakeOzonAPI.error(404, 5, "POSTING_NOT_FOUND") }
            return (200, [], ["result": .object(posting)])
        case "/v4/posting/fbs/ship":
            return ship(body)
        case "/v2/fbs/posting/tracking-number/set":
            let items = body["tracking_numbers"]?.arrayValue ?? []
            if items.count > 20 { return FakeOzonAPI.error(400, 3, "too many tracking numbers") }
            let results: [JSONValue] = items.map { item in
                let number = item["posting_number"]?.stringValue ?? ""
                guard var posting = postings[number] else {
                    return ["posting_number": .string(number), "result": false, "error": "POSTING_NOT_FOUND"]
                }
                _ = posting.updateValue(item["tracking_number"] ?? "", forKey: "tracking_number")
                postings[number] = posting
                recordEffect(path, number, item)
                return ["posting_number": .string(number), "result": true, "error": ""]
            }
            return (200, [], ["result": .array(results)])
        case "/v2/fbs/posting/delivering", "/v2/fbs/posting/last-mile", "/v2/fbs/posting/delivered":
            let status = path.hasSuffix("delivering") ? "delivering" : path.hasSuffix("last-mile") ? "delivering" : "delivered"
            let numbers = body["posting_number"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let results: [JSONValue] = numbers.map { number in
                guard var posting = postings[number] else {
                    return ["posting_number": .string(number), "result": false, "error": "POSTING_NOT_FOUND"]
                }
                _ = posting.updateValue(.string(status), forKey: "status")
                if path.hasSuffix("last-mile") { _ = posting.updateValue("last_mile", forKey: "substatus") }
                postings[number] = posting
                recordEffect(path, number, ["posting_number": .array([.string(number)])])
                return ["posting_number": .string(number), "result": true, "error": []]
            }
            return (200, [], ["result": .array(results)])
        case "/v2/posting/fbs/cancel":
            guard let number = body["posting_number"]?.stringValue, var posting = postings[number] else {
                return FakeOzonAPI.error(404, 5, "POSTING_NOT_FOUND")
            }
            guard body["cancel_reason_id"]?.int64Value != nil else { return FakeOzonAPI.error(400, 3, "HAS_INCORRECT_CANCEL_REASON") }
            if posting["status"]?.stringValue == "cancelled" { return FakeOzonAPI.error(400, 3, "POSTING_ALREADY_CANCELLED") }
            _ = posting.updateValue("cancelled", forKey: "status")
            postings[number] = posting
            recordEffect(path, number, body)
            return (200, [], ["result": true])
        case "/v4/posting/fbs/unfulfilled/list", "/v4/posting/fbs/list":
            return list(path, body)
        case "/v1/returns/list":
            return (200, [], ["returns": .array(returns), "has_next": false])
        case "/v2/returns/rfbs/list":
            return rfbsList(body)
        case "/v2/returns/rfbs/get":
            return rfbsGet(body)
        case "/v1/returns/rfbs/action/set":
            return rfbsActionSet(body)
        case "/v2/conditional-cancellation/list":
            return cancellationList(body)
        case "/v2/conditional-cancellation/approve", "/v2/conditional-cancellation/reject":
            return cancellationMove(path, body)
        case "/v1/chat/start", "/v1/chat/send/message", "/v3/chat/history", "/v3/chat/list":
            return chat(path, body)
        case "/v3/posting/fbs/package-label/create", "/v2/posting/fbs/package-label/create":
            return labelCreate(path, body)
        case "/v2/posting/fbs/package-label/get", "/v1/posting/fbs/package-label/get":
            return labelGet(path, body)
        default:
            return FakeOzonAPI.error(404, 5, "not found")
        }
    }

    private func ship(_ body: JSONValue) -> Reply {
        guard let number = body["posting_number"]?.stringValue, var posting = postings[number] else {
            return FakeOzonAPI.error(404, 5, "POSTING_NOT_FOUND")
        }
        guard posting["status"]?.stringValue == "awaiting_packaging" else {
            return FakeOzonAPI.error(400, 3, posting["status"]?.stringValue == "cancelled" ? "POSTING_ALREADY_CANCELLED" : "POSTING_ALREADY_SHIPPED")
        }
        guard let packages = body["packages"]?.arrayValue, !packages.isEmpty else {
            return FakeOzonAPI.error(400, 3, "packages are required")
        }
        // Every unit of the posting in exactly one package.
        var ordered: [Int64: Int64] = [:]
        for product in posting["products"]?.arrayValue ?? [] {
            if let sku = product["sku"]?.int64Value { ordered[sku, default: 0] += product["quantity"]?.int64Value ?? 0 }
        }
        var packed: [Int64: Int64] = [:]
        for package in packages {
            for product in package["products"]?.arrayValue ?? [] {
                guard let sku = product["product_id"]?.int64Value, let quantity = product["quantity"]?.int64Value else {
                    return FakeOzonAPI.error(400, 3, "UNKNOWN_PRODUCT_DEFINED")
                }
                packed[sku, default: 0] += quantity
            }
        }
        if packed.keys.contains(where: { ordered[$0] == nil }) { return FakeOzonAPI.error(400, 3, "UNKNOW_PRODUCT") }
        if packed != ordered { return FakeOzonAPI.error(400, 3, "HAS_INCORRECT_PRODUCT_QUANTITY") }
        if shipFailures.remove(number) != nil {
            _ = posting.updateValue("ship_failed", forKey: "substatus")
        } else {
            _ = posting.updateValue(.string(statusAfterShip), forKey: "status")
            _ = posting.updateValue("posting_awaiting_passport_data", forKey: "substatus")
            recordEffect("/v4/posting/fbs/ship", number, body)
        }
        postings[number] = posting
        let numbers: [JSONValue] = packages.indices.map { $0 == 0 ? .string(number) : .string("\(number)-\($0 + 1)") }
        return (200, [], ["result": .array(numbers)])
    }

    private func list(_ path: String, _ body: JSONValue) -> Reply {
        let limit = Int(body["limit"]?.int64Value ?? 1000)
        let start = Int(body["cursor"]?.stringValue ?? "") ?? 0
        let statuses = Set(body["filter"]?["statuses"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let unfulfilled: Set<String> = ["awaiting_registration", "acceptance_in_progress", "awaiting_approve",
                                        "awaiting_packaging", "awaiting_deliver", "awaiting_verification"]
        let matching = order.compactMap { postings[$0] }.filter { posting in
            let status = posting["status"]?.stringValue ?? ""
            if !statuses.isEmpty { return statuses.contains(status) }
            return path.contains("unfulfilled") ? unfulfilled.contains(status) : true
        }
        let end = min(matching.count, start + max(1, limit))
        let page = start < end ? Array(matching[start..<end]) : []
        let hasNext = end < matching.count
        var answer: JSONObject = ["postings": .array(page.map(JSONValue.object)), "has_next": .bool(hasNext),
                                  "cursor": .string(hasNext ? String(end) : "")]
        if path.contains("unfulfilled") { _ = answer.updateValue(.number(JSONNumber(integer: Int64(matching.count))), forKey: "count") }
        return (200, [], .object(answer))
    }

    // MARK: admin

    /// Everything the fake holds, as JSON (`GET /fake/state`).
    public func stateJSON() -> JSONValue {
        locked {
            let chatList: [JSONValue] = chatOrder.compactMap { chats[$0]?.json }
            let tasks: [JSONValue] = labelTasks.keys.sorted().compactMap { labelTasks[$0]?.json }
            return [
                "postings": .array(order.compactMap { postings[$0] }.map(JSONValue.object)),
                "return_requests": .array(returnRequests.keys.sorted().compactMap { returnRequests[$0] }.map(JSONValue.object)),
                "cancellation_requests": .array(cancellations.keys.sorted().compactMap { cancellations[$0] }.map(JSONValue.object)),
                "chats": .array(chatList),
                "label_tasks": .array(tasks),
            ]
        }
    }

    /// The side effects applied, each once, with counts per path (`GET /fake/calls`).
    public func callsJSON() -> JSONValue {
        locked {
            var byPath = JSONObject()
            for effect in effects {
                let count = byPath[effect.path]?.int64Value ?? 0
                _ = byPath.updateValue(.number(JSONNumber(integer: count + 1)), forKey: effect.path)
            }
            var received = JSONObject()
            for call in calls {
                let count = received[call.path]?.int64Value ?? 0
                _ = received.updateValue(.number(JSONNumber(integer: count + 1)), forKey: call.path)
            }
            return ["side_effects": .array(effects.map(\.json)), "counts": .object(byPath), "received": .object(received)]
        }
    }
}

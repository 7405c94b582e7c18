import Foundation
import Hummingbird
import Logging
import NIOCore
import JSON
import ServiceLifecycle

/// A fake Ozon Seller API for tests, on loopback: it serves the requests ozon-rules sends with
/// the documented answers (ozon-api.md §2–§5), keeps postings in memory, records every call,
/// and can be told to fail: HTTP 429 with `Retry-After`, `Circle is open`, or a ship that a
/// later `/v3/posting/fbs/get` shows as `ship_failed`.
public final class FakeOzonAPI: @unchecked Sendable {
    /// One request received.
    public struct Call: Sendable {
        public var path: String
        public var body: JSONValue
        public var at: Date
        public var clientID: String?
        public var apiKeyMatched: Bool
    }

    /// A canned answer for the next call(s) to a path.
    public enum Failure: Sendable {
        case tooManyRequests(retryAfter: String?)
        case circuitOpen
        case error(status: Int, code: Int, message: String)
    }

    public let clientID: String
    public let apiKey: String

    private let lock = NSLock()
    private var postings: [String: JSONObject] = [:]
    private var order: [String] = []
    private var returns: [JSONValue] = []
    private var rfbsReturns: [JSONValue] = []
    private var calls: [Call] = []
    private var failures: [String: [Failure]] = [:]
    private var shipFailures: Set<String> = []
    /// Status a posting gets after a successful ship (ozon-api.md §3.7).
    public var statusAfterShip = "awaiting_deliver"
    /// When set, a posting number the fake does not know is answered with this posting under
    /// that number (and kept): for load tests that make up posting numbers.
    private var postingTemplate: JSONObject?

    private var group: ServiceGroup?
    private var task: Task<Void, any Error>?
    public private(set) var port: Int = 0

    public init(clientID: String = "100500", apiKey: String = "test-api-key") {
        self.clientID = clientID
        self.apiKey = apiKey
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    // MARK: state

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

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
    public func put(rfbsReturns items: [JSONValue]) { locked { rfbsReturns += items } }

    /// The next `failures` calls to `path` get these answers, in order.
    public func fail(_ path: String, with failures: [Failure]) {
        locked { self.failures[path, default: []] += failures }
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

    // MARK: server

    /// Starts listening on 127.0.0.1, on `port` (0: a free one).
    public func start(port requested: Int = 0) async throws {
        let router = Router()
        for path in FakeOzonAPI.paths {
            router.post(RouterPath(path)) { [self] request, _ -> Response in
                let body = try await request.body.collect(upTo: 8 << 20)
                let (status, headers, answer) = self.handle(
                    path: path, body: Array(body.readableBytesView),
                    clientID: request.headers[.init("Client-Id")!], apiKey: request.headers[.init("Api-Key")!])
                var responseHeaders = HTTPFields()
                responseHeaders[.contentType] = "application/json"
                for (name, value) in headers { responseHeaders[.init(name)!] = value }
                return Response(
                    status: .init(code: status), headers: responseHeaders,
                    body: .init(byteBuffer: ByteBuffer(string: JSONWriter.write(answer))))
            }
        }
        var logger = Logger(label: "fake-ozon")
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: requested)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        self.group = group
        task = Task { try await group.run() }
        for await port in stream {
            self.port = port
            break
        }
    }

    public func stop() async {
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }

    static let paths = [
        "/v3/posting/fbs/get", "/v4/posting/fbs/ship", "/v2/fbs/posting/tracking-number/set",
        "/v2/fbs/posting/delivering", "/v2/fbs/posting/last-mile", "/v2/fbs/posting/delivered",
        "/v2/posting/fbs/cancel", "/v4/posting/fbs/unfulfilled/list", "/v4/posting/fbs/list",
        "/v1/returns/list", "/v2/returns/rfbs/list", "/v2/returns/rfbs/get", "/v1/returns/rfbs/action/set",
    ]

    static func error(_ status: Int, _ code: Int, _ message: String) -> (Int, [(String, String)], JSONValue) {
        (status, [], ["code": .number(JSONNumber(integer: Int64(code))), "message": .string(message), "details": []])
    }

    /// Answers one call.
    func handle(path: String, body bytes: [UInt8], clientID: String?, apiKey: String?) -> (Int, [(String, String)], JSONValue) {
        let body = (try? JSONParser.parse(bytes)) ?? .null
        return locked {
            let keyOK = clientID == self.clientID && apiKey == self.apiKey
            calls.append(Call(path: path, body: body, at: Date(), clientID: clientID, apiKeyMatched: keyOK))
            guard keyOK else { return FakeOzonAPI.error(403, 7, "Invalid Api-Key, please check the key and try again") }
            if var queue = failures[path], !queue.isEmpty {
                let failure = queue.removeFirst()
                failures[path] = queue
                switch failure {
                case .tooManyRequests(let retryAfter):
                    var answer = FakeOzonAPI.error(429, 8, "You have reached request rate limit per second")
                    if let retryAfter { answer.1 = [("Retry-After", retryAfter)] }
                    return answer
                case .circuitOpen:
                    return FakeOzonAPI.error(429, 8, "Circle is open")
                case .error(let status, let code, let message):
                    return FakeOzonAPI.error(status, code, message)
                }
            }
            guard case .object = body else { return FakeOzonAPI.error(400, 3, "invalid JSON body") }
            return route(path, body)
        }
    }

    private func route(_ path: String, _ body: JSONValue) -> (Int, [(String, String)], JSONValue) {
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
                postings[number] = posting
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
            return (200, [], ["result": true])
        case "/v4/posting/fbs/unfulfilled/list", "/v4/posting/fbs/list":
            return list(path, body)
        case "/v1/returns/list":
            return (200, [], ["returns": .array(returns), "has_next": false])
        case "/v2/returns/rfbs/list":
            return (200, [], ["returns": .array(rfbsReturns)])
        case "/v2/returns/rfbs/get":
            let id = body["return_id"]?.int64Value
            guard let item = rfbsReturns.first(where: { $0["return_id"]?.int64Value == id }) else {
                return FakeOzonAPI.error(404, 5, "RETURN_NOT_FOUND")
            }
            return (200, [], ["returns": item])
        case "/v1/returns/rfbs/action/set":
            guard body["return_id"]?.int64Value != nil, body["id"]?.int64Value != nil else {
                return FakeOzonAPI.error(400, 3, "return_id and id are required")
            }
            return (200, [], [:])
        default:
            return FakeOzonAPI.error(404, 5, "not found")
        }
    }

    private func ship(_ body: JSONValue) -> (Int, [(String, String)], JSONValue) {
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
        }
        postings[number] = posting
        let numbers: [JSONValue] = packages.indices.map { $0 == 0 ? .string(number) : .string("\(number)-\($0 + 1)") }
        return (200, [], ["result": .array(numbers)])
    }

    private func list(_ path: String, _ body: JSONValue) -> (Int, [(String, String)], JSONValue) {
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
}

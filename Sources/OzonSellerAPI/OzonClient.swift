import AsyncHTTPClient
import Foundation
import NIOCore
import PostingModel

/// One request to the Seller API and what came back, for the record (never the credentials).
public struct APIExchange: Sendable {
    public var path: String
    public var request: JSONValue
    /// The HTTP status of the last attempt (nil: no answer).
    public var httpStatus: Int?
    /// The answer's body as received (may be empty), of the last attempt.
    public var response: String?
    public var error: OzonAPIError?
    public var attempts: Int
    public var durationSeconds: Double

    public init(path: String, request: JSONValue, httpStatus: Int?, response: String?, error: OzonAPIError?,
                attempts: Int, durationSeconds: Double) {
        self.path = path
        self.request = request
        self.httpStatus = httpStatus
        self.response = response
        self.error = error
        self.attempts = attempts
        self.durationSeconds = durationSeconds
    }
}

/// How the client retries and waits.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Wait after a 429 without a usable `Retry-After`.
    public var defaultRetryAfter: Double
    /// Longest wait honoured for one `Retry-After`.
    public var maxRetryAfter: Double
    /// First wait after `Circle is open`; doubles on each further one (ozon-api.md §1.3: the
    /// method is blocked "for a few minutes").
    public var circuitOpenDelay: Double
    /// First wait after a failed connection or timeout of a read (never of an action).
    public var transportDelay: Double

    public init(maxAttempts: Int = 5, defaultRetryAfter: Double = 1, maxRetryAfter: Double = 60,
                circuitOpenDelay: Double = 15, transportDelay: Double = 0.5) {
        self.maxAttempts = max(1, maxAttempts)
        self.defaultRetryAfter = defaultRetryAfter
        self.maxRetryAfter = maxRetryAfter
        self.circuitOpenDelay = circuitOpenDelay
        self.transportDelay = transportDelay
    }

    public static let standard = RetryPolicy()
}

/// A client of the Ozon Seller API (ozon-api.md): every method is `POST` with a JSON body and the
/// `Client-Id`/`Api-Key` headers. Requests pass a token-bucket limiter (50 requests/s per
/// Client-Id plus per-method limits); HTTP 429 is retried after `Retry-After`, `Circle is open`
/// after a growing delay; reads (`read`) are retried after a connection failure or timeout,
/// side-effecting calls (`write`: ship, cancel, return actions, messages, ...) are not, since they
/// may have taken effect. Non-2xx answers become `OzonAPIError.api` with Ozon's `code` and
/// `message`; `OzonAPIError.disposition` says what to do about one.
public final class OzonClient: Sendable {
    public static let productionURL = "https://api-seller.ozon.ru"

    public let baseURL: String
    public let timeoutSeconds: Double
    public let retry: RetryPolicy
    public let limiter: RateLimiter
    private let credentials: OzonCredentials
    private let http: HTTPClient
    private let observer: (@Sendable (APIExchange) -> Void)?
    /// The package-label methods to call (ozon-api-actions.md §0: the pair changes in 2026).
    public let labelMethods: LabelMethods
    var credentialsClientID: String { credentials.clientID }
    /// The seller's account (`Client-Id`): what `seller_id` says in its push notifications.
    public var clientID: String { credentials.clientID }
    var credentialsAPIKey: String { credentials.apiKey }
    var httpClient: HTTPClient { http }
    /// The largest answer read.
    public static let maxAnswerBytes = 32 << 20

    /// - Parameters:
    ///   - baseURL: `https://api-seller.ozon.ru` by default; a fake's URL in tests.
    ///   - observer: called once per request with what was sent and answered (for the record).
    public init(
        credentials: OzonCredentials,
        baseURL: String = OzonClient.productionURL,
        timeoutSeconds: Double = 30,
        retry: RetryPolicy = .standard,
        limiter: RateLimiter = RateLimiter(),
        httpClient: HTTPClient = .shared,
        labelMethods: LabelMethods = .current,
        observer: (@Sendable (APIExchange) -> Void)? = nil
    ) {
        self.labelMethods = labelMethods
        self.credentials = credentials
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.timeoutSeconds = timeoutSeconds
        self.retry = retry
        self.limiter = limiter
        self.http = httpClient
        self.observer = observer
    }

    /// Paths that only read: retried after connection failures and timeouts. Used by the
    /// `call` entry points that do not say; the endpoint methods say it themselves.
    static func isRead(_ path: String) -> Bool {
        path.hasSuffix("/list") || path.hasSuffix("/get") || path.hasSuffix("/unfulfilled/list") || path.hasSuffix("/history")
    }

    /// Sends `body` to `path` and returns the parsed answer. Whether a failed connection or a
    /// timeout is retried follows the path (`isRead`); prefer `read(_:_:)` and `write(_:_:)`.
    public func call(_ path: String, _ body: JSONValue) async throws(OzonAPIError) -> JSONValue {
        try await call(path, body, retryUnknownOutcome: OzonClient.isRead(path))
    }

    /// Like `call(_:_:)`, but hands the exchange to `record` instead of the client's observer.
    public func call(
        _ path: String, _ body: JSONValue, record: (APIExchange) -> Void
    ) async throws(OzonAPIError) -> JSONValue {
        try await exchange(path, body, retryUnknownOutcome: OzonClient.isRead(path), record: record)
    }

    /// Sends `body` to `path`. With `retryUnknownOutcome` false (every side-effecting call) a
    /// timeout or a connection that failed is thrown at once as `.timeout` / `.transport`: the
    /// request may have taken effect, and Ozon documents no idempotency key, so only the caller
    /// can tell by reading the state back. HTTP 429 and `Circle is open` are retried either way:
    /// Ozon refused those before applying anything.
    ///
    /// - Parameter record: receives the exchange instead of the client's observer, when given.
    public func call(
        _ path: String, _ body: JSONValue, retryUnknownOutcome: Bool, record: ((APIExchange) -> Void)? = nil
    ) async throws(OzonAPIError) -> JSONValue {
        try await exchange(path, body, retryUnknownOutcome: retryUnknownOutcome) { sent in
            if let record { record(sent) } else { observer?(sent) }
        }
    }

    private func exchange(
        _ path: String, _ body: JSONValue, retryUnknownOutcome: Bool, record: (APIExchange) -> Void
    ) async throws(OzonAPIError) -> JSONValue {
        var exchange: APIExchange?
        let result = await perform(path, body, retryUnknownOutcome: retryUnknownOutcome) { exchange = $0 }
        if let exchange { record(exchange) }
        return try result.get()
    }

    /// A call that only reads: retried after a timeout or a failed connection.
    public func read(_ path: String, _ body: JSONValue, record: ((APIExchange) -> Void)? = nil) async throws(OzonAPIError) -> JSONValue {
        try await call(path, body, retryUnknownOutcome: true, record: record)
    }

    /// A side-effecting call: never re-sent by the client when its outcome is unknown.
    public func write(_ path: String, _ body: JSONValue, record: ((APIExchange) -> Void)? = nil) async throws(OzonAPIError) -> JSONValue {
        try await call(path, body, retryUnknownOutcome: false, record: record)
    }

    private func perform(
        _ path: String, _ body: JSONValue, retryUnknownOutcome: Bool, record: (APIExchange) -> Void
    ) async -> Result<JSONValue, OzonAPIError> {
        do {
            return .success(try await attempt(path, body, retryUnknownOutcome: retryUnknownOutcome, record: record))
        } catch {
            return .failure(error)
        }
    }

    private func attempt(
        _ path: String, _ body: JSONValue, retryUnknownOutcome: Bool, record: (APIExchange) -> Void
    ) async throws(OzonAPIError) -> JSONValue {
        let started = ContinuousClock.now
        var attempts = 0
        var circuitDelay = retry.circuitOpenDelay
        var transportDelay = retry.transportDelay
        var last: (status: Int?, text: String?, error: OzonAPIError?) = (nil, nil, nil)
        let payload = Array(JSONWriter.write(body).utf8)
        func finish(_ error: OzonAPIError?) {
            record(APIExchange(
                path: path, request: body, httpStatus: last.status, response: last.text, error: error,
                attempts: attempts, durationSeconds: (ContinuousClock.now - started).inSeconds))
        }
        while true {
            attempts += 1
            do {
                try await limiter.acquire(path: path)
            } catch {
                let failure = OzonAPIError.transport(path: path, message: "cancelled")
                finish(failure)
                throw failure
            }
            let outcome = await post(path: path, payload: payload)
            var wait: Double?
            switch outcome {
            case .answer(let status, let bytes, let retryAfter):
                last = (status, String(decoding: bytes, as: UTF8.self), nil)
                if (200..<300).contains(status) {
                    do {
                        let value = try JSONParser.parse(bytes)
                        finish(nil)
                        return value
                    } catch {
                        let failure = OzonAPIError.invalidResponse(path: path, message: "invalid JSON: \(error.message)")
                        finish(failure)
                        throw failure
                    }
                }
                let failure = OzonAPIError.fromAnswer(path: path, status: status, body: bytes)
                last.error = failure
                if status == 429 {
                    wait = min(retry.maxRetryAfter, retryAfter ?? retry.defaultRetryAfter)
                } else if failure.isCircuitOpen {
                    wait = circuitDelay
                    circuitDelay *= 2
                } else {
                    finish(failure)
                    throw failure
                }
                if attempts >= retry.maxAttempts {
                    let limited = OzonAPIError.rateLimited(path: path, attempts: attempts, message: failure.ozonMessage ?? "HTTP \(status)")
                    finish(limited)
                    throw limited
                }
            case .failed(let failure):
                last = (nil, nil, failure)
                guard retryUnknownOutcome, attempts < retry.maxAttempts else {
                    finish(failure)
                    throw failure
                }
                wait = transportDelay
                transportDelay *= 2
            }
            if let wait, wait > 0 {
                do {
                    try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
                } catch {
                    let failure = last.error ?? OzonAPIError.transport(path: path, message: "cancelled")
                    finish(failure)
                    throw failure
                }
            }
        }
    }

    enum Outcome {
        case answer(status: Int, body: [UInt8], retryAfter: Double?)
        case failed(OzonAPIError)
    }

    private func post(path: String, payload: [UInt8]) async -> Outcome {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Client-Id", value: credentials.clientID)
        request.headers.add(name: "Api-Key", value: credentials.apiKey)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: payload))
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            let buffer = try await response.body.collect(upTo: OzonClient.maxAnswerBytes)
            let bytes = Array(buffer.readableBytesView)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(OzonClient.parseRetryAfter)
            return .answer(status: Int(response.status.code), body: bytes, retryAfter: retryAfter)
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                return .failed(.timeout(path: path, seconds: timeoutSeconds))
            }
            return .failed(.transport(path: path, message: "\(error)"))
        } catch {
            return .failed(.transport(path: path, message: "\(error)"))
        }
    }

    /// `Retry-After`: seconds (integer or decimal) or an HTTP date.
    public static func parseRetryAfter(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        guard let date = UTCTime.parseHTTPDate(trimmed) else { return nil }
        return Double(max(0, date - Timestamp.now().unixSeconds))
    }
}

import Foundation

/// One console request as the HTTP server hands it over: no HTTP library in this module.
public struct ConsoleRequest: Sendable {
    public var method: String
    /// The path as sent, still percent-encoded (`/postings/0203317755-0001-1`).
    public var path: String
    /// The query as sent, without `?`, still percent-encoded.
    public var query: String?
    /// The `Authorization` header, if any.
    public var authorization: String?

    public init(method: String = "GET", path: String, query: String? = nil, authorization: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
    }

    /// The query's values by name, percent-decoded, in order (`?state=failed&state=sent`).
    public var parameters: [String: [String]] {
        guard let query, !query.isEmpty else { return [:] }
        var components = URLComponents()
        components.percentEncodedQuery = query
        var result: [String: [String]] = [:]
        for item in components.queryItems ?? [] {
            result[item.name, default: []].append(item.value ?? "")
        }
        return result
    }
}

/// What the console answers: the HTTP server writes it as it is.
public struct ConsoleResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var headers: [(name: String, value: String)]
    public var body: String

    public init(status: Int, contentType: String = ConsoleResponse.html, headers: [(name: String, value: String)] = [], body: String) {
        self.status = status
        self.contentType = contentType
        // Pages show the seller's data: never cached, never framed, never sniffed.
        self.headers = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
                        ("Referrer-Policy", "no-referrer")] + headers
        self.body = body
    }

    public static let html = "text/html; charset=utf-8"

    /// 401 with the challenge a browser or curl understands.
    static let unauthorized = ConsoleResponse(
        status: 401, contentType: "text/plain; charset=utf-8",
        headers: [("WWW-Authenticate", "Bearer realm=\"ozon-rules console\"")],
        body: "401 Unauthorized: send Authorization: Bearer <the console token>\n")

    static let methodNotAllowed = ConsoleResponse(
        status: 405, contentType: "text/plain; charset=utf-8", headers: [("Allow", "GET, HEAD")], body: "405 Method Not Allowed\n")
}

/// The console's bearer token, compared in constant time.
public struct ConsoleToken: Sendable {
    private let expected: [UInt8]

    /// Nil for an empty token: an empty token would let an empty header in.
    public init?(_ token: String) {
        guard !token.isEmpty else { return nil }
        expected = Array(token.utf8)
    }

    /// Whether `header` is `Bearer <token>`. Every byte of the token is looked at whatever the
    /// header holds, so the time taken says nothing about how much of it was right.
    public func admits(_ header: String?) -> Bool {
        guard let header else { return false }
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
              zip(bytes.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 }) else { return false }
        let given = Array(bytes.dropFirst(scheme.count))
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}

import PostingModel

/// What can go wrong talking to the Seller API.
public enum OzonAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Ozon answered non-2xx with its error body `{code, message, details}` (ozon-api.md §1.3).
    /// `message` carries the real reason (`POSTING_ALREADY_SHIPPED`, `Circle is open`, ...).
    case api(path: String, httpStatus: Int, code: Int?, message: String, details: JSONValue?)
    /// Still limited after every retry (HTTP 429 or `Circle is open`).
    case rateLimited(path: String, attempts: Int, message: String)
    /// No answer in time.
    case timeout(path: String, seconds: Double)
    /// The connection failed.
    case transport(path: String, message: String)
    /// A 2xx answer that is not the documented JSON.
    case invalidResponse(path: String, message: String)
    /// Missing or unreadable credentials, a bad base URL.
    case configuration(String)

    /// The reason token of an `api` error (`POSTING_ALREADY_SHIPPED`), else nil.
    public var ozonMessage: String? {
        if case .api(_, _, _, let message, _) = self { return message }
        return nil
    }

    public var description: String {
        switch self {
        case .api(let path, let status, let code, let message, let details):
            var text = "Ozon \(path): HTTP \(status)"
            if let code { text += ", code \(code)" }
            text += ": \(message)"
            if let details, case .array(let items) = details, !items.isEmpty { text += " (details: \(JSONWriter.write(details)))" }
            return text
        case .rateLimited(let path, let attempts, let message):
            return "Ozon \(path): still rate limited after \(attempts) attempt(s): \(message)"
        case .timeout(let path, let seconds):
            return "Ozon \(path): no answer within \(seconds) s"
        case .transport(let path, let message):
            return "Ozon \(path): connection failed: \(message)"
        case .invalidResponse(let path, let message):
            return "Ozon \(path): unexpected answer: \(message)"
        case .configuration(let message):
            return message
        }
    }

    /// Builds the error of a non-2xx answer from its body (lenient: any JSON, or none).
    static func fromAnswer(path: String, status: Int, body: [UInt8]) -> OzonAPIError {
        if let value = try? JSONParser.parse(body), case .object(let object) = value {
            let code = object["code"]?.int64Value.map(Int.init)
            let message = object["message"]?.stringValue ?? object["error"]?["message"]?.stringValue ?? "HTTP \(status)"
            return .api(path: path, httpStatus: status, code: code, message: message, details: object["details"])
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return .api(path: path, httpStatus: status, code: nil, message: text.isEmpty ? "HTTP \(status)" : text, details: nil)
    }

    /// `Circle is open`: the method's breaker tripped (§1.3); worth retrying later.
    var isCircuitOpen: Bool {
        if case .api(_, _, _, let message, _) = self { return message.lowercased().contains("circle is open") }
        return false
    }
}

/// What a caller should do about an error (ozon-api-actions.md §12).
public enum OzonErrorDisposition: String, Sendable, Hashable {
    /// Try again later: 429, 5xx, `Circle is open`, a timeout, a failed connection. For a
    /// side-effecting call after a timeout or a failed connection, read the state back first.
    case retryable
    /// Ozon refuses for a subscription, permission or time-window reason: do not retry.
    case notAllowed = "not_allowed"
    /// The call already took effect earlier (`POSTING_ALREADY_SHIPPED`, `POSTING_ALREADY_CANCELLED`).
    case alreadyDone = "already_done"
    /// Any other refusal: the request itself is wrong for Ozon.
    case permanent
}

extension OzonAPIError {
    /// Tokens that say a call already took effect (ozon-api-actions.md §12).
    public static let alreadyDoneTokens: Set<String> = ["POSTING_ALREADY_SHIPPED", "POSTING_ALREADY_CANCELLED"]

    /// Lowercased fragments of refusals for a subscription, a permission or a closed time window.
    /// Ozon documents no token for these (ozon-api-actions.md §4.1, §11.10): the only documented
    /// one is `not available with existing subscription` (`/v2/review/list`); the rest are the
    /// wordings of Ozon's access errors (§1.3) and of the chat gates. HTTP 403 counts as well.
    public static let notAllowedFragments: [String] = [
        "not available with existing subscription", "subscription", "premium", "permissiondenied", "permission denied",
        "missing a required role", "access denied", "forbidden", "chat is closed", "chat window", "time window",
        "is not allowed", "not allowed to", "offer not signed", "restricted to specific ip",
    ]

    /// How to treat this error: 429/5xx/timeout/transport/`Circle is open` are retryable; HTTP
    /// 403 or a message about a subscription, permission or closed window is `notAllowed`;
    /// `POSTING_ALREADY_SHIPPED`/`_CANCELLED` are `alreadyDone`; other 4xx are `permanent`.
    public var disposition: OzonErrorDisposition {
        switch self {
        case .rateLimited, .timeout, .transport:
            return .retryable
        case .invalidResponse, .configuration:
            return .permanent
        case .api(_, let status, _, let message, _):
            let token = message.trimmingCharacters(in: .whitespaces)
            if OzonAPIError.alreadyDoneTokens.contains(token.uppercased()) { return .alreadyDone }
            let lower = token.lowercased()
            if lower.contains("circle is open") || status == 429 || status >= 500 { return .retryable }
            // A bad key answers 403 too, yet it is the shop's configuration, not a gate: permanent.
            if lower.contains("invalid api-key") || lower.contains("api-key is deactivated") { return .permanent }
            if status == 403 || OzonAPIError.notAllowedFragments.contains(where: { lower.contains($0) }) { return .notAllowed }
            return .permanent
        }
    }
}

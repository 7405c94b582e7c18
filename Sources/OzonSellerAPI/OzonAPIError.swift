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

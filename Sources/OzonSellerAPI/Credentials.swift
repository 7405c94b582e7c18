import Foundation
import PostingModel

/// The seller's `Client-Id` and `Api-Key` (ozon-api.md §1.2). Never printed: `description`
/// and `debugDescription` show only the client id and a redacted key.
public struct OzonCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var clientID: String
    public var apiKey: String

    public init(clientID: String, apiKey: String) {
        self.clientID = clientID
        self.apiKey = apiKey
    }

    public var description: String { "OzonCredentials(client_id: \(clientID), api_key: <redacted>)" }
    public var debugDescription: String { description }

    /// The environment variables read by `fromEnvironment()`.
    public static let clientIDVariable = "OZON_CLIENT_ID"
    public static let apiKeyVariable = "OZON_API_KEY"
    /// Names a credentials file when set.
    public static let fileVariable = "OZON_CREDENTIALS_FILE"

    /// `OZON_CLIENT_ID` and `OZON_API_KEY`, or nil when either is missing or empty.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OzonCredentials? {
        guard let id = environment[clientIDVariable]?.trimmingCharacters(in: .whitespacesAndNewlines), !id.isEmpty,
              let key = environment[apiKeyVariable]?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty
        else { return nil }
        return OzonCredentials(clientID: id, apiKey: key)
    }

    /// Reads a credentials file: either JSON `{"client_id": "...", "api_key": "..."}` or lines
    /// `OZON_CLIENT_ID=...` / `OZON_API_KEY=...` (also `client_id=` / `api_key=`; `#` comments).
    /// Errors never quote the file's content.
    public static func fromFile(_ path: String) throws(OzonAPIError) -> OzonCredentials {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .configuration("cannot read the credentials file '\(path)'")
        }
        if let value = try? JSONParser.parse(text), case .object(let object) = value {
            let id = object["client_id"].flatMap { $0.stringValue ?? $0.int64Value.map(String.init) } ?? ""
            let key = object["api_key"]?.stringValue ?? ""
            guard !id.isEmpty, !key.isEmpty else {
                throw .configuration("the credentials file '\(path)' needs \"client_id\" and \"api_key\"")
            }
            return OzonCredentials(clientID: id, apiKey: key)
        }
        var id = "", key = ""
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            switch name {
            case "ozon_client_id", "client_id", "client-id": id = value
            case "ozon_api_key", "api_key", "api-key": key = value
            default: continue
            }
        }
        guard !id.isEmpty, !key.isEmpty else {
            throw .configuration("the credentials file '\(path)' needs OZON_CLIENT_ID and OZON_API_KEY")
        }
        return OzonCredentials(clientID: id, apiKey: key)
    }

    /// The environment first, then the file named by `path` or by `OZON_CREDENTIALS_FILE`.
    public static func resolve(
        file path: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(OzonAPIError) -> OzonCredentials {
        if let path { return try fromFile(path) }
        if let found = fromEnvironment(environment) { return found }
        if let file = environment[fileVariable], !file.isEmpty { return try fromFile(file) }
        throw .configuration("no Ozon credentials: set \(clientIDVariable) and \(apiKeyVariable), or pass --credentials FILE")
    }
}

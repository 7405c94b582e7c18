import Foundation
import PostingStore

/// Where a PostgreSQL store is: the parts of `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (also `postgresql://`, SPEC §8.1). The password is kept for connecting and never shown:
/// `description` and every error name the server as `postgres://USER@HOST:PORT/DATABASE`.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    public init(user: String, password: String?, host: String, port: Int = 5432, database: String) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
    }

    /// Whether `text` is meant as a PostgreSQL URL rather than an SQLite path.
    public static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses a URL of SPEC §8.1's form. User and password may be percent-encoded; an IPv6 host
    /// is written in brackets. Anything else (a query string, a missing user or database) is a
    /// `StoreError` that shows the URL without its password.
    public init(url text: String) throws(StoreError) {
        guard PostgresLocation.isURL(text), let components = URLComponents(string: text) else {
            throw StoreError(.database, "not a PostgreSQL URL: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        let shown = PostgresLocation.redacted(components)
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw StoreError(.database, "\(shown): the URL names no user (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError(.database, "\(shown): the URL names no host (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw StoreError(.database, "\(shown): the URL names no database (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        }
        guard components.query == nil, components.fragment == nil else {
            throw StoreError(.database, "\(shown): options after '?' are not supported (postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
        }
        self.init(
            user: user, password: components.password.flatMap { $0.removingPercentEncoding }, host: host.trimmingCharacters(in: ["[", "]"]),
            port: components.port ?? 5432, database: database)
    }

    /// The server and database, without the password.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// The same location in another database of the same server (tests make one per test).
    public func database(_ name: String) -> PostgresLocation {
        var other = self
        other.database = name
        return other
    }

    private static func redacted(_ components: URLComponents) -> String {
        var shown = components
        if shown.password != nil { shown.password = "***" }
        return shown.string ?? "postgres://…"
    }
}

import Foundation
import Logging
import PostgresNIO
import PostgresStore
import Testing

/// The PostgreSQL server the PostgreSQL tests run against: `OZON_RULES_TEST_POSTGRES_URL`
/// (`scripts/test.sh` starts a throwaway cluster and sets it). Without it those tests are
/// skipped, with `skipReason`.
enum PostgresTestServer {
    static let variable = "OZON_RULES_TEST_POSTGRES_URL"

    static var url: String? {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { return nil }
        return url
    }

    static let skipReason: Comment =
        "OZON_RULES_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (scripts/test.sh starts a throwaway one)"

    static let logger = Logger(label: "ozon-rules.tests.postgres")

    /// A new, empty database on the server, for one test (named `ozon_rules_test_…`; the
    /// throwaway cluster goes with them).
    static func freshDatabase() async throws -> PostgresLocation {
        guard let url else { throw StoreTestError.noServer }
        let server = try PostgresLocation(url: url)
        let name = "ozon_rules_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await withConnection(to: server) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        return server.database(String(name))
    }

    /// Runs `body` on a connection of its own to `location`.
    static func withConnection<T: Sendable>(
        to location: PostgresLocation, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: .disable),
            id: 1, logger: logger)
        do {
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

enum StoreTestError: Error {
    case noServer
}

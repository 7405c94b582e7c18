import Foundation
import Logging
import PostgresNIO
import PostingModel
import PostingStore

/// The shared store: one PostgreSQL database that several processes (`serve`, `sync`, `apply`,
/// `ingest`) may use at once. Connections come from postgres-nio's pool (`PostgresClient`); the
/// schema is migrated on open (`PostgresSchema`).
///
/// Many writers, one posting: a change is written with a compare-and-set on the posting's
/// revision (`UPDATE … WHERE revision = $expected`, or `INSERT … ON CONFLICT DO NOTHING` for a new
/// one), so of two processes that computed the same posting's next step one writes and the other
/// gets `.conflict` with what the first wrote. Work is claimed with `FOR UPDATE SKIP LOCKED` (see
/// `nextInboxItem` and `claimEffect`).
///
/// Call `close()` when done; a store dropped without it closes its connections in the background.
public final class PostgresPostingStore: PostingStore {
    public let location: PostgresLocation
    /// The shop (SPEC §8.2) this handle reads and writes: every query keeps to its rows, every
    /// insert is its. Other handles on the same database may serve other shops.
    public let shop: String
    /// How long a notification handed out by `nextInboxItem` is kept from other processes.
    public let inboxLease: Int64
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>

    /// Connects to the server `url` names (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`) and
    /// migrates its schema. The database must exist; the user needs the right to create tables in
    /// it the first time. Every failure is a `StoreError` naming the server, never the password.
    public static func open(
        url: String, shop: String = "default", maximumConnections: Int = 8, inboxLease: Int64 = 300
    ) async throws(StoreError) -> PostgresPostingStore {
        try await open(PostgresLocation(url: url), shop: shop, maximumConnections: maximumConnections, inboxLease: inboxLease)
    }

    public static func open(
        _ location: PostgresLocation, shop: String = "default", maximumConnections: Int = 8, inboxLease: Int64 = 300
    ) async throws(StoreError) -> PostgresPostingStore {
        var logger = Logger(label: "ozon-rules.postgres")
        // The pool logs every failed connection attempt; the store reports failures itself.
        logger.logLevel = .critical
        // One connection of its own first: a wrong password or a missing database fails here,
        // at once and with the server's reason, instead of in the pool's retries.
        do {
            let connection = try await PostgresConnection.connect(
                configuration: connectionConfiguration(location), id: 0, logger: logger)
            do {
                try await PostgresSchema.migrate(connection, logger: logger, location: location)
                try? await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "cannot open \(location): \(describe(error))")
        }
        return PostgresPostingStore(location: location, shop: shop, maximumConnections: maximumConnections, inboxLease: inboxLease,
                                    logger: logger)
    }

    private init(location: PostgresLocation, shop: String, maximumConnections: Int, inboxLease: Int64, logger: Logger) {
        self.location = location
        self.shop = shop
        self.inboxLease = inboxLease
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
        configuration.options.maximumConnections = max(maximumConnections, 1)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runTask = Task { await client.run() }
    }

    deinit { runTask.cancel() }

    /// Closes the pool's connections and waits until they are closed.
    public func close() async {
        runTask.cancel()
        await runTask.value
    }

    /// Creates the database `name` on `server` (connecting to `server.database`), for set-up
    /// scripts and tests; the user needs the right to create databases. `name` is quoted.
    public static func createDatabase(_ name: String, on server: PostgresLocation) async throws(StoreError) {
        let logger = Logger(label: "ozon-rules.postgres")
        do {
            let connection = try await PostgresConnection.connect(configuration: connectionConfiguration(server), id: 0, logger: logger)
            let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            do {
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted)"), logger: logger)
                try? await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw StoreError(.database, "cannot create database '\(name)' on \(server): \(describe(error))")
        }
    }

    private static func connectionConfiguration(_ location: PostgresLocation) -> PostgresConnection.Configuration {
        PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: .disable)
    }

    // MARK: Postings

    public func posting(_ postingNumber: String) async throws -> StoredPosting? {
        try await postings([postingNumber])[postingNumber]
    }

    public func postings(_ postingNumbers: [String]) async throws -> [String: StoredPosting] {
        guard !postingNumbers.isEmpty else { return [:] }
        return try await withConnection { connection in
            try await PostgresRows.postings(connection, shop: self.shop, Array(Set(postingNumbers)), logger: self.logger)
        }
    }

    public func latestDecision(hook: String, postingNumber: String) async throws -> String? {
        try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT h.decision_text FROM transitions t JOIN hook_runs h ON h.transition_id = t.id
                WHERE t.shop = \(self.shop) AND t.posting_number = \(postingNumber) AND h.hook = \(hook) AND h.decision_text IS NOT NULL
                ORDER BY t.id DESC, h.seq DESC LIMIT 1
                """, logger: self.logger).collect()
            return try rows.first.map { try PostgresRows.cell($0, 0, String.self, "hook_runs.decision_text") }
        }
    }

    public func recordedReturns(_ returnIDs: [Int64]) async throws -> Set<Int64> {
        guard !returnIDs.isEmpty else { return [] }
        return try await withConnection { connection in
            try await PostgresRows.ids(connection, "SELECT return_id FROM returns WHERE shop = \(self.shop) AND return_id = ANY(\(returnIDs))", logger: self.logger)
        }
    }

    // MARK: Writing

    public func commit(_ changes: [StoreChange]) async throws -> [CommitResult] {
        guard !changes.isEmpty else { return [] }
        // A deadlock or serialization failure aborts the whole transaction, so nothing of it was
        // written and running it again is safe.
        var attempt = 0
        while true {
            do {
                return try await client.withConnection { connection in
                    try await self.inTransaction(connection) {
                        let writer = PostgresCommitWriter(connection: connection, logger: self.logger, shop: self.shop, recordedAt: Timestamp.now())
                        var results: [CommitResult] = []
                        for change in changes { results.append(try await writer.write(change)) }
                        return results
                    }
                }
            } catch let error as PSQLError where PostgresPostingStore.isTransient(error) && attempt < 4 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(20 * attempt))
            } catch {
                throw storeError(error)
            }
        }
    }

    public func recordRulesVersion(_ version: RulesVersion, at: Timestamp) async throws {
        try await withConnection { connection in
            try await connection.query("""
                INSERT INTO rules_versions (shop, digest, files, first_used_at)
                VALUES (\(self.shop), \(version.digest), \(version.filesJSON)::jsonb, \(at.unixSeconds))
                ON CONFLICT (shop, digest) DO NOTHING
                """, logger: self.logger)
        }
    }

    public func rulesVersions() async throws -> [(digest: String, firstUsedAt: Timestamp)] {
        let rows: [RulesVersionRow] = try await withConnection { connection in
            try await connection.query("SELECT digest, first_used_at FROM rules_versions WHERE shop = \(self.shop) ORDER BY id", logger: self.logger).collect().map { row in
                RulesVersionRow(
                    digest: try PostgresRows.cell(row, 0, String.self, "rules_versions.digest"),
                    firstUsedAt: Timestamp(unixSeconds: try PostgresRows.cell(row, 1, Int64.self, "rules_versions.first_used_at")))
            }
        }
        return rows.map { ($0.digest, $0.firstUsedAt) }
    }

    private struct RulesVersionRow: Sendable {
        var digest: String
        var firstUsedAt: Timestamp
    }

    // MARK: History

    public func forEachRecorded(
        postingNumber: String?, since: Timestamp?, limit: Int?, _ body: (RecordedEvaluation) throws -> Void
    ) async throws {
        // One read-only snapshot for the whole stream; rows come through server-side cursors.
        do {
            try await client.withConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
                do {
                    try await PostgresHistory(
                        connection: connection, logger: self.logger, shop: self.shop, postingNumber: postingNumber, since: since?.unixSeconds ?? Int64.min,
                        limit: limit
                    ).forEach(body)
                    try await connection.query("COMMIT", logger: self.logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: self.logger)
                    throw error
                }
            }
        } catch {
            throw storeError(error)
        }
    }

    public func countRecorded(since: Timestamp?) async throws -> Int {
        let bound = since?.unixSeconds ?? Int64.min
        return try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT (SELECT count(*) FROM transitions WHERE shop = \(self.shop) AND at >= \(bound))
                     + (SELECT count(*) FROM returns WHERE shop = \(self.shop) AND at >= \(bound))
                """, logger: self.logger).collect()
            return Int(try rows.first.map { try PostgresRows.cell($0, 0, Int64.self, "count") } ?? 0)
        }
    }

    /// The shops that have rows in the database (rules versions, postings, the inbox or
    /// effects), sorted; empty for a new store.
    public func storedShops() async throws -> [String] {
        try await withConnection { connection in
            var shops: [String] = []
            for try await shop in try await connection.query("""
                SELECT shop FROM rules_versions UNION SELECT shop FROM postings UNION SELECT shop FROM inbox
                UNION SELECT shop FROM effects ORDER BY 1
                """, logger: self.logger).decode(String.self) {
                shops.append(shop)
            }
            return shops
        }
    }

    // MARK: Checks and tests

    /// The integer a query returns (0 for none): for checks and tests that look at rows directly.
    public func integer(_ sql: String) async throws -> Int64 {
        try await withConnection { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger).collect()
            return try rows.first.map { try PostgresRows.cell($0, 0, Int64?.self, "result") ?? 0 } ?? 0
        }
    }

    /// The text a query returns, if any: for checks and tests.
    public func text(_ sql: String) async throws -> String? {
        try await withConnection { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger).collect()
            return try rows.first.flatMap { try PostgresRows.cell($0, 0, String?.self, "result") }
        }
    }

    // MARK: Plumbing

    /// Runs `body` on a pooled connection; PostgreSQL's errors become `StoreError`s.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw storeError(error)
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED: every statement sees what others committed
    /// before it, and the compare-and-set writes wait for a concurrent writer of the same row).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await self.inTransaction(connection) { try await body(connection) }
        }
    }

    private func inTransaction<T: Sendable>(_ connection: PostgresConnection, _ body: () async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let value = try await body()
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// A failure as the store reports it, naming the server.
    func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        return StoreError(.database, "\(location): \(PostgresPostingStore.describe(error))")
    }

    /// deadlock_detected, serialization_failure.
    static func isTransient(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// What went wrong, in the server's words where it gave some; never the connection's password.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                var text = message
                if let detail = info[.detail] { text += " (\(detail))" }
                if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
                return text
            }
            switch error.code {
            case .connectionError:
                return "cannot connect" + (error.underlying.map { ": \($0)" } ?? "")
            case .serverClosedConnection, .uncleanShutdown:
                return "the server closed the connection"
            case .authMechanismRequiresPassword:
                return "the server asks for a password and the URL has none"
            case .sslUnsupported:
                return "the server does not support TLS"
            default:
                return "\(error.code)"
            }
        }
        if let error = error as? PostgresDecodingError {
            return "column '\(error.columnName)' does not decode as \(error.targetType)"
        }
        return "\(error)"
    }
}

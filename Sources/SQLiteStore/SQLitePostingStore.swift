import Foundation
import GRDB
import PostingModel
import PostingStore

/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), opened
/// through a GRDB `DatabasePool`, its schema migrated on open.
///
/// Durability: `synchronous = NORMAL`. A committed write survives the program being killed at
/// any moment; a power cut may lose the last commits, never leave half of one.
///
/// Rules never run inside a write: callers commit decisions computed beforehand, so the writer is
/// held for the few milliseconds the rows take, and the push endpoint's inbox insert never waits
/// on a rule.
public final class SQLitePostingStore: PostingStore {
    /// `./ozon-rules.sqlite`.
    public static let defaultPath = "ozon-rules.sqlite"

    public let path: String
    /// The shop (SPEC §8.2) this handle reads and writes: every query keeps to its rows, every
    /// insert is its. Other handles on the same file may serve other shops.
    public let shop: String
    let pool: DatabasePool

    /// Opens the store at `path` for `shop`. With `create: false` a missing file is a
    /// `StoreError` with code `notFound` instead of a new empty store.
    public init(path: String, create: Bool = true, shop: String = "default") throws(StoreError) {
        self.path = path
        self.shop = shop
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw StoreError(.notFound, "no store at '\(path)' (run `ozon-rules ingest` first, or pass --db PATH)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.read { db in
                if try Schema.migrator.hasBeenSuperseded(db) {
                    throw StoreError(.database, "'\(path)' was written by a newer ozon-rules (unknown schema migrations)")
                }
            }
            try Schema.migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "cannot open '\(path)': \(SQLitePostingStore.describe(error))")
        }
    }

    // MARK: Postings

    public func posting(_ postingNumber: String) async throws -> StoredPosting? {
        let shop = shop
        return try await reading { db in try RowDecoding.posting(db, shop, postingNumber) }
    }

    public func postings(_ postingNumbers: [String]) async throws -> [String: StoredPosting] {
        guard !postingNumbers.isEmpty else { return [:] }
        let shop = shop
        return try await reading { db in
            var rows: [String: StoredPosting] = [:]
            for number in postingNumbers where rows[number] == nil {
                if let row = try RowDecoding.posting(db, shop, number) { rows[number] = row }
            }
            return rows
        }
    }

    public func latestDecision(hook: String, postingNumber: String) async throws -> String? {
        let shop = shop
        return try await reading { db in
            try String.fetchOne(db, sql: """
                SELECT h.decision FROM transitions t JOIN hook_runs h ON h.transition_id = t.id
                WHERE t.shop = ? AND t.posting_number = ? AND h.hook = ? AND h.decision IS NOT NULL
                ORDER BY t.id DESC, h.seq DESC LIMIT 1
                """, arguments: [shop, postingNumber, hook])
        }
    }

    public func recordedReturns(_ returnIDs: [Int64]) async throws -> Set<Int64> {
        guard !returnIDs.isEmpty else { return [] }
        let shop = shop
        return try await reading { db in
            let statement = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM returns WHERE shop = ? AND return_id = ?)")
            var known: Set<Int64> = []
            for id in returnIDs where try Bool.fetchOne(statement, arguments: [shop, id]) ?? false { known.insert(id) }
            return known
        }
    }

    // MARK: Writing

    public func commit(_ changes: [StoreChange]) async throws -> [CommitResult] {
        guard !changes.isEmpty else { return [] }
        let shop = shop
        return try await writing { db in
            let writer = CommitWriter(db: db, shop: shop, recordedAt: Timestamp.now())
            return try changes.map { try writer.write($0) }
        }
    }

    public func recordRulesVersion(_ version: RulesVersion, at: Timestamp) async throws {
        let shop = shop
        try await writing { db in
            try db.execute(sql: "INSERT OR IGNORE INTO rules_versions (shop, digest, files, first_used_at) VALUES (?, ?, ?, ?)",
                           arguments: [shop, version.digest, version.filesJSON, at.unixSeconds])
        }
    }

    public func rulesVersions() async throws -> [(digest: String, firstUsedAt: Timestamp)] {
        let shop = shop
        return try await reading { db in
            try Row.fetchAll(db, sql: "SELECT digest, first_used_at FROM rules_versions WHERE shop = ? ORDER BY id", arguments: [shop]).map { row in
                (try row.decode(String.self, atIndex: 0), Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 1)))
            }
        }
    }

    // MARK: History

    public func forEachRecorded(
        postingNumber: String?, since: Timestamp?, limit: Int?, _ body: (RecordedEvaluation) throws -> Void
    ) async throws {
        // One read transaction for the whole stream: the body runs row by row on this thread.
        try mapErrors {
            try pool.read { db in
                try HistoryQuery(shop: shop, postingNumber: postingNumber, since: since?.unixSeconds, limit: limit).forEach(db, body)
            }
        }
    }

    public func countRecorded(since: Timestamp?) async throws -> Int {
        let shop = shop
        return try await reading { db in
            let bound = since?.unixSeconds ?? Int64.min
            let transitions = try Int.fetchOne(db, sql: "SELECT count(*) FROM transitions WHERE shop = ? AND at >= ?", arguments: [shop, bound]) ?? 0
            let returns = try Int.fetchOne(db, sql: "SELECT count(*) FROM returns WHERE shop = ? AND at >= ?", arguments: [shop, bound]) ?? 0
            return transitions + returns
        }
    }

    /// The shops that have rows in the store at `path` (postings, the inbox, effects or rules
    /// versions), sorted; empty for a new store.
    public func storedShops() throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT shop FROM rules_versions UNION SELECT shop FROM postings UNION SELECT shop FROM inbox
                UNION SELECT shop FROM effects ORDER BY 1
                """)
        }
    }

    // MARK: Checks and tests

    /// Runs `body` on a read-only snapshot (for checks and the SQLite store's own tests).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mapErrors { try pool.read(body) }
    }

    /// The integer a query returns (0 for none): for checks and tests that look at rows directly.
    public func integer(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: sql, arguments: StatementArguments(arguments) ?? []) ?? 0 }
    }

    /// The text a query returns, if any: for checks and tests.
    public func text(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> String? {
        try read { db in try String.fetchOne(db, sql: sql, arguments: StatementArguments(arguments) ?? []) }
    }

    // MARK: Plumbing

    func reading<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw storeError(error)
        }
    }

    func writing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw storeError(error)
        }
    }

    /// Turns SQLite's errors into `StoreError`; other errors pass through.
    private func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw storeError(error)
        }
    }

    /// An SQLite failure as the store reports it, naming the file.
    private func storeError(_ error: DatabaseError) -> StoreError {
        StoreError(.database, "\(path): \(SQLitePostingStore.describe(error))")
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}

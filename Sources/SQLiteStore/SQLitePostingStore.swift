import Foundation
import GRDB
import PostingModel
import PostingStore

/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), opened
/// through a GRDB `DatabasePool`, its schema migrated on open.
///
/// Durability: `synchronous = NORMAL`. A committed write survives the program being killed at
/// any moment; a power cut may lose the last commits, never leave half of one.
public final class SQLitePostingStore: PostingStore {
    /// `./ozon-rules.sqlite`.
    public static let defaultPath = "ozon-rules.sqlite"

    public let path: String
    let pool: DatabasePool

    /// Opens the store at `path`. With `create: false` a missing file is a `StoreError` with code
    /// `notFound` instead of a new empty store.
    public init(path: String, create: Bool = true) throws(StoreError) {
        self.path = path
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

    public func write<T>(_ body: (any PostingStoreSession) throws -> T) throws -> T {
        try mapErrors {
            try pool.write { db in
                try body(SQLiteSession(db: db))
            }
        }
    }

    public func posting(_ postingNumber: String) throws -> StoredPosting? {
        try mapErrors { try pool.read { db in try RowDecoding.posting(db, postingNumber) } }
    }

    public func forEachRecorded(
        postingNumber: String?, since: Int64?, limit: Int?, _ body: (RecordedEvaluation) throws -> Void
    ) throws {
        try mapErrors {
            try pool.read { db in
                try HistoryQuery(postingNumber: postingNumber, since: since, limit: limit).forEach(db, body)
            }
        }
    }

    public func countRecorded(since: Int64?) throws -> Int {
        try mapErrors {
            try pool.read { db in
                let bound = since ?? Int64.min
                let transitions = try Int.fetchOne(db, sql: "SELECT count(*) FROM transitions WHERE at >= ?", arguments: [bound]) ?? 0
                let returns = try Int.fetchOne(db, sql: "SELECT count(*) FROM returns WHERE at >= ?", arguments: [bound]) ?? 0
                return transitions + returns
            }
        }
    }

    /// Read access for checks and tests: runs `body` on a read-only snapshot.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mapErrors { try pool.read(body) }
    }

    /// Turns SQLite's errors into `StoreError`; other errors pass through.
    private func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw StoreError(.database, "\(path): \(SQLitePostingStore.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}

import GRDB
import PostingModel
import PostingStore

/// For components that keep their own tables in the store's SQLite file (the webhook inbox and
/// the record of Seller API calls): the database itself, a write transaction that covers both the
/// store's session and those tables, and the latest decision of a hook.
extension SQLitePostingStore {
    /// The store's database pool. Tables of other components live beside the store's own; they
    /// must not touch the store's tables except through `PostingStoreSession`.
    public var databasePool: DatabasePool { pool }

    /// Runs `body` in one write transaction, with the store's session and the raw database: what
    /// `body` writes to the store and to other tables is committed together, or not at all.
    public func write<T>(withDatabase body: (any PostingStoreSession, Database) throws -> T) throws -> T {
        do {
            return try pool.write { db in
                try body(SQLiteSession(db: db), db)
            }
        } catch let error as DatabaseError {
            throw StoreError(.database, "\(path): \(SQLitePostingStore.describe(error))")
        }
    }

    /// The decision of the latest recorded run of `hook` for a posting that made one (canonical
    /// JSON text), or nil.
    public static func latestDecision(hook: String, postingNumber: String, in db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT h.decision FROM transitions t JOIN hook_runs h ON h.transition_id = t.id
            WHERE t.posting_number = ? AND h.hook = ? AND h.decision IS NOT NULL
            ORDER BY t.id DESC, h.seq DESC LIMIT 1
            """, arguments: [postingNumber, hook])
    }
}

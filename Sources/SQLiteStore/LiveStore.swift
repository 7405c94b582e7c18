import Foundation
import GRDB
import OzonSellerAPI
import PostingModel
import PostingStore

/// A notification waiting in (or taken from) the inbox.
public struct InboxItem: Sendable, Hashable {
    public var id: Int64
    public var messageType: String
    public var postingNumber: String
    public var attempts: Int
}

/// An action waiting to be sent to Ozon.
public struct PendingAction: Sendable, Hashable {
    public var id: Int64
    public var postingNumber: String
    public var kind: ActionKind
    public var request: JSONValue
    public var attempts: Int
}

/// What a decision asks of Ozon.
public enum ActionKind: String, Sendable, Hashable, CaseIterable {
    case ship
    case trackingNumber = "tracking_number"
    case cancel

    public var path: String {
        switch self {
        case .ship: return OzonClient.Path.ship
        case .trackingNumber: return OzonClient.Path.trackingNumberSet
        case .cancel: return OzonClient.Path.cancel
        }
    }
}

/// The store plus the live path's tables (`LiveSchema`), in one SQLite file.
public final class LiveStore: Sendable {
    public let store: SQLitePostingStore
    public let pool: DatabasePool

    public enum Accepted: Sendable, Hashable {
        case stored(id: Int64)
        case duplicate(id: Int64)
    }

    public init(store: SQLitePostingStore) throws {
        self.store = store
        self.pool = store.databasePool
        try LiveSchema.migrate(pool)
    }

    /// Opens (creating) the store at `path` with the live tables.
    public convenience init(path: String) throws {
        try self.init(store: try SQLitePostingStore(path: path, create: true))
    }

    // MARK: inbox

    /// Writes a notification to the inbox and commits before returning; a notification with a
    /// known dedupe key is counted as a duplicate and not stored again.
    public func accept(_ notice: PostingNotice, payload: String, peer: String?) async throws -> Accepted {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_inbox (dedupe_key, message_type, posting_number, payload, peer, received_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING
                """, arguments: [notice.dedupeKey, notice.type, notice.postingNumber, payload, peer, Date().timeIntervalSince1970])
            if db.changesCount > 0 { return .stored(id: db.lastInsertedRowID) }
            try db.execute(sql: "UPDATE webhook_inbox SET duplicates = duplicates + 1 WHERE dedupe_key = ?", arguments: [notice.dedupeKey])
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM webhook_inbox WHERE dedupe_key = ?", arguments: [notice.dedupeKey]) ?? 0
            return .duplicate(id: id)
        }
    }

    /// The oldest pending notification whose time has come.
    public func nextInboxItem(now: Double = Date().timeIntervalSince1970) throws -> InboxItem? {
        try pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT id, message_type, posting_number, attempts FROM webhook_inbox
                WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 1
                """, arguments: [now]).map {
                InboxItem(id: $0["id"], messageType: $0["message_type"], postingNumber: $0["posting_number"] ?? "", attempts: $0["attempts"])
            }
        }
    }

    /// Marks an inbox row done inside the caller's transaction.
    package static func markDone(_ db: Database, id: Int64, outcome: String, transitionID: Int64?, error: String?) throws {
        try db.execute(sql: """
            UPDATE webhook_inbox SET state = 'done', processed_at = ?, outcome = ?, transition_id = ?, last_error = ?,
              attempts = attempts + 1
            WHERE id = ?
            """, arguments: [Date().timeIntervalSince1970, outcome, transitionID, error, id])
    }

    /// Puts an inbox row back for a later attempt, or fails it for good after `maxAttempts`.
    public func retryLater(inbox id: Int64, attempts: Int, error: String, maxAttempts: Int, delay: Double) throws {
        try pool.write { db in
            let failed = attempts + 1 >= maxAttempts
            try db.execute(sql: """
                UPDATE webhook_inbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
                  state = CASE WHEN ? THEN 'failed' ELSE 'pending' END,
                  processed_at = CASE WHEN ? THEN ? ELSE processed_at END
                WHERE id = ?
                """, arguments: [error, Date().timeIntervalSince1970 + delay, failed, failed, Date().timeIntervalSince1970, id])
        }
    }

    /// Fails an inbox row for good (e.g. the posting does not exist).
    public func fail(inbox id: Int64, error: String) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE webhook_inbox SET state = 'failed', attempts = attempts + 1, last_error = ?, processed_at = ? WHERE id = ?
                """, arguments: [error, Date().timeIntervalSince1970, id])
        }
    }

    /// How many notifications are waiting.
    public func pendingCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM webhook_inbox WHERE state = 'pending'") ?? 0 }
    }

    // MARK: actions

    /// Plans an action inside the caller's transaction; one per posting, transition and kind.
    package static func plan(_ db: Database, postingNumber: String, transitionID: Int64?, kind: ActionKind, request: JSONValue) throws {
        try db.execute(sql: """
            INSERT INTO webhook_actions (posting_number, transition_id, kind, request, created_at)
            VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """, arguments: [postingNumber, transitionID, kind.rawValue, JSONWriter.write(request), Date().timeIntervalSince1970])
    }

    /// The oldest pending action whose time has come.
    public func nextAction(now: Double = Date().timeIntervalSince1970) throws -> PendingAction? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, posting_number, kind, request, attempts FROM webhook_actions
                WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 1
                """, arguments: [now]) else { return nil }
            let text: String = row["request"]
            guard let kind = ActionKind(rawValue: row["kind"]), let request = try? JSONParser.parse(text) else { return nil }
            return PendingAction(id: row["id"], postingNumber: row["posting_number"], kind: kind, request: request, attempts: row["attempts"])
        }
    }

    /// Finishes an action: `done`, `failed`, `dry_run`, `skipped`; or `pending` again after `delay`.
    public func finish(action id: Int64, state: String, result: String?, delay: Double = 0) throws {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE webhook_actions SET state = ?, result = ?, attempts = attempts + 1, next_attempt_at = ?,
                  finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END
                WHERE id = ?
                """, arguments: [state, result, Date().timeIntervalSince1970 + delay, state, Date().timeIntervalSince1970, id])
        }
    }

    // MARK: API record

    /// Records one request to Ozon (or, with `applied` false, one that would have been sent).
    public func record(_ exchange: APIExchange, actionID: Int64?, applied: Bool) {
        let postingNumber = exchange.request["posting_number"]?.stringValue
            ?? exchange.request["posting_number"]?[0]?.stringValue
            ?? exchange.request["tracking_numbers"]?[0]?["posting_number"]?.stringValue
        try? pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhook_api_calls (action_id, posting_number, path, request, applied, http_status, response, error, attempts, at, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [actionID, postingNumber, exchange.path, JSONWriter.write(exchange.request), applied,
                                 exchange.httpStatus, exchange.response.map { String($0.prefix(65536)) },
                                 exchange.error.map { "\($0)" }, exchange.attempts, Date().timeIntervalSince1970,
                                 exchange.durationSeconds * 1000])
        }
    }
}

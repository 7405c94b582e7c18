import GRDB
import PostingModel
import PostingStore

/// The inbox of push notifications and the outbox of requests to Ozon.
extension SQLitePostingStore {
    // MARK: Inbox

    public func accept(_ n: NewNotification) async throws -> InboxAcceptance {
        try await writing { db in
            try db.execute(sql: """
                INSERT INTO inbox (dedupe_key, message_type, posting_number, payload, peer, received_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(dedupe_key) DO NOTHING
                """, arguments: [n.dedupeKey, n.messageType, n.postingNumber, n.payload, n.peer, n.receivedAt.unixSeconds])
            if db.changesCount > 0 { return .stored(id: db.lastInsertedRowID) }
            try db.execute(sql: "UPDATE inbox SET duplicates = duplicates + 1 WHERE dedupe_key = ?", arguments: [n.dedupeKey])
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM inbox WHERE dedupe_key = ?", arguments: [n.dedupeKey]) ?? 0
            return .duplicate(id: id)
        }
    }

    public func nextInboxItem(dueAt now: Timestamp) async throws -> InboxItem? {
        try await reading { db in
            try Row.fetchOne(db, sql: """
                SELECT id, message_type, posting_number, attempts FROM inbox
                WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 1
                """, arguments: [now.unixSeconds]).map { row in
                InboxItem(
                    id: try row.decode(Int64.self, atIndex: 0), messageType: try row.decode(String.self, atIndex: 1),
                    postingNumber: try row.decode(String?.self, atIndex: 2) ?? "", attempts: try row.decode(Int.self, atIndex: 3))
            }
        }
    }

    public func retryInboxItem(_ id: Int64, error: String, retryAt: Timestamp?) async throws {
        let now = Timestamp.now().unixSeconds
        try await writing { db in
            try db.execute(sql: """
                UPDATE inbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = coalesce(?, next_attempt_at),
                  state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
                  processed_at = CASE WHEN ? IS NULL THEN ? ELSE processed_at END
                WHERE id = ?
                """, arguments: [error, retryAt?.unixSeconds, retryAt?.unixSeconds, retryAt?.unixSeconds, now, id])
        }
    }

    public func pendingInboxCount() async throws -> Int {
        try await reading { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM inbox WHERE state = 'pending'") ?? 0 }
    }

    // MARK: Outbox

    static let outboxColumns = "id, posting_number, transition_id, kind, request, state, attempts, result"

    static func outboxRequest(_ row: Row) throws -> OutboxRequest {
        let text = try row.decode(String.self, atIndex: 4)
        let stateText = try row.decode(String.self, atIndex: 5)
        guard let state = OutboxState(rawValue: stateText) else {
            throw StoreError.corrupt("outbox.state: unknown state '\(stateText)'")
        }
        return OutboxRequest(
            id: try row.decode(Int64.self, atIndex: 0), postingNumber: try row.decode(String.self, atIndex: 1),
            transitionID: try row.decode(Int64?.self, atIndex: 2), kind: try row.decode(String.self, atIndex: 3),
            body: try Snapshot.value(text, what: "outbox.request"), state: state, attempts: try row.decode(Int.self, atIndex: 6),
            result: try row.decode(String?.self, atIndex: 7))
    }

    public func nextOutboxRequest(dueAt now: Timestamp) async throws -> OutboxRequest? {
        try await reading { db in
            try Row.fetchOne(db, sql: """
                SELECT \(SQLitePostingStore.outboxColumns) FROM outbox
                WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 1
                """, arguments: [now.unixSeconds]).map(SQLitePostingStore.outboxRequest)
        }
    }

    public func finishOutboxRequest(_ id: Int64, state: OutboxState, result: String?, retryAt: Timestamp?) async throws {
        let now = Timestamp.now().unixSeconds
        try await writing { db in
            try db.execute(sql: """
                UPDATE outbox SET state = ?, result = ?, attempts = attempts + 1, next_attempt_at = coalesce(?, next_attempt_at),
                  finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END
                WHERE id = ?
                """, arguments: [state.rawValue, result, retryAt?.unixSeconds, state.rawValue, now, id])
        }
    }

    public func recordCall(_ call: APICallRecord) async throws {
        try await writing { db in
            try db.execute(sql: """
                INSERT INTO api_calls (request_id, posting_number, path, request, applied, http_status, response, error, attempts, at, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    call.requestID, call.postingNumber, call.path, JSONWriter.write(call.body), call.applied, call.httpStatus,
                    call.response.map { String($0.prefix(65536)) }, call.error, call.attempts, call.at.unixSeconds,
                    call.durationMilliseconds,
                ])
        }
    }

    public func outboxRequests(postingNumber: String) async throws -> [OutboxRequest] {
        try await reading { db in
            try Row.fetchAll(db, sql: "SELECT \(SQLitePostingStore.outboxColumns) FROM outbox WHERE posting_number = ? ORDER BY id",
                             arguments: [postingNumber]).map(SQLitePostingStore.outboxRequest)
        }
    }
}

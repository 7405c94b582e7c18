import GRDB
import PostingModel
import PostingStore

/// Timers (SPEC §7.1).
extension SQLitePostingStore {
    public func claimDueTimers(now: Timestamp, limit: Int, leaseUntil: Timestamp) async throws -> [StoredTimer] {
        let shop = shop
        return try await writing { db in
            // One writer at a time in SQLite: the select and the update see the same rows.
            let claimed = try Row.fetchAll(db, sql: """
                UPDATE timers SET attempts = attempts + 1, lease_until = ?
                WHERE id IN (SELECT id FROM timers WHERE shop = ? AND state = 'armed' AND due <= ? AND lease_until <= ?
                             ORDER BY due, id LIMIT ?)
                RETURNING \(TimerRows.columns())
                """, arguments: [leaseUntil.unixSeconds, shop, now.unixSeconds, now.unixSeconds, limit]).map(TimerRows.timer)
            return claimed.sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        }
    }

    public func timers(_ query: TimerQuery) async throws -> [StoredTimer] {
        var conditions: [String] = ["shop = ?"]
        var arguments: [DatabaseValue] = [shop.databaseValue]
        if let postingNumber = query.postingNumber {
            conditions.append("posting_number = ?")
            arguments.append(postingNumber.databaseValue)
        }
        if let states = query.states {
            conditions.append("state IN (" + states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")")
        }
        if let dueBefore = query.dueBefore {
            conditions.append("due < ?")
            arguments.append(dueBefore.unixSeconds.databaseValue)
        }
        let whereClause = "WHERE " + conditions.joined(separator: " AND ")
        let limit = query.limit.map { " LIMIT \($0)" } ?? ""
        let sendableArguments = StatementArguments(arguments)
        return try await reading { db in
            try Row.fetchAll(db, sql: "SELECT \(TimerRows.columns()) FROM timers \(whereClause) ORDER BY due, id\(limit)",
                             arguments: sendableArguments).map(TimerRows.timer)
        }
    }

    public func timerFirings(postingNumber: String?, since: Timestamp?) async throws -> [RecordedTimerFiring] {
        let filter = postingNumber == nil ? "" : " AND t.posting_number = ?"
        let arguments = StatementArguments([shop.databaseValue, (since?.unixSeconds ?? Int64.min).databaseValue]
                                           + (postingNumber.map { [$0.databaseValue] } ?? []))
        return try await reading { db in
            try Row.fetchAll(db, sql: """
                SELECT \(TimerRows.columns("t")), t.fired_snapshot, v.digest, t.fired_hook_runs, t.fired_log
                FROM timers t JOIN rules_versions v ON v.id = t.fired_rules_version_id
                WHERE t.shop = ? AND t.state = 'fired' AND t.ended_at >= ?\(filter) ORDER BY t.ended_at, t.id
                """, arguments: arguments).map { row in
                let count = TimerRows.columnCount
                return RecordedTimerFiring(
                    timer: try TimerRows.timer(row), at: Timestamp(unixSeconds: try row.decode(Int64?.self, atIndex: 9) ?? 0),
                    snapshot: try row.decode(String.self, atIndex: count), rulesVersion: try row.decode(String.self, atIndex: count + 1),
                    hookRuns: try HookRunRecord.list(fromJSON: try row.decode(String?.self, atIndex: count + 2), what: "timers.fired_hook_runs"),
                    log: try RowDecoding.log(try row.decode(String?.self, atIndex: count + 3)))
            }
        }
    }
}

/// The `timers` table's rows.
enum TimerRows {
    static let columnNames = [
        "id", "posting_number", "name", "status", "due", "armed_at", "transition_id", "state", "attempts", "ended_at",
    ]
    static let columnCount = columnNames.count
    /// The columns in `timer(_:)`'s order, bare (as RETURNING takes them) or with a table alias.
    static func columns(_ alias: String? = nil) -> String {
        columnNames.map { name in alias.map { "\($0).\(name)" } ?? name }.joined(separator: ", ")
    }

    static func timer(_ row: Row) throws -> StoredTimer {
        let stateText = try row.decode(String.self, atIndex: 7)
        guard let state = TimerState(rawValue: stateText) else { throw StoreError.corrupt("timers.state: unknown state '\(stateText)'") }
        return StoredTimer(
            id: try row.decode(Int64.self, atIndex: 0), postingNumber: try row.decode(String.self, atIndex: 1),
            name: try row.decode(String.self, atIndex: 2), status: try RowDecoding.status(row, 3, what: "timers.status"),
            due: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 4)),
            armedAt: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 5)),
            transitionID: try row.decode(Int64.self, atIndex: 6), state: state, attempts: try row.decode(Int.self, atIndex: 8),
            endedAt: try row.decode(Int64?.self, atIndex: 9).map(Timestamp.init(unixSeconds:)))
    }

    /// Cancels the posting's armed timers (it left their status entry) and arms the new ones. A
    /// posting stored for the first time (`wasStored` false) has none to cancel.
    static func rearm(
        _ timers: [NewTimer], shop: String, postingNumber: String, wasStored: Bool, transitionID: Int64, armedAt: Timestamp, db: Database
    ) throws {
        if wasStored {
            try db.cachedStatement(sql: """
                UPDATE timers SET state = 'cancelled', ended_at = ? WHERE shop = ? AND posting_number = ? AND state = 'armed'
                """).execute(arguments: [armedAt.unixSeconds, shop, postingNumber])
        }
        guard !timers.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO timers (shop, posting_number, transition_id, name, status, due, armed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (transition_id, name) DO NOTHING
            """)
        for timer in timers {
            try insert.execute(arguments: [
                shop, postingNumber, transitionID, timer.name, timer.status.rawValue, timer.due.unixSeconds, armedAt.unixSeconds,
            ])
        }
    }
}

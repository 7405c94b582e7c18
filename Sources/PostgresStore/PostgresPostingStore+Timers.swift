import Logging
import PostgresNIO
import PostingModel
import PostingStore

/// Timers (SPEC §7.1). Due timers are claimed with `FOR UPDATE SKIP LOCKED` in the statement that
/// raises their fencing token, so processes ticking at once take different timers and never
/// wait for each other; the firing's commit re-checks the token and the state.
extension PostgresPostingStore {
    public func claimDueTimers(now: Timestamp, limit: Int, leaseUntil: Timestamp) async throws -> [StoredTimer] {
        try await withConnection { connection in
            let rows = try await connection.query("""
                WITH due AS (
                  SELECT id FROM timers WHERE shop = \(self.shop) AND state = 'armed' AND due <= \(now.unixSeconds) AND lease_until <= \(now.unixSeconds)
                  ORDER BY due, id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED
                )
                UPDATE timers t SET attempts = t.attempts + 1, lease_until = \(leaseUntil.unixSeconds) FROM due WHERE t.id = due.id
                RETURNING \(unescaped: PostgresTimerRows.columns("t"))
                """, logger: self.logger).collect()
            return try rows.map { try PostgresTimerRows.timer($0.makeRandomAccess()) }.sorted { ($0.due, $0.id) < ($1.due, $1.id) }
        }
    }

    public func timers(_ query: TimerQuery) async throws -> [StoredTimer] {
        var bindings = PostgresBindings()
        bindings.append(shop)
        var conditions: [String] = ["t.shop = $1"]
        if let postingNumber = query.postingNumber {
            bindings.append(postingNumber)
            conditions.append("t.posting_number = $\(bindings.count)")
        }
        if let states = query.states {
            bindings.append(states.map(\.rawValue).sorted())
            conditions.append("t.state = ANY($\(bindings.count))")
        }
        if let dueBefore = query.dueBefore {
            bindings.append(dueBefore.unixSeconds)
            conditions.append("t.due < $\(bindings.count)")
        }
        let whereClause = "WHERE " + conditions.joined(separator: " AND ")
        let limit = query.limit.map { " LIMIT \($0)" } ?? ""
        let sql = "SELECT \(PostgresTimerRows.columns("t")) FROM timers t \(whereClause) ORDER BY t.due, t.id\(limit)"
        let binds = bindings
        return try await withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger).collect()
                .map { try PostgresTimerRows.timer($0.makeRandomAccess()) }
        }
    }

    public func timerFirings(postingNumber: String?, since: Timestamp?) async throws -> [RecordedTimerFiring] {
        let sinceSeconds = since?.unixSeconds ?? Int64.min
        return try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: PostgresTimerRows.columns("t")), t.fired_snapshot, v.digest, t.fired_hook_runs::text, t.fired_log::text
                FROM timers t JOIN rules_versions v ON v.id = t.fired_rules_version_id
                WHERE t.shop = \(self.shop) AND t.state = 'fired' AND t.ended_at >= \(sinceSeconds)
                  AND (\(postingNumber)::text IS NULL OR t.posting_number = \(postingNumber))
                ORDER BY t.ended_at, t.id
                """, logger: self.logger).collect()
            return try rows.map { row in
                let c = row.makeRandomAccess()
                let n = PostgresTimerRows.columnNames.count
                let timer = try PostgresTimerRows.timer(c)
                return RecordedTimerFiring(
                    timer: timer, at: timer.endedAt ?? timer.due,
                    snapshot: try PostgresRows.cell(c, n, String.self, "timers.fired_snapshot"),
                    rulesVersion: try PostgresRows.cell(c, n + 1, String.self, "rules_versions.digest"),
                    hookRuns: try HookRunRecord.list(
                        fromJSON: try PostgresRows.cell(c, n + 2, String?.self, "timers.fired_hook_runs"), what: "timers.fired_hook_runs"),
                    log: try PostgresRows.strings(try PostgresRows.cell(c, n + 3, String?.self, "timers.fired_log"), what: "timers.fired_log"))
            }
        }
    }
}

/// The `timers` table's rows.
enum PostgresTimerRows {
    static let columnNames = [
        "id", "posting_number", "name", "status", "due", "armed_at", "transition_id", "state", "attempts", "ended_at",
    ]

    static func columns(_ alias: String) -> String {
        columnNames.map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func timer(_ c: PostgresRandomAccessRow) throws -> StoredTimer {
        let stateText = try PostgresRows.cell(c, 7, String.self, "timers.state")
        guard let state = TimerState(rawValue: stateText) else { throw StoreError.corrupt("timers.state: unknown state '\(stateText)'") }
        return StoredTimer(
            id: try PostgresRows.cell(c, 0, Int64.self, "timers.id"),
            postingNumber: try PostgresRows.cell(c, 1, String.self, "timers.posting_number"),
            name: try PostgresRows.cell(c, 2, String.self, "timers.name"),
            status: try PostgresRows.status(try PostgresRows.cell(c, 3, String.self, "timers.status"), what: "timers.status"),
            due: Timestamp(unixSeconds: try PostgresRows.cell(c, 4, Int64.self, "timers.due")),
            armedAt: Timestamp(unixSeconds: try PostgresRows.cell(c, 5, Int64.self, "timers.armed_at")),
            transitionID: try PostgresRows.cell(c, 6, Int64.self, "timers.transition_id"), state: state,
            attempts: Int(try PostgresRows.cell(c, 8, Int64.self, "timers.attempts")),
            endedAt: try PostgresRows.cell(c, 9, Int64?.self, "timers.ended_at").map(Timestamp.init(unixSeconds:)))
    }

    /// Cancels the posting's armed timers (it left their status entry) and arms the new ones.
    static func rearm(
        _ timers: [NewTimer], shop: String, postingNumber: String, wasStored: Bool, transitionID: Int64, armedAt: Timestamp,
        connection: PostgresConnection, logger: Logger
    ) async throws {
        // A posting stored for the first time has no armed timers to cancel.
        if wasStored {
            try await connection.query("""
                UPDATE timers SET state = 'cancelled', ended_at = \(armedAt.unixSeconds)
                WHERE shop = \(shop) AND posting_number = \(postingNumber) AND state = 'armed'
                """, logger: logger)
        }
        guard !timers.isEmpty else { return }
        var bindings = PostgresBindings()
        var rows: [String] = []
        for timer in timers {
            let base = bindings.count
            bindings.append(shop)
            bindings.append(postingNumber)
            bindings.append(transitionID)
            bindings.append(timer.name)
            bindings.append(timer.status.rawValue)
            bindings.append(timer.due.unixSeconds)
            bindings.append(armedAt.unixSeconds)
            rows.append("(" + (1...7).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
        }
        let sql = """
            INSERT INTO timers (shop, posting_number, transition_id, name, status, due, armed_at) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (transition_id, name) DO NOTHING
            """
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }
}

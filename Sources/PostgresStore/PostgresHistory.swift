import Logging
import PostgresNIO
import PostingModel
import PostingStore

/// Transitions and returns merged into one timeline (by time, then transitions before returns,
/// then by recording order), read inside one read-only transaction.
///
/// Without a limit the two kinds come through server-side cursors, a chunk at a time, with the
/// hook runs of a chunk in one query: memory stays flat however long the history is.
struct PostgresHistory {
    var connection: PostgresConnection
    var logger: Logger
    var shop: String
    var postingNumber: String?
    var since: Int64
    var limit: Int?

    /// Rows fetched from a cursor at a time.
    static let chunk = 500

    nonisolated(nonsending) func forEach(_ body: (RecordedEvaluation) throws -> Void) async throws {
        if let limit {
            // The last `limit` of each kind, merged, of which the last `limit` overall.
            var transitions = ArraySource(items: try await transitions(
                PostgresQuery(unsafeSQL: "\(transitionQuery(order: "DESC")) LIMIT \(limit)",
                              binds: filterBinds())).reversed())
            var returns = ArraySource(items: try await returns(
                PostgresQuery(unsafeSQL: "\(returnQuery(order: "DESC")) LIMIT \(limit)",
                              binds: filterBinds())).reversed())
            var merged: [RecordedEvaluation] = []
            try await merge(next: { transitions.next() }, { returns.next() }) { merged.append($0) }
            for item in merged.suffix(limit) { try body(item) }
            return
        }
        try await connection.query(
            PostgresQuery(unsafeSQL: "DECLARE history_transitions NO SCROLL CURSOR FOR \(transitionQuery(order: "ASC"))", binds: filterBinds()),
            logger: logger)
        try await connection.query(
            PostgresQuery(unsafeSQL: "DECLARE history_returns NO SCROLL CURSOR FOR \(returnQuery(order: "ASC"))", binds: filterBinds()),
            logger: logger)
        var transitionChunk = ArraySource(items: []), returnChunk = ArraySource(items: [])
        var transitionsDone = false, returnsDone = false
        try await merge(
            next: {
                if let next = transitionChunk.next() { return next }
                guard !transitionsDone else { return nil }
                let fetched = try await transitions(PostgresQuery(unsafeSQL: "FETCH \(Self.chunk) FROM history_transitions"))
                transitionsDone = fetched.count < Self.chunk
                transitionChunk = ArraySource(items: fetched)
                return transitionChunk.next()
            },
            {
                if let next = returnChunk.next() { return next }
                guard !returnsDone else { return nil }
                let fetched = try await returns(PostgresQuery(unsafeSQL: "FETCH \(Self.chunk) FROM history_returns"))
                returnsDone = fetched.count < Self.chunk
                returnChunk = ArraySource(items: fetched)
                return returnChunk.next()
            },
            body)
    }

    private struct ArraySource {
        var items: [RecordedEvaluation]
        var index = 0

        init<S: Sequence>(items: S) where S.Element == RecordedEvaluation { self.items = Array(items) }

        mutating func next() -> RecordedEvaluation? {
            guard index < items.count else { return nil }
            defer { index += 1 }
            return items[index]
        }
    }

    /// `$1` is the shop, `$2` `since`; `$3` the posting number, when there is one.
    private func filterBinds() -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(shop)
        binds.append(since)
        if let postingNumber { binds.append(postingNumber) }
        return binds
    }

    private func transitionQuery(order: String) -> String {
        """
        SELECT t.id, t.posting_number, t.from_status, t.to_status, t.at, t.source, t.snapshot, t.carrier_decided, v.digest, t.log::text
        FROM transitions t JOIN rules_versions v ON v.id = t.rules_version_id
        WHERE t.shop = $1 AND t.at >= $2\(postingNumber == nil ? "" : " AND t.posting_number = $3") ORDER BY t.at \(order), t.id \(order)
        """
    }

    private func returnQuery(order: String) -> String {
        """
        SELECT r.return_id, r.posting_number, r.snapshot, r.posting_snapshot, r.at, r.source, v.digest, r.log::text
        FROM returns r JOIN rules_versions v ON v.id = r.rules_version_id
        WHERE r.shop = $1 AND r.at >= $2\(postingNumber == nil ? "" : " AND r.posting_number = $3") ORDER BY r.at \(order), r.return_id \(order)
        """
    }

    private func transitions(_ query: PostgresQuery) async throws -> [RecordedEvaluation] {
        let rows = try await connection.query(query, logger: logger).collect()
        let ids = try rows.map { try PostgresRows.cell($0, 0, Int64.self, "transitions.id") }
        let runs = try await hookRuns(column: "transition_id", ids: ids)
        return try rows.map { row in
            let c = row.makeRandomAccess()
            let id = try PostgresRows.cell(c, 0, Int64.self, "transitions.id")
            let from = try PostgresRows.cell(c, 2, String?.self, "transitions.from_status")
            return .transition(RecordedTransition(
                id: id,
                postingNumber: try PostgresRows.cell(c, 1, String.self, "transitions.posting_number"),
                from: try from.map { text throws(StoreError) in try PostgresRows.status(text, what: "transitions.from_status") },
                to: try PostgresRows.status(try PostgresRows.cell(c, 3, String.self, "transitions.to_status"), what: "transitions.to_status"),
                at: Timestamp(unixSeconds: try PostgresRows.cell(c, 4, Int64.self, "transitions.at")),
                source: try PostgresRows.cell(c, 5, String.self, "transitions.source"),
                snapshot: try PostgresRows.cell(c, 6, String.self, "transitions.snapshot"),
                carrierDecided: try PostgresRows.cell(c, 7, Bool.self, "transitions.carrier_decided"),
                rulesVersion: try PostgresRows.cell(c, 8, String.self, "rules_versions.digest"),
                hookRuns: runs[id] ?? [],
                log: try PostgresRows.strings(try PostgresRows.cell(c, 9, String?.self, "transitions.log"), what: "transitions.log")))
        }
    }

    private func returns(_ query: PostgresQuery) async throws -> [RecordedEvaluation] {
        let rows = try await connection.query(query, logger: logger).collect()
        let ids = try rows.map { try PostgresRows.cell($0, 0, Int64.self, "returns.return_id") }
        let runs = try await hookRuns(column: "return_id", ids: ids)
        return try rows.map { row in
            let c = row.makeRandomAccess()
            let id = try PostgresRows.cell(c, 0, Int64.self, "returns.return_id")
            return .returnEvent(RecordedReturn(
                returnID: id,
                postingNumber: try PostgresRows.cell(c, 1, String.self, "returns.posting_number"),
                snapshot: try PostgresRows.cell(c, 2, String.self, "returns.snapshot"),
                postingSnapshot: try PostgresRows.cell(c, 3, String?.self, "returns.posting_snapshot"),
                at: Timestamp(unixSeconds: try PostgresRows.cell(c, 4, Int64.self, "returns.at")),
                source: try PostgresRows.cell(c, 5, String.self, "returns.source"),
                rulesVersion: try PostgresRows.cell(c, 6, String.self, "rules_versions.digest"),
                hookRuns: runs[id] ?? [],
                log: try PostgresRows.strings(try PostgresRows.cell(c, 7, String?.self, "returns.log"), what: "returns.log")))
        }
    }

    /// The hook runs of these transitions (or returns), in call order, by owner.
    private func hookRuns(column: String, ids: [Int64]) async throws -> [Int64: [HookRunRecord]] {
        guard !ids.isEmpty else { return [:] }
        var binds = PostgresBindings()
        binds.append(ids)
        binds.append(shop)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT \(column), hook, decisions_seen::text, decision_text, error_code, error_file, error_line, error_message,
              instructions, duration_ns
            FROM hook_runs WHERE \(column) = ANY($1) AND shop = $2 ORDER BY \(column), seq
            """, binds: binds), logger: logger).collect()
        var runs: [Int64: [HookRunRecord]] = [:]
        for row in rows {
            let c = row.makeRandomAccess()
            var error: RecordedError?
            if let code = try PostgresRows.cell(c, 4, String?.self, "hook_runs.error_code") {
                error = RecordedError(
                    code: code, file: try PostgresRows.cell(c, 5, String?.self, "hook_runs.error_file"),
                    line: try PostgresRows.cell(c, 6, Int64?.self, "hook_runs.error_line").map { Int($0) },
                    message: try PostgresRows.cell(c, 7, String?.self, "hook_runs.error_message") ?? "")
            }
            let owner = try PostgresRows.cell(c, 0, Int64.self, "hook_runs.\(column)")
            runs[owner, default: []].append(HookRunRecord(
                hook: try PostgresRows.cell(c, 1, String.self, "hook_runs.hook"),
                decisionsSeen: try PostgresRows.strings(
                    try PostgresRows.cell(c, 2, String?.self, "hook_runs.decisions_seen"), what: "hook_runs.decisions_seen"),
                decision: try PostgresRows.cell(c, 3, String?.self, "hook_runs.decision_text"),
                error: error,
                instructions: try PostgresRows.cell(c, 8, Int64.self, "hook_runs.instructions"),
                durationNanoseconds: try PostgresRows.cell(c, 9, Int64.self, "hook_runs.duration_ns")))
        }
        return runs
    }

    /// Merges two time-ordered streams; on equal times transitions come first.
    nonisolated(nonsending) private func merge(
        next nextTransition: () async throws -> RecordedEvaluation?, _ nextReturn: () async throws -> RecordedEvaluation?,
        _ body: (RecordedEvaluation) throws -> Void
    ) async throws {
        var t = try await nextTransition()
        var r = try await nextReturn()
        while true {
            switch (t, r) {
            case (nil, nil):
                return
            case (let a?, nil):
                try body(a)
                t = try await nextTransition()
            case (nil, let b?):
                try body(b)
                r = try await nextReturn()
            case (let a?, let b?):
                if a.at <= b.at {
                    try body(a)
                    t = try await nextTransition()
                } else {
                    try body(b)
                    r = try await nextReturn()
                }
            }
        }
    }
}

import Foundation
import Logging
import PostgresNIO
import PostingModel
import PostingStore

/// The inbox of push notifications, the outbox of effects, label files and buyer requests.
extension PostgresPostingStore {
    // MARK: Inbox

    public func accept(_ n: NewNotification) async throws -> InboxAcceptance {
        try await withConnection { connection in
            let stored = try await PostgresRows.ids(connection, """
                INSERT INTO inbox (shop, dedupe_key, message_type, posting_number, payload, peer, received_at)
                VALUES (\(self.shop), \(n.dedupeKey), \(n.messageType), \(n.postingNumber), \(n.payload), \(n.peer), \(n.receivedAt.unixSeconds))
                ON CONFLICT (shop, dedupe_key) DO NOTHING RETURNING id
                """, logger: self.logger)
            if let id = stored.first { return .stored(id: id) }
            let repeated = try await PostgresRows.ids(
                connection, "UPDATE inbox SET duplicates = duplicates + 1 WHERE shop = \(self.shop) AND dedupe_key = \(n.dedupeKey) RETURNING id", logger: self.logger)
            return .duplicate(id: repeated.first ?? 0)
        }
    }

    /// Hands out the oldest pending notification due at `now` and leases it for `inboxLease`
    /// seconds, so that another process sharing the store takes the next one instead. The row is
    /// picked with `FOR UPDATE SKIP LOCKED` in the same statement that moves its due time past
    /// the lease: two processes asking at once never get the same row, and neither waits for the
    /// other. If the process dies, the notification is due again when the lease ends; done or
    /// retried, it leaves the lease behind (`commit` with its completion, `retryInboxItem`).
    public func nextInboxItem(dueAt now: Timestamp) async throws -> InboxItem? {
        let leaseEnd = now.unixSeconds + inboxLease
        return try await withConnection { connection in
            let rows = try await connection.query("""
                WITH next AS (
                  SELECT id FROM inbox WHERE shop = \(self.shop) AND state = 'pending' AND next_attempt_at <= \(now.unixSeconds)
                  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                )
                UPDATE inbox i SET next_attempt_at = \(leaseEnd) FROM next WHERE i.id = next.id
                RETURNING i.id, i.message_type, i.posting_number, i.attempts
                """, logger: self.logger).collect()
            return try rows.first.map { row in
                let c = row.makeRandomAccess()
                return InboxItem(
                    id: try PostgresRows.cell(c, 0, Int64.self, "inbox.id"),
                    messageType: try PostgresRows.cell(c, 1, String.self, "inbox.message_type"),
                    postingNumber: try PostgresRows.cell(c, 2, String?.self, "inbox.posting_number") ?? "",
                    attempts: Int(try PostgresRows.cell(c, 3, Int64.self, "inbox.attempts")))
            }
        }
    }

    public func retryInboxItem(_ id: Int64, error: String, retryAt: Timestamp?) async throws {
        let now = Timestamp.now().unixSeconds
        let retry = retryAt?.unixSeconds
        try await withConnection { connection in
            try await connection.query("""
                UPDATE inbox SET attempts = attempts + 1, last_error = \(error), next_attempt_at = coalesce(\(retry), next_attempt_at),
                  state = CASE WHEN \(retry)::bigint IS NULL THEN 'failed' ELSE 'pending' END,
                  processed_at = CASE WHEN \(retry)::bigint IS NULL THEN \(now) ELSE processed_at END
                WHERE id = \(id) AND shop = \(self.shop)
                """, logger: self.logger)
        }
    }

    public func pendingInboxCount() async throws -> Int {
        try await withConnection { connection in
            let rows = try await connection.query(
                "SELECT count(*) FROM inbox WHERE shop = \(self.shop) AND state = 'pending'", logger: self.logger).collect()
            return Int(try rows.first.map { try PostgresRows.cell($0, 0, Int64.self, "count") } ?? 0)
        }
    }

    // MARK: Outbox

    public func planEffects(_ effects: [NewEffect], at: Timestamp) async throws -> [Int64?] {
        guard !effects.isEmpty else { return [] }
        return try await transaction { connection in
            try await PostgresEffectRows.insert(effects, shop: self.shop, transitionID: nil, connection: connection, logger: self.logger, at: at)
        }
    }

    public func nextEffect(dueAt now: Timestamp, kinds: Set<EffectKind>?) async throws -> Effect? {
        let kindNames = kinds.map { $0.map(\.rawValue).sorted() }
        return try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: PostgresEffectRows.columns("e")) FROM effects e
                WHERE e.shop = \(self.shop) AND e.state IN ('planned', 'sending') AND e.next_attempt_at <= \(now.unixSeconds)
                  AND (\(kindNames)::text[] IS NULL OR e.kind = ANY(\(kindNames)::text[]))
                  AND NOT EXISTS (SELECT 1 FROM effects p WHERE p.shop = e.shop AND p.subject = e.subject AND p.id < e.id
                                  AND p.state IN ('planned', 'sending'))
                ORDER BY e.next_attempt_at, e.id LIMIT 1
                """, logger: self.logger).collect()
            return try rows.first.map(PostgresEffectRows.effect)
        }
    }

    /// The claim is one statement: the effect's row is taken with `FOR UPDATE SKIP LOCKED` only
    /// if it is still open and at the caller's token `attempts`, and raised to `sending`
    /// with the next token and the lease. A process that finds the row locked by another's claim
    /// gets nil at once rather than waiting for it; one that comes after a claim committed finds
    /// the token moved on. Either way one claimer wins each token, and `finishEffect` accepts
    /// only the latest token, so a claim that lapsed and was taken over cannot write its outcome.
    public func claimEffect(_ id: Int64, attempts: Int, now: Timestamp, leaseUntil: Timestamp) async throws -> Effect? {
        try await withConnection { connection in
            let rows = try await connection.query("""
                WITH target AS (
                  SELECT id FROM effects WHERE id = \(id) AND shop = \(self.shop) AND attempts = \(Int64(attempts)) AND state IN ('planned', 'sending')
                  FOR UPDATE SKIP LOCKED
                )
                UPDATE effects e SET state = 'sending', attempts = e.attempts + 1, sent_at = \(now.unixSeconds),
                  next_attempt_at = \(leaseUntil.unixSeconds)
                FROM target WHERE e.id = target.id
                RETURNING \(unescaped: PostgresEffectRows.columns("e"))
                """, logger: self.logger).collect()
            return try rows.first.map(PostgresEffectRows.effect)
        }
    }

    public func finishEffect(_ id: Int64, attempts: Int, outcome: EffectOutcome, followUps: [NewEffect], at: Timestamp) async throws -> Bool {
        let open = outcome.state.isOpen
        let retryAt = open ? outcome.retryAt?.unixSeconds : nil
        let finishedAt: Int64? = open ? nil : at.unixSeconds
        let progress = outcome.progress.map { JSONWriter.write($0) }
        let update: @Sendable (PostgresConnection) async throws -> Bool = { connection in
            let rows = try await connection.query("""
                UPDATE effects SET state = \(outcome.state.rawValue), response = coalesce(\(outcome.response), response),
                  error = \(outcome.error), next_attempt_at = coalesce(\(retryAt), next_attempt_at), finished_at = \(finishedAt),
                  progress = coalesce(\(progress)::jsonb, progress)
                WHERE id = \(id) AND shop = \(self.shop) AND attempts = \(Int64(attempts))
                RETURNING id
                """, logger: self.logger).collect()
            return rows.count == 1
        }
        // One statement needs no transaction; with follow-ups both go in one commit.
        guard !followUps.isEmpty else { return try await withConnection(update) }
        return try await transaction { connection in
            guard try await update(connection) else { return false }
            _ = try await PostgresEffectRows.insert(followUps, shop: self.shop, transitionID: nil, connection: connection, logger: self.logger, at: at)
            return true
        }
    }

    public func effects(_ query: EffectQuery) async throws -> [Effect] {
        let states = query.states.map { $0.map(\.rawValue).sorted() }
        let kinds = query.kinds.map { $0.map(\.rawValue).sorted() }
        let limit = query.limit.map(Int64.init)
        return try await withConnection { connection in
            try await connection.query("""
                SELECT \(unescaped: PostgresEffectRows.columns("e")) FROM effects e
                WHERE e.shop = \(self.shop) AND (\(query.postingNumber)::text IS NULL OR e.posting_number = \(query.postingNumber))
                  AND (\(states)::text[] IS NULL OR e.state = ANY(\(states)::text[]))
                  AND (\(kinds)::text[] IS NULL OR e.kind = ANY(\(kinds)::text[]))
                ORDER BY e.id LIMIT \(limit)
                """, logger: self.logger).collect().map(PostgresEffectRows.effect)
        }
    }

    public func effectCounts() async throws -> [EffectState: Int] {
        try await withConnection { connection in
            var counts: [EffectState: Int] = [:]
            for row in try await connection.query("SELECT state, count(*) FROM effects WHERE shop = \(self.shop) GROUP BY state", logger: self.logger).collect() {
                let text = try PostgresRows.cell(row, 0, String.self, "effects.state")
                guard let state = EffectState(rawValue: text) else { throw StoreError.corrupt("effects.state: unknown state '\(text)'") }
                counts[state] = Int(try PostgresRows.cell(row, 1, Int64.self, "count"))
            }
            return counts
        }
    }

    public func recordCall(_ call: APICallRecord) async throws {
        let response = call.response.map { String($0.prefix(65536)) }
        try await withConnection { connection in
            try await connection.query("""
                INSERT INTO api_calls (shop, effect_id, posting_number, path, request, applied, http_status, response, error, attempts, at, duration_ms)
                VALUES (\(self.shop), \(call.effectID), \(call.postingNumber), \(call.path), \(JSONWriter.write(call.body))::jsonb, \(call.applied),
                        \(call.httpStatus.map(Int64.init)), \(response), \(call.error), \(Int64(call.attempts)), \(call.at.unixSeconds),
                        \(call.durationMilliseconds))
                """, logger: self.logger)
        }
    }

    // MARK: Labels

    public func saveLabelFile(_ file: LabelFile) async throws -> Int64 {
        try await transaction { connection in
            let rows = try await connection.query("""
                INSERT INTO label_files (shop, task_id, pdf, fetched_at) VALUES (\(self.shop), \(file.taskID), \(Data(file.pdf)), \(file.fetchedAt.unixSeconds))
                RETURNING id
                """, logger: self.logger).collect()
            guard let row = rows.first else { throw StoreError.corrupt("label_files.id: no row came back from the insert") }
            let id = try PostgresRows.cell(row, 0, Int64.self, "label_files.id")
            for number in Set(file.postingNumbers) {
                try await connection.query("""
                    INSERT INTO label_postings (posting_number, label_file_id) VALUES (\(number), \(id)) ON CONFLICT DO NOTHING
                    """, logger: self.logger)
            }
            return id
        }
    }

    public func labelFiles(postingNumbers: [String]?) async throws -> [StoredLabelFile] {
        try await withConnection { connection in
            // Posting numbers in byte order (COLLATE "C"), as SQLite orders them, whatever the
            // database's locale.
            let rows = try await connection.query("""
                SELECT f.id, f.task_id, f.pdf, f.fetched_at,
                  array(SELECT lp.posting_number FROM label_postings lp WHERE lp.label_file_id = f.id
                        ORDER BY lp.posting_number COLLATE "C")
                FROM label_files f
                WHERE f.shop = \(self.shop) AND (\(postingNumbers)::text[] IS NULL
                   OR f.id IN (SELECT label_file_id FROM label_postings WHERE posting_number = ANY(\(postingNumbers)::text[])))
                ORDER BY f.id
                """, logger: self.logger).collect()
            return try rows.map { row in
                let c = row.makeRandomAccess()
                return StoredLabelFile(
                    id: try PostgresRows.cell(c, 0, Int64.self, "label_files.id"),
                    file: LabelFile(
                        postingNumbers: try PostgresRows.cell(c, 4, [String].self, "label_postings.posting_number"),
                        taskID: try PostgresRows.cell(c, 1, Int64?.self, "label_files.task_id"),
                        pdf: Array(try PostgresRows.cell(c, 2, Data.self, "label_files.pdf")),
                        fetchedAt: Timestamp(unixSeconds: try PostgresRows.cell(c, 3, Int64.self, "label_files.fetched_at"))))
            }
        }
    }

    // MARK: Buyer requests

    public func recordedCancellationRequests(_ ids: [Int64]) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return try await withConnection { connection in
            try await PostgresRows.ids(
                connection, "SELECT cancellation_id FROM cancellation_requests WHERE shop = \(self.shop) AND cancellation_id = ANY(\(ids))", logger: self.logger)
        }
    }
}

/// The `effects` table's rows.
enum PostgresEffectRows {
    static func columns(_ alias: String) -> String {
        ["id", "effect_key", "kind", "subject", "posting_number", "return_id", "cancellation_id", "transition_id", "method",
         "request::text", "state", "attempts", "next_attempt_at", "planned_at", "sent_at", "finished_at", "response", "error",
         "progress::text"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func effect(_ row: PostgresRow) throws -> Effect {
        let c = row.makeRandomAccess()
        let kindText = try PostgresRows.cell(c, 2, String.self, "effects.kind")
        guard let kind = EffectKind(rawValue: kindText) else { throw StoreError.corrupt("effects.kind: unknown kind '\(kindText)'") }
        let stateText = try PostgresRows.cell(c, 10, String.self, "effects.state")
        guard let state = EffectState(rawValue: stateText) else { throw StoreError.corrupt("effects.state: unknown state '\(stateText)'") }
        let progress = try PostgresRows.cell(c, 18, String?.self, "effects.progress")
        func time(_ index: Int, _ what: String) throws(StoreError) -> Timestamp? {
            try PostgresRows.cell(c, index, Int64?.self, what).map(Timestamp.init(unixSeconds:))
        }
        return Effect(
            id: try PostgresRows.cell(c, 0, Int64.self, "effects.id"), key: try PostgresRows.cell(c, 1, String.self, "effects.effect_key"),
            kind: kind, subject: try PostgresRows.cell(c, 3, String.self, "effects.subject"),
            postingNumber: try PostgresRows.cell(c, 4, String?.self, "effects.posting_number"),
            returnID: try PostgresRows.cell(c, 5, Int64?.self, "effects.return_id"),
            cancellationID: try PostgresRows.cell(c, 6, Int64?.self, "effects.cancellation_id"),
            transitionID: try PostgresRows.cell(c, 7, Int64?.self, "effects.transition_id"),
            method: try PostgresRows.cell(c, 8, String.self, "effects.method"),
            request: try Snapshot.value(try PostgresRows.cell(c, 9, String.self, "effects.request"), what: "effects.request"),
            state: state, attempts: Int(try PostgresRows.cell(c, 11, Int64.self, "effects.attempts")),
            nextAttemptAt: Timestamp(unixSeconds: try PostgresRows.cell(c, 12, Int64.self, "effects.next_attempt_at")),
            plannedAt: Timestamp(unixSeconds: try PostgresRows.cell(c, 13, Int64.self, "effects.planned_at")),
            sentAt: try time(14, "effects.sent_at"), finishedAt: try time(15, "effects.finished_at"),
            response: try PostgresRows.cell(c, 16, String?.self, "effects.response"),
            error: try PostgresRows.cell(c, 17, String?.self, "effects.error"),
            progress: try progress.map { text throws(StoreError) in try Snapshot.value(text, what: "effects.progress") })
    }

    /// Inserts effects not planned yet (by key); answers each new id, nil for a known key.
    @discardableResult
    static func insert(
        _ effects: [NewEffect], shop: String, transitionID: Int64?, connection: PostgresConnection, logger: Logger, at: Timestamp
    ) async throws -> [Int64?] {
        var ids: [Int64?] = []
        for effect in effects {
            let rows = try await connection.query("""
                INSERT INTO effects (shop, effect_key, kind, subject, posting_number, return_id, cancellation_id, transition_id, method,
                                     request, next_attempt_at, planned_at)
                VALUES (\(shop), \(effect.key), \(effect.kind.rawValue), \(effect.subject.description), \(effect.postingNumber), \(effect.returnID),
                        \(effect.cancellationID), \(transitionID), \(effect.method), \(JSONWriter.write(effect.request))::jsonb,
                        \((effect.notBefore ?? at).unixSeconds), \(at.unixSeconds))
                ON CONFLICT (shop, effect_key) DO NOTHING RETURNING id
                """, logger: logger).collect()
            ids.append(try rows.first.map { try PostgresRows.cell($0, 0, Int64.self, "effects.id") })
        }
        return ids
    }
}

import Logging
import PostgresNIO
import PostingModel
import PostingStore

/// The writes of one commit, inside its transaction.
///
/// SQLite's writer wraps each change in a savepoint; here none is needed: the first statement of
/// every change is its check and its write at once (a compare-and-set on the posting's revision,
/// or an insert that does nothing for a known id), so a change that is refused has written
/// nothing, and any failed statement aborts the whole transaction anyway, which the protocol asks
/// for ("if the store itself fails, nothing is written").
final class PostgresCommitWriter {
    let connection: PostgresConnection
    let logger: Logger
    /// Every row written is this shop's.
    let shop: String
    private let recordedAt: Int64
    private var versionIDs: [String: Int64] = [:]

    init(connection: PostgresConnection, logger: Logger, shop: String, recordedAt: Timestamp) {
        self.connection = connection
        self.shop = shop
        self.logger = logger
        self.recordedAt = recordedAt.unixSeconds
    }

    func write(_ change: StoreChange) async throws -> CommitResult {
        switch change {
        case .posting(let change): return try await write(change)
        case .returnEvent(let event): return try await write(event)
        case .cancellationRequest(let request): return try await write(request)
        case .timerFiring(let firing): return try await write(firing)
        case .buyerMessage(let message): return try await write(message)
        case .inboxDone(let completion):
            try await markDone(completion, transitionID: nil)
            return .written(transitionID: nil)
        }
    }

    private func write(_ change: PostingChange) async throws -> CommitResult {
        let p = change.posting
        // With a transition the snapshot is stored on the transition row only.
        let ownSnapshot = change.transition == nil ? p.snapshot : nil
        let written: [PostgresRow]
        if let expected = change.expectedRevision {
            // A concurrent writer of the same row makes this wait for its commit, then re-check
            // the revision against what it wrote.
            written = try await connection.query("""
                UPDATE postings SET status = \(p.status.rawValue), substatus = \(p.substatus), snapshot = \(ownSnapshot),
                  updated_at = \(p.updatedAt.unixSeconds), revision = revision + 1
                WHERE shop = \(shop) AND posting_number = \(p.postingNumber) AND revision = \(expected)
                RETURNING revision
                """, logger: logger).collect()
        } else {
            written = try await connection.query("""
                INSERT INTO postings (shop, posting_number, status, substatus, snapshot, updated_at, revision)
                VALUES (\(shop), \(p.postingNumber), \(p.status.rawValue), \(p.substatus), \(ownSnapshot), \(p.updatedAt.unixSeconds), 1)
                ON CONFLICT (shop, posting_number) DO NOTHING
                RETURNING revision
                """, logger: logger).collect()
        }
        guard !written.isEmpty else {
            return .conflict(current: try await PostgresRows.posting(connection, shop: shop, p.postingNumber, logger: logger))
        }
        var transitionID: Int64?
        if let t = change.transition {
            let version = try await versionID(t.rulesVersion, at: t.at)
            let rows = try await connection.query("""
                INSERT INTO transitions
                  (shop, posting_number, from_status, to_status, at, source, snapshot, carrier_decided, rules_version_id, log, recorded_at)
                VALUES (\(shop), \(p.postingNumber), \(t.from?.rawValue), \(t.to.rawValue), \(t.at.unixSeconds), \(t.source.rawValue),
                        \(p.snapshot), \(t.carrierDecided), \(version), \(PostgresRows.namesText(t.log))::jsonb, \(recordedAt))
                RETURNING id
                """, logger: logger).collect()
            let id = try PostgresRows.cell(try first(rows, "transitions.id"), 0, Int64.self, "transitions.id")
            transitionID = id
            try await insertHookRuns(t.hookRuns, transitionID: id, returnID: nil, version: version)
            try await PostgresTimerRows.rearm(change.timers, shop: shop, postingNumber: p.postingNumber,
                                              wasStored: change.expectedRevision != nil, transitionID: id, armedAt: t.at,
                                              connection: connection, logger: logger)
        }
        try await PostgresEffectRows.insert(change.effects, shop: shop, transitionID: transitionID, connection: connection, logger: logger,
                                            at: Timestamp(unixSeconds: recordedAt))
        if let inbox = change.inbox { try await markDone(inbox, transitionID: transitionID) }
        return .written(transitionID: transitionID)
    }

    private func write(_ r: NewReturn) async throws -> CommitResult {
        let known = try await PostgresRows.ids(
            connection, "SELECT return_id FROM returns WHERE shop = \(shop) AND return_id = \(r.returnID)", logger: logger)
        if !known.isEmpty { return .alreadyRecorded }
        let version = try await versionID(r.rulesVersion, at: r.at)
        // Another process may have recorded it since the check: then this inserts nothing.
        let inserted = try await connection.query("""
            INSERT INTO returns
              (shop, return_id, posting_number, snapshot, posting_snapshot, at, source, rules_version_id, log, recorded_at)
            VALUES (\(shop), \(r.returnID), \(r.postingNumber), \(r.snapshot), \(r.postingSnapshot), \(r.at.unixSeconds), \(r.source.rawValue),
                    \(version), \(PostgresRows.namesText(r.log))::jsonb, \(recordedAt))
            ON CONFLICT (shop, return_id) DO NOTHING
            RETURNING return_id
            """, logger: logger).collect()
        if inserted.isEmpty { return .alreadyRecorded }
        try await insertHookRuns(r.hookRuns, transitionID: nil, returnID: r.returnID, version: version)
        try await PostgresEffectRows.insert(r.effects, shop: shop, transitionID: nil, connection: connection, logger: logger,
                                            at: Timestamp(unixSeconds: recordedAt))
        return .written(transitionID: nil)
    }

    private func write(_ r: NewCancellationRequest) async throws -> CommitResult {
        let known = try await PostgresRows.ids(
            connection, "SELECT cancellation_id FROM cancellation_requests WHERE shop = \(shop) AND cancellation_id = \(r.cancellationID)", logger: logger)
        if !known.isEmpty { return .alreadyRecorded }
        let version = try await versionID(r.rulesVersion, at: r.at)
        let hookRuns = JSONWriter.write(.array(r.hookRuns.map(\.json)))
        let inserted = try await connection.query("""
            INSERT INTO cancellation_requests
              (shop, cancellation_id, posting_number, snapshot, posting_snapshot, auto_approve_at, at, rules_version_id, hook_runs, log, recorded_at)
            VALUES (\(shop), \(r.cancellationID), \(r.postingNumber), \(r.snapshot), \(r.postingSnapshot), \(r.autoApproveAt?.unixSeconds),
                    \(r.at.unixSeconds), \(version), \(hookRuns)::jsonb, \(PostgresRows.namesText(r.log))::jsonb, \(recordedAt))
            ON CONFLICT (shop, cancellation_id) DO NOTHING
            RETURNING cancellation_id
            """, logger: logger).collect()
        if inserted.isEmpty { return .alreadyRecorded }
        try await PostgresEffectRows.insert(r.effects, shop: shop, transitionID: nil, connection: connection, logger: logger,
                                            at: Timestamp(unixSeconds: recordedAt))
        return .written(transitionID: nil)
    }

    private func write(_ m: NewBuyerMessage) async throws -> CommitResult {
        let version = try await versionID(m.rulesVersion, at: m.at)
        let hookRuns = JSONWriter.write(.array(m.hookRuns.map(\.json)))
        let inserted = try await connection.query("""
            INSERT INTO buyer_messages
              (shop, message_id, chat_id, chat_type, posting_number, user_type, snapshot, posting_snapshot, source, at, rules_version_id,
               hook_runs, log, recorded_at)
            VALUES (\(shop), \(m.messageID), \(m.chatID), \(m.chatType), \(m.postingNumber), \(m.userType), \(m.snapshot), \(m.postingSnapshot),
                    \(m.source), \(m.at.unixSeconds), \(version), \(hookRuns)::jsonb, \(PostgresRows.namesText(m.log))::jsonb, \(recordedAt))
            ON CONFLICT (shop, message_id) DO NOTHING
            RETURNING message_id
            """, logger: logger).collect()
        guard !inserted.isEmpty else {
            if var inbox = m.inbox {
                inbox.outcome = "duplicate"
                try await markDone(inbox, transitionID: nil)
            }
            return .alreadyRecorded
        }
        try await PostgresEffectRows.insert(m.effects, shop: shop, transitionID: nil, connection: connection, logger: logger,
                                            at: Timestamp(unixSeconds: recordedAt))
        if let inbox = m.inbox { try await markDone(inbox, transitionID: nil) }
        return .written(transitionID: nil)
    }

    private func markDone(_ completion: InboxCompletion, transitionID: Int64?) async throws {
        try await connection.query("""
            UPDATE inbox SET state = 'done', processed_at = \(completion.at.unixSeconds), outcome = \(completion.outcome),
              transition_id = \(transitionID), last_error = \(completion.error), attempts = attempts + 1
            WHERE id = \(completion.id) AND shop = \(shop)
            """, logger: logger)
    }

    /// All the runs of one evaluation in one statement.
    private func insertHookRuns(_ runs: [HookRunRecord], transitionID: Int64?, returnID: Int64?, version: Int64) async throws {
        guard !runs.isEmpty else { return }
        var bindings = PostgresBindings(capacity: runs.count * 14)
        var rows: [String] = []
        for (seq, run) in runs.enumerated() {
            let first = bindings.count + 1
            let placeholders = (first..<first + 14).map { n in n == first + 5 ? "$\(n)::jsonb" : "$\(n)" }
            rows.append("(" + placeholders.joined(separator: ", ") + ")")
            bindings.append(shop)
            bindings.append(transitionID)
            bindings.append(returnID)
            bindings.append(Int64(seq))
            bindings.append(run.hook)
            bindings.append(PostgresRows.namesText(run.decisionsSeen))
            bindings.append(version)
            bindings.append(run.decision)
            bindings.append(run.error?.code)
            bindings.append(run.error?.file)
            bindings.append(run.error.flatMap { $0.line.map(Int64.init) })
            bindings.append(run.error?.message)
            bindings.append(run.instructions)
            bindings.append(run.durationNanoseconds)
        }
        let sql = """
            INSERT INTO hook_runs
              (shop, transition_id, return_id, seq, hook, decisions_seen, rules_version_id, decision_text,
               error_code, error_file, error_line, error_message, instructions, duration_ns)
            VALUES \(rows.joined(separator: ", "))
            """
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
    }

    /// The compare-and-set on the timer's state and token comes first: a firing that lost (the
    /// timer fired, was cancelled or was claimed again) writes nothing.
    private func write(_ f: TimerFiring) async throws -> CommitResult {
        let version = try await versionID(f.rulesVersion, at: f.at)
        let hookRuns = JSONWriter.write(.array(f.hookRuns.map(\.json)))
        let fired = try await connection.query("""
            UPDATE timers SET state = 'fired', ended_at = \(f.at.unixSeconds), fired_snapshot = \(f.snapshot),
              fired_rules_version_id = \(version), fired_hook_runs = \(hookRuns)::jsonb,
              fired_log = \(PostgresRows.namesText(f.log))::jsonb
            WHERE id = \(f.timerID) AND shop = \(shop) AND state = 'armed' AND attempts = \(Int64(f.attempts))
            RETURNING id
            """, logger: logger).collect()
        if fired.isEmpty { return .alreadyRecorded }
        try await PostgresEffectRows.insert(f.effects, shop: shop, transitionID: nil, connection: connection, logger: logger,
                                            at: Timestamp(unixSeconds: recordedAt))
        return .written(transitionID: nil)
    }

    /// The row id of a rules version, inserting it the first time it is used.
    private func versionID(_ version: RulesVersion, at: Timestamp) async throws -> Int64 {
        if let id = versionIDs[version.digest] { return id }
        let inserted = try await connection.query("""
            INSERT INTO rules_versions (shop, digest, files, first_used_at)
            VALUES (\(shop), \(version.digest), \(version.filesJSON)::jsonb, \(at.unixSeconds))
            ON CONFLICT (shop, digest) DO NOTHING
            RETURNING id
            """, logger: logger).collect()
        // Known already: a statement of its own, so it sees a row another process has just committed.
        let rows = inserted.isEmpty
            ? try await connection.query("SELECT id FROM rules_versions WHERE shop = \(shop) AND digest = \(version.digest)", logger: logger).collect()
            : inserted
        let id = try PostgresRows.cell(try first(rows, "rules_versions.id"), 0, Int64.self, "rules_versions.id")
        versionIDs[version.digest] = id
        return id
    }

    private func first(_ rows: [PostgresRow], _ what: String) throws(StoreError) -> PostgresRow {
        guard let row = rows.first else { throw StoreError.corrupt("\(what): no row came back from the insert") }
        return row
    }
}

import GRDB
import PostingModel
import PostingStore

/// The writes of one commit. Each change runs in its own savepoint, so one posting's rows are
/// stored together or not at all even inside a larger batch.
final class CommitWriter {
    let db: Database
    /// Every row written is this shop's.
    let shop: String
    private var versionIDs: [String: Int64] = [:]
    private let recordedAt: Timestamp

    init(db: Database, shop: String, recordedAt: Timestamp) {
        self.db = db
        self.shop = shop
        self.recordedAt = recordedAt
    }

    func write(_ change: StoreChange) throws -> CommitResult {
        var result = CommitResult.written(transitionID: nil)
        try atomically {
            switch change {
            case .posting(let change): result = try write(change)
            case .returnEvent(let event): result = try write(event)
            case .cancellationRequest(let request): result = try write(request)
            case .timerFiring(let firing): result = try write(firing)
            case .buyerMessage(let message): result = try write(message)
            case .inboxDone(let completion):
                try markDone(completion, transitionID: nil)
            }
        }
        return result
    }

    /// Runs `body` in a savepoint. A rolled-back savepoint may take a new rules version row with
    /// it, so the cache of version ids is dropped on failure.
    private func atomically(_ body: () throws -> Void) throws {
        do {
            try db.inSavepoint {
                try body()
                return .commit
            }
        } catch {
            versionIDs.removeAll()
            throw error
        }
    }

    private func write(_ change: PostingChange) throws -> CommitResult {
        let p = change.posting
        let stored = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT revision FROM postings WHERE shop = ? AND posting_number = ?"), arguments: [shop, p.postingNumber])
        guard stored == change.expectedRevision else {
            return .conflict(current: try RowDecoding.posting(db, shop, p.postingNumber))
        }
        // With a transition the snapshot is stored on the transition row only.
        let ownSnapshot = change.transition == nil ? p.snapshot : nil
        try db.cachedStatement(sql: """
            INSERT INTO postings (shop, posting_number, status, substatus, snapshot, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT (shop, posting_number) DO UPDATE SET
              status = excluded.status, substatus = excluded.substatus,
              snapshot = excluded.snapshot, updated_at = excluded.updated_at, revision = postings.revision + 1
            """).execute(arguments: [shop, p.postingNumber, p.status.rawValue, p.substatus, ownSnapshot, p.updatedAt.unixSeconds])
        var transitionID: Int64?
        if let t = change.transition {
            let version = try versionID(t.rulesVersion, at: t.at)
            try db.cachedStatement(sql: """
                INSERT INTO transitions
                  (shop, posting_number, from_status, to_status, at, source, snapshot, carrier_decided, rules_version_id, log, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                    shop, p.postingNumber, t.from?.rawValue, t.to.rawValue, t.at.unixSeconds, t.source.rawValue, p.snapshot,
                    t.carrierDecided, version, CommitWriter.logText(t.log), recordedAt.unixSeconds,
                ])
            let id = db.lastInsertedRowID
            transitionID = id
            try insertHookRuns(t.hookRuns, transitionID: id, returnID: nil, version: version)
            try TimerRows.rearm(change.timers, shop: shop, postingNumber: p.postingNumber, wasStored: change.expectedRevision != nil,
                                transitionID: id, armedAt: t.at, db: db)
        }
        try EffectRows.insert(change.effects, shop: shop, transitionID: transitionID, db: db, at: recordedAt)
        if let inbox = change.inbox { try markDone(inbox, transitionID: transitionID) }
        return .written(transitionID: transitionID)
    }

    private func write(_ r: NewReturn) throws -> CommitResult {
        let known = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM returns WHERE shop = ? AND return_id = ?)"), arguments: [shop, r.returnID]) ?? false
        if known { return .alreadyRecorded }
        let version = try versionID(r.rulesVersion, at: r.at)
        try db.cachedStatement(sql: """
            INSERT INTO returns
              (shop, return_id, posting_number, snapshot, posting_snapshot, at, source, rules_version_id, log, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                shop, r.returnID, r.postingNumber, r.snapshot, r.postingSnapshot, r.at.unixSeconds, r.source.rawValue, version,
                CommitWriter.logText(r.log), recordedAt.unixSeconds,
            ])
        try insertHookRuns(r.hookRuns, transitionID: nil, returnID: r.returnID, version: version)
        try EffectRows.insert(r.effects, shop: shop, transitionID: nil, db: db, at: recordedAt)
        return .written(transitionID: nil)
    }

    private func write(_ r: NewCancellationRequest) throws -> CommitResult {
        let known = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM cancellation_requests WHERE shop = ? AND cancellation_id = ?)"),
            arguments: [shop, r.cancellationID]) ?? false
        if known { return .alreadyRecorded }
        let version = try versionID(r.rulesVersion, at: r.at)
        try db.cachedStatement(sql: """
            INSERT INTO cancellation_requests
              (shop, cancellation_id, posting_number, snapshot, posting_snapshot, auto_approve_at, at, rules_version_id, hook_runs, log, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                shop, r.cancellationID, r.postingNumber, r.snapshot, r.postingSnapshot, r.autoApproveAt?.unixSeconds, r.at.unixSeconds,
                version, JSONWriter.write(.array(r.hookRuns.map(\.json))), CommitWriter.logText(r.log), recordedAt.unixSeconds,
            ])
        try EffectRows.insert(r.effects, shop: shop, transitionID: nil, db: db, at: recordedAt)
        return .written(transitionID: nil)
    }

    private func write(_ f: TimerFiring) throws -> CommitResult {
        let version = try versionID(f.rulesVersion, at: f.at)
        try db.cachedStatement(sql: """
            UPDATE timers SET state = 'fired', ended_at = ?, fired_snapshot = ?, fired_rules_version_id = ?, fired_hook_runs = ?,
              fired_log = ?
            WHERE id = ? AND shop = ? AND state = 'armed' AND attempts = ?
            """).execute(arguments: [
                f.at.unixSeconds, f.snapshot, version, JSONWriter.write(.array(f.hookRuns.map(\.json))), CommitWriter.logText(f.log),
                f.timerID, shop, f.attempts,
            ])
        guard db.changesCount == 1 else { return .alreadyRecorded }
        try EffectRows.insert(f.effects, shop: shop, transitionID: nil, db: db, at: recordedAt)
        return .written(transitionID: nil)
    }

    private func write(_ m: NewBuyerMessage) throws -> CommitResult {
        let known = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM buyer_messages WHERE shop = ? AND message_id = ?)"),
            arguments: [shop, m.messageID]) ?? false
        if known {
            if var inbox = m.inbox {
                inbox.outcome = "duplicate"
                try markDone(inbox, transitionID: nil)
            }
            return .alreadyRecorded
        }
        let version = try versionID(m.rulesVersion, at: m.at)
        try db.cachedStatement(sql: """
            INSERT INTO buyer_messages
              (shop, message_id, chat_id, chat_type, posting_number, user_type, snapshot, posting_snapshot, source, at, rules_version_id,
               hook_runs, log, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                shop, m.messageID, m.chatID, m.chatType, m.postingNumber, m.userType, m.snapshot, m.postingSnapshot, m.source,
                m.at.unixSeconds, version, JSONWriter.write(.array(m.hookRuns.map(\.json))), CommitWriter.logText(m.log),
                recordedAt.unixSeconds,
            ])
        try EffectRows.insert(m.effects, shop: shop, transitionID: nil, db: db, at: recordedAt)
        if let inbox = m.inbox { try markDone(inbox, transitionID: nil) }
        return .written(transitionID: nil)
    }

    private func markDone(_ completion: InboxCompletion, transitionID: Int64?) throws {
        try db.cachedStatement(sql: """
            UPDATE inbox SET state = 'done', processed_at = ?, outcome = ?, transition_id = ?, last_error = ?,
              attempts = attempts + 1
            WHERE id = ? AND shop = ?
            """).execute(arguments: [
                completion.at.unixSeconds, completion.outcome, transitionID, completion.error, completion.id, shop,
            ])
    }

    private func insertHookRuns(_ runs: [HookRunRecord], transitionID: Int64?, returnID: Int64?, version: Int64) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO hook_runs
              (shop, transition_id, return_id, seq, hook, decisions_seen, rules_version_id, decision,
               error_code, error_file, error_line, error_message, instructions, duration_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (seq, run) in runs.enumerated() {
            try statement.execute(arguments: [
                shop, transitionID, returnID, seq, run.hook, CommitWriter.namesText(run.decisionsSeen), version, run.decision,
                run.error?.code, run.error?.file, run.error?.line, run.error?.message,
                run.instructions, run.durationNanoseconds,
            ])
        }
    }

    /// The row id of a rules version, inserting it the first time it is used.
    private func versionID(_ version: RulesVersion, at: Timestamp) throws -> Int64 {
        if let id = versionIDs[version.digest] { return id }
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO rules_versions (shop, digest, files, first_used_at) VALUES (?, ?, ?, ?)")
            .execute(arguments: [shop, version.digest, version.filesJSON, at.unixSeconds])
        let select = try db.cachedStatement(sql: "SELECT id FROM rules_versions WHERE shop = ? AND digest = ?")
        guard let id = try Int64.fetchOne(select, arguments: [shop, version.digest]) else {
            throw StoreError.corrupt("rules version \(version.digest) vanished after insert")
        }
        versionIDs[version.digest] = id
        return id
    }

    static func namesText(_ names: [String]) -> String? {
        names.isEmpty ? nil : Snapshot.text(.array(names.map(JSONValue.string)))
    }

    static func logText(_ log: [String]) -> String? {
        log.isEmpty ? nil : Snapshot.text(.array(log.map(JSONValue.string)))
    }
}

import Foundation
import GRDB
import PostingStore
import PostingModel

/// Reads and writes of one write transaction. Each `apply`/`record` runs in its own savepoint, so
/// one posting's rows are stored together or not at all even inside a larger batch.
final class SQLiteSession: PostingStoreSession {
    let db: Database
    private var versionIDs: [String: Int64] = [:]
    private let recordedAt = Int64(Date().timeIntervalSince1970)

    init(db: Database) {
        self.db = db
    }

    func posting(_ postingNumber: String) throws -> StoredPosting? {
        try RowDecoding.posting(db, postingNumber)
    }

    func hasCarrierDecision(postingNumber: String) throws -> Bool {
        let statement = try db.cachedStatement(sql: """
            SELECT EXISTS (
              SELECT 1 FROM transitions t JOIN hook_runs h ON h.transition_id = t.id
              WHERE t.posting_number = ? AND h.hook = 'carrier' AND h.decision IS NOT NULL)
            """)
        return try Bool.fetchOne(statement, arguments: [postingNumber]) ?? false
    }

    func containsReturn(_ returnID: Int64) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM returns WHERE return_id = ?)")
        return try Bool.fetchOne(statement, arguments: [returnID]) ?? false
    }

    @discardableResult
    func apply(_ change: PostingChange) throws -> Int64? {
        var transitionID: Int64?
        try atomically {
            transitionID = try write(change)
        }
        return transitionID
    }

    func record(_ returnEvent: NewReturn) throws {
        try atomically {
            try write(returnEvent)
        }
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

    private func write(_ change: PostingChange) throws -> Int64? {
        let p = change.posting
        // With a transition the snapshot is stored on the transition row only.
        let ownSnapshot = change.transition == nil ? p.snapshot : nil
        try db.cachedStatement(sql: """
            INSERT INTO postings (posting_number, status, substatus, snapshot, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (posting_number) DO UPDATE SET
              status = excluded.status, substatus = excluded.substatus,
              snapshot = excluded.snapshot, updated_at = excluded.updated_at
            """).execute(arguments: [p.postingNumber, p.status.rawValue, p.substatus, ownSnapshot, p.updatedAt])
        guard let t = change.transition else { return nil }
        let version = try versionID(t.rulesVersion, at: t.at)
        try db.cachedStatement(sql: """
            INSERT INTO transitions
              (posting_number, from_status, to_status, at, source, snapshot, carrier_decided, rules_version_id, log, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                p.postingNumber, t.from?.rawValue, t.to.rawValue, t.at, t.source.rawValue, p.snapshot,
                t.carrierDecided, version, SQLiteSession.logText(t.log), recordedAt,
            ])
        let id = db.lastInsertedRowID
        try insertHookRuns(t.hookRuns, transitionID: id, returnID: nil, version: version)
        return id
    }

    private func write(_ r: NewReturn) throws {
        let version = try versionID(r.rulesVersion, at: r.at)
        try db.cachedStatement(sql: """
            INSERT INTO returns
              (return_id, posting_number, snapshot, posting_snapshot, at, source, rules_version_id, log, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                r.returnID, r.postingNumber, r.snapshot, r.postingSnapshot, r.at, r.source.rawValue, version,
                SQLiteSession.logText(r.log), recordedAt,
            ])
        try insertHookRuns(r.hookRuns, transitionID: nil, returnID: r.returnID, version: version)
    }

    private func insertHookRuns(_ runs: [HookRunRecord], transitionID: Int64?, returnID: Int64?, version: Int64) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO hook_runs
              (transition_id, return_id, seq, hook, decisions_seen, rules_version_id, decision,
               error_code, error_file, error_line, error_message, instructions, duration_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (seq, run) in runs.enumerated() {
            try statement.execute(arguments: [
                transitionID, returnID, seq, run.hook, SQLiteSession.namesText(run.decisionsSeen), version, run.decision,
                run.error?.code, run.error?.file, run.error?.line, run.error?.message,
                run.instructions, run.durationNanoseconds,
            ])
        }
    }

    /// The row id of a rules version, inserting it the first time it is used.
    private func versionID(_ version: RulesVersion, at: Int64) throws -> Int64 {
        if let id = versionIDs[version.digest] { return id }
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO rules_versions (digest, files, first_used_at) VALUES (?, ?, ?)")
            .execute(arguments: [version.digest, version.filesJSON, at])
        let select = try db.cachedStatement(sql: "SELECT id FROM rules_versions WHERE digest = ?")
        guard let id = try Int64.fetchOne(select, arguments: [version.digest]) else {
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

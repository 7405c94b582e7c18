import Foundation
import GRDB
import PostingModel
import PostingStore

/// The inbox of push notifications and the outbox of requests to Ozon.
extension SQLitePostingStore {
    // MARK: Inbox

    public func accept(_ n: NewNotification) async throws -> InboxAcceptance {
        let shop = shop
        return try await writing { db in
            try db.execute(sql: """
                INSERT INTO inbox (shop, dedupe_key, message_type, posting_number, payload, peer, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(shop, dedupe_key) DO NOTHING
                """, arguments: [shop, n.dedupeKey, n.messageType, n.postingNumber, n.payload, n.peer, n.receivedAt.unixSeconds])
            if db.changesCount > 0 { return .stored(id: db.lastInsertedRowID) }
            try db.execute(sql: "UPDATE inbox SET duplicates = duplicates + 1 WHERE shop = ? AND dedupe_key = ?", arguments: [shop, n.dedupeKey])
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM inbox WHERE shop = ? AND dedupe_key = ?", arguments: [shop, n.dedupeKey]) ?? 0
            return .duplicate(id: id)
        }
    }

    public func nextInboxItem(dueAt now: Timestamp) async throws -> InboxItem? {
        let shop = shop
        return try await reading { db in
            try Row.fetchOne(db, sql: """
                SELECT id, message_type, posting_number, attempts FROM inbox
                WHERE shop = ? AND state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT 1
                """, arguments: [shop, now.unixSeconds]).map { row in
                InboxItem(
                    id: try row.decode(Int64.self, atIndex: 0), messageType: try row.decode(String.self, atIndex: 1),
                    postingNumber: try row.decode(String?.self, atIndex: 2) ?? "", attempts: try row.decode(Int.self, atIndex: 3))
            }
        }
    }

    public func retryInboxItem(_ id: Int64, error: String, retryAt: Timestamp?) async throws {
        let now = Timestamp.now().unixSeconds
        let shop = shop
        try await writing { db in
            try db.execute(sql: """
                UPDATE inbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = coalesce(?, next_attempt_at),
                  state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
                  processed_at = CASE WHEN ? IS NULL THEN ? ELSE processed_at END
                WHERE id = ? AND shop = ?
                """, arguments: [error, retryAt?.unixSeconds, retryAt?.unixSeconds, retryAt?.unixSeconds, now, id, shop])
        }
    }

    public func pendingInboxCount() async throws -> Int {
        let shop = shop
        return try await reading { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM inbox WHERE shop = ? AND state = 'pending'", arguments: [shop]) ?? 0 }
    }

    // MARK: Outbox

    public func planEffects(_ effects: [NewEffect], at: Timestamp) async throws -> [Int64?] {
        let shop = shop
        return try await writing { db in try EffectRows.insert(effects, shop: shop, transitionID: nil, db: db, at: at) }
    }

    public func nextEffect(dueAt now: Timestamp, kinds: Set<EffectKind>?) async throws -> Effect? {
        let kindFilter = kinds.map { set in
            "AND e.kind IN (" + set.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")"
        } ?? ""
        let shop = shop
        return try await reading { db in
            try Row.fetchOne(db, sql: """
                SELECT \(EffectRows.columns("e")) FROM effects e
                WHERE e.shop = ? AND e.state IN ('planned', 'sending') AND e.next_attempt_at <= ? \(kindFilter)
                  AND NOT EXISTS (SELECT 1 FROM effects p WHERE p.shop = e.shop AND p.subject = e.subject AND p.id < e.id
                                  AND p.state IN ('planned', 'sending'))
                ORDER BY e.next_attempt_at, e.id LIMIT 1
                """, arguments: [shop, now.unixSeconds]).map(EffectRows.effect)
        }
    }

    public func claimEffect(_ id: Int64, attempts: Int, now: Timestamp, leaseUntil: Timestamp) async throws -> Effect? {
        let shop = shop
        return try await writing { db in
            try db.execute(sql: """
                UPDATE effects SET state = 'sending', attempts = attempts + 1, sent_at = ?, next_attempt_at = ?
                WHERE id = ? AND shop = ? AND attempts = ? AND state IN ('planned', 'sending')
                """, arguments: [now.unixSeconds, leaseUntil.unixSeconds, id, shop, attempts])
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT \(EffectRows.columns("e")) FROM effects e WHERE id = ?", arguments: [id])
                .map(EffectRows.effect)
        }
    }

    public func finishEffect(_ id: Int64, attempts: Int, outcome: EffectOutcome, followUps: [NewEffect], at: Timestamp) async throws -> Bool {
        let shop = shop
        return try await writing { db in
            let open = outcome.state.isOpen
            try db.execute(sql: """
                UPDATE effects SET state = ?, response = coalesce(?, response), error = ?,
                  next_attempt_at = coalesce(?, next_attempt_at), finished_at = ?, progress = coalesce(?, progress)
                WHERE id = ? AND shop = ? AND attempts = ?
                """, arguments: [
                    outcome.state.rawValue, outcome.response, outcome.error, open ? outcome.retryAt?.unixSeconds : nil,
                    open ? nil : at.unixSeconds, outcome.progress.map { JSONWriter.write($0) }, id, shop, attempts,
                ])
            guard db.changesCount == 1 else { return false }
            if !followUps.isEmpty { _ = try EffectRows.insert(followUps, shop: shop, transitionID: nil, db: db, at: at) }
            return true
        }
    }

    public func effects(_ query: EffectQuery) async throws -> [Effect] {
        var conditions: [String] = ["e.shop = ?"]
        let postingNumber = query.postingNumber
        let shop = shop
        if postingNumber != nil { conditions.append("e.posting_number = ?") }
        if let states = query.states {
            conditions.append("e.state IN (" + states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")")
        }
        if let kinds = query.kinds {
            conditions.append("e.kind IN (" + kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")")
        }
        let whereClause = "WHERE " + conditions.joined(separator: " AND ")
        let limit = query.limit.map { " LIMIT \($0)" } ?? ""
        return try await reading { db in
            try Row.fetchAll(db, sql: "SELECT \(EffectRows.columns("e")) FROM effects e \(whereClause) ORDER BY e.id\(limit)",
                             arguments: StatementArguments([shop] + (postingNumber.map { [$0] } ?? []))).map(EffectRows.effect)
        }
    }

    public func effectCounts() async throws -> [EffectState: Int] {
        let shop = shop
        return try await reading { db in
            var counts: [EffectState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM effects WHERE shop = ? GROUP BY state", arguments: [shop]) {
                let text = try row.decode(String.self, atIndex: 0)
                guard let state = EffectState(rawValue: text) else { throw StoreError.corrupt("effects.state: unknown state '\(text)'") }
                counts[state] = try row.decode(Int.self, atIndex: 1)
            }
            return counts
        }
    }

    public func recordCall(_ call: APICallRecord) async throws {
        let shop = shop
        try await writing { db in
            try db.execute(sql: """
                INSERT INTO api_calls (shop, effect_id, posting_number, path, request, applied, http_status, response, error, attempts, at, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    shop, call.effectID, call.postingNumber, call.path, JSONWriter.write(call.body), call.applied, call.httpStatus,
                    call.response.map { String($0.prefix(65536)) }, call.error, call.attempts, call.at.unixSeconds,
                    call.durationMilliseconds,
                ])
        }
    }

    // MARK: Labels

    public func saveLabelFile(_ file: LabelFile) async throws -> Int64 {
        let shop = shop
        return try await writing { db in
            try db.execute(sql: "INSERT INTO label_files (shop, task_id, pdf, fetched_at) VALUES (?, ?, ?, ?)",
                           arguments: [shop, file.taskID, Data(file.pdf), file.fetchedAt.unixSeconds])
            let id = db.lastInsertedRowID
            for number in Set(file.postingNumbers) {
                try db.execute(sql: "INSERT OR IGNORE INTO label_postings (posting_number, label_file_id) VALUES (?, ?)",
                               arguments: [number, id])
            }
            return id
        }
    }

    public func labelFiles(postingNumbers: [String]?) async throws -> [StoredLabelFile] {
        let shop = shop
        return try await reading { db in
            let ids: [Int64]
            if let postingNumbers {
                var found = Set<Int64>()
                for number in postingNumbers {
                    found.formUnion(try Int64.fetchAll(db, sql: """
                        SELECT lp.label_file_id FROM label_postings lp JOIN label_files f ON f.id = lp.label_file_id
                        WHERE f.shop = ? AND lp.posting_number = ?
                        """, arguments: [shop, number]))
                }
                ids = found.sorted()
            } else {
                ids = try Int64.fetchAll(db, sql: "SELECT id FROM label_files WHERE shop = ? ORDER BY id", arguments: [shop])
            }
            return try ids.compactMap { id -> StoredLabelFile? in
                guard let row = try Row.fetchOne(db, sql: "SELECT task_id, pdf, fetched_at FROM label_files WHERE id = ?", arguments: [id]) else {
                    return nil
                }
                let numbers = try String.fetchAll(db, sql: "SELECT posting_number FROM label_postings WHERE label_file_id = ? ORDER BY posting_number",
                                                  arguments: [id])
                let pdf: Data = try row.decode(Data.self, atIndex: 1)
                return StoredLabelFile(id: id, file: LabelFile(
                    postingNumbers: numbers, taskID: try row.decode(Int64?.self, atIndex: 0), pdf: Array(pdf),
                    fetchedAt: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 2))))
            }
        }
    }

    // MARK: Buyer requests

    public func recordedCancellationRequests(_ ids: [Int64]) async throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let shop = shop
        return try await reading { db in
            var known: Set<Int64> = []
            for id in ids where try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM cancellation_requests WHERE shop = ? AND cancellation_id = ?)", arguments: [shop, id]) ?? false {
                known.insert(id)
            }
            return known
        }
    }
}

/// The `effects` table's rows.
enum EffectRows {
    static func columns(_ alias: String) -> String {
        ["id", "effect_key", "kind", "subject", "posting_number", "return_id", "cancellation_id", "transition_id", "method", "request",
         "state", "attempts", "next_attempt_at", "planned_at", "sent_at", "finished_at", "response", "error", "progress"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    static func effect(_ row: Row) throws -> Effect {
        let kindText = try row.decode(String.self, atIndex: 2)
        guard let kind = EffectKind(rawValue: kindText) else { throw StoreError.corrupt("effects.kind: unknown kind '\(kindText)'") }
        let stateText = try row.decode(String.self, atIndex: 10)
        guard let state = EffectState(rawValue: stateText) else { throw StoreError.corrupt("effects.state: unknown state '\(stateText)'") }
        let progress = try row.decode(String?.self, atIndex: 18)
        return Effect(
            id: try row.decode(Int64.self, atIndex: 0), key: try row.decode(String.self, atIndex: 1), kind: kind,
            subject: try row.decode(String.self, atIndex: 3), postingNumber: try row.decode(String?.self, atIndex: 4),
            returnID: try row.decode(Int64?.self, atIndex: 5), cancellationID: try row.decode(Int64?.self, atIndex: 6),
            transitionID: try row.decode(Int64?.self, atIndex: 7), method: try row.decode(String.self, atIndex: 8),
            request: try Snapshot.value(try row.decode(String.self, atIndex: 9), what: "effects.request"), state: state,
            attempts: try row.decode(Int.self, atIndex: 11), nextAttemptAt: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 12)),
            plannedAt: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 13)),
            sentAt: try row.decode(Int64?.self, atIndex: 14).map(Timestamp.init(unixSeconds:)),
            finishedAt: try row.decode(Int64?.self, atIndex: 15).map(Timestamp.init(unixSeconds:)),
            response: try row.decode(String?.self, atIndex: 16), error: try row.decode(String?.self, atIndex: 17),
            progress: try progress.map { try Snapshot.value($0, what: "effects.progress") })
    }

    /// Inserts effects not planned yet (by key); answers each new id, nil for a known key.
    @discardableResult
    static func insert(_ effects: [NewEffect], shop: String, transitionID: Int64?, db: Database, at: Timestamp) throws -> [Int64?] {
        guard !effects.isEmpty else { return [] }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO effects (shop, effect_key, kind, subject, posting_number, return_id, cancellation_id, transition_id, method,
                                 request, next_attempt_at, planned_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shop, effect_key) DO NOTHING
            """)
        return try effects.map { effect in
            try statement.execute(arguments: [
                shop, effect.key, effect.kind.rawValue, effect.subject.description, effect.postingNumber, effect.returnID,
                effect.cancellationID, transitionID, effect.method, JSONWriter.write(effect.request), (effect.notBefore ?? at).unixSeconds,
                at.unixSeconds,
            ])
            return db.changesCount == 1 ? db.lastInsertedRowID : nil
        }
    }
}

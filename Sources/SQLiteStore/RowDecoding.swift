import GRDB
import PostingStore
import PostingModel

/// Rows to records. Every column is decoded with a throwing accessor: a damaged row is a
/// `StoreError`, never a crash.
enum RowDecoding {
    static func posting(_ db: Database, _ shop: String, _ postingNumber: String) throws -> StoredPosting? {
        let statement = try db.cachedStatement(sql: """
            SELECT p.posting_number, p.status, p.substatus,
              coalesce(p.snapshot, (SELECT t.snapshot FROM transitions t WHERE t.shop = p.shop AND t.posting_number = p.posting_number
                                    ORDER BY t.id DESC LIMIT 1)),
              p.updated_at, p.revision,
              (SELECT t.at FROM transitions t WHERE t.shop = p.shop AND t.posting_number = p.posting_number ORDER BY t.id DESC LIMIT 1)
            FROM postings p WHERE p.shop = ? AND p.posting_number = ?
            """)
        guard let row = try Row.fetchOne(statement, arguments: [shop, postingNumber]) else { return nil }
        return StoredPosting(
            postingNumber: try row.decode(String.self, atIndex: 0),
            status: try status(row, 1, what: "postings.status"),
            substatus: try row.decode(String?.self, atIndex: 2),
            snapshot: try row.decode(String.self, atIndex: 3),
            updatedAt: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 4)),
            revision: try row.decode(Int64.self, atIndex: 5),
            enteredAt: try row.decode(Int64?.self, atIndex: 6).map(Timestamp.init(unixSeconds:)))
    }

    /// Columns of `transitionSelect`, in order.
    static let transitionColumns = """
        t.id, t.posting_number, t.from_status, t.to_status, t.at, t.source, t.snapshot, t.carrier_decided, v.digest, t.log
        """

    static func transition(_ db: Database, _ row: Row) throws -> RecordedTransition {
        let id = try row.decode(Int64.self, atIndex: 0)
        let fromText = try row.decode(String?.self, atIndex: 2)
        return RecordedTransition(
            id: id,
            postingNumber: try row.decode(String.self, atIndex: 1),
            from: try fromText.map { text throws(StoreError) in try status(text, what: "transitions.from_status") },
            to: try status(row, 3, what: "transitions.to_status"),
            at: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 4)),
            source: try row.decode(String.self, atIndex: 5),
            snapshot: try row.decode(String.self, atIndex: 6),
            carrierDecided: try row.decode(Bool.self, atIndex: 7),
            rulesVersion: try row.decode(String.self, atIndex: 8),
            hookRuns: try hookRuns(db, transitionID: id),
            log: try log(row.decode(String?.self, atIndex: 9)))
    }

    /// Columns of `returnSelect`, in order.
    static let returnColumns = """
        r.return_id, r.posting_number, r.snapshot, r.posting_snapshot, r.at, r.source, v.digest, r.log
        """

    static func returnEvent(_ db: Database, _ row: Row, shop: String) throws -> RecordedReturn {
        let id = try row.decode(Int64.self, atIndex: 0)
        return RecordedReturn(
            returnID: id,
            postingNumber: try row.decode(String.self, atIndex: 1),
            snapshot: try row.decode(String.self, atIndex: 2),
            postingSnapshot: try row.decode(String?.self, atIndex: 3),
            at: Timestamp(unixSeconds: try row.decode(Int64.self, atIndex: 4)),
            source: try row.decode(String.self, atIndex: 5),
            rulesVersion: try row.decode(String.self, atIndex: 6),
            hookRuns: try hookRuns(db, shop: shop, returnID: id),
            log: try log(row.decode(String?.self, atIndex: 7)))
    }

    static let hookRunColumns = "hook, decisions_seen, decision, error_code, error_file, error_line, error_message, instructions, duration_ns"

    static func hookRuns(_ db: Database, transitionID: Int64) throws -> [HookRunRecord] {
        let statement = try db.cachedStatement(sql: "SELECT \(hookRunColumns) FROM hook_runs WHERE transition_id = ? ORDER BY seq")
        return try hookRuns(Row.fetchCursor(statement, arguments: [transitionID]))
    }

    static func hookRuns(_ db: Database, shop: String, returnID: Int64) throws -> [HookRunRecord] {
        let statement = try db.cachedStatement(sql: "SELECT \(hookRunColumns) FROM hook_runs WHERE shop = ? AND return_id = ? ORDER BY seq")
        return try hookRuns(Row.fetchCursor(statement, arguments: [shop, returnID]))
    }

    static func hookRuns(_ rows: RowCursor) throws -> [HookRunRecord] {
        var runs: [HookRunRecord] = []
        while let row = try rows.next() {
            var error: RecordedError?
            if let code = try row.decode(String?.self, atIndex: 3) {
                error = RecordedError(
                    code: code, file: try row.decode(String?.self, atIndex: 4), line: try row.decode(Int?.self, atIndex: 5),
                    message: try row.decode(String?.self, atIndex: 6) ?? "")
            }
            runs.append(HookRunRecord(
                hook: try row.decode(String.self, atIndex: 0),
                decisionsSeen: try strings(row.decode(String?.self, atIndex: 1), what: "hook_runs.decisions_seen"),
                decision: try row.decode(String?.self, atIndex: 2),
                error: error,
                instructions: try row.decode(Int64.self, atIndex: 7),
                durationNanoseconds: try row.decode(Int64.self, atIndex: 8)))
        }
        return runs
    }

    static func status(_ row: Row, _ index: Int, what: String) throws -> PostingStatus {
        try status(try row.decode(String.self, atIndex: index), what: what)
    }

    static func status(_ text: String, what: String) throws(StoreError) -> PostingStatus {
        guard let status = PostingStatus(rawValue: text) else {
            throw StoreError.corrupt("\(what): unknown status '\(text)'")
        }
        return status
    }

    static func log(_ text: String?) throws -> [String] {
        try strings(text, what: "log")
    }

    /// A stored JSON array of strings; NULL is empty.
    static func strings(_ text: String?, what: String) throws -> [String] {
        guard let text else { return [] }
        guard case .array(let items) = try Snapshot.value(text, what: what) else {
            throw StoreError.corrupt("\(what): expected a JSON array")
        }
        return items.compactMap(\.stringValue)
    }
}

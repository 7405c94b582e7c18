import GRDB
import PostingModel
import PostingStore

/// Transitions and returns merged into one timeline: by time, then transitions before returns,
/// then by recording order.
struct HistoryQuery {
    var shop: String
    var postingNumber: String?
    var since: Int64?
    var limit: Int?

    func forEach(_ db: Database, _ body: (RecordedEvaluation) throws -> Void) throws {
        if let limit {
            // The last `limit` of each kind, merged, of which the last `limit` overall.
            let transitions = Array(try Array(cursor(db, kind: .transition, newestFirst: limit)).reversed())
            let returns = Array(try Array(cursor(db, kind: .returnEvent, newestFirst: limit)).reversed())
            var merged: [RecordedEvaluation] = []
            var t = transitions.makeIterator(), r = returns.makeIterator()
            try merge(next: { t.next() }, { r.next() }) { merged.append($0) }
            for item in merged.suffix(limit) { try body(item) }
            return
        }
        let transitions = try cursor(db, kind: .transition, newestFirst: nil)
        let returns = try cursor(db, kind: .returnEvent, newestFirst: nil)
        try merge(next: { try transitions.next() }, { try returns.next() }, body)
    }

    private enum Kind { case transition, returnEvent }

    /// Recorded evaluations of one kind, oldest first, or the newest `newestFirst` of them newest first.
    private func cursor(_ db: Database, kind: Kind, newestFirst: Int?) throws -> MapCursor<RowCursor, RecordedEvaluation> {
        var arguments: StatementArguments = [shop, since ?? Int64.min]
        var filter = ""
        let order = newestFirst == nil ? "ASC" : "DESC"
        let sql: String
        switch kind {
        case .transition:
            if let postingNumber {
                filter = " AND t.posting_number = ?"
                arguments += [postingNumber]
            }
            sql = """
                SELECT \(RowDecoding.transitionColumns) FROM transitions t JOIN rules_versions v ON v.id = t.rules_version_id
                WHERE t.shop = ? AND t.at >= ?\(filter) ORDER BY t.at \(order), t.id \(order)
                """
        case .returnEvent:
            if let postingNumber {
                filter = " AND r.posting_number = ?"
                arguments += [postingNumber]
            }
            sql = """
                SELECT \(RowDecoding.returnColumns) FROM returns r JOIN rules_versions v ON v.id = r.rules_version_id
                WHERE r.shop = ? AND r.at >= ?\(filter) ORDER BY r.at \(order), r.return_id \(order)
                """
        }
        let limited = newestFirst.map { sql + " LIMIT \($0)" } ?? sql
        return try Row.fetchCursor(db, sql: limited, arguments: arguments).map { row in
            switch kind {
            case .transition: .transition(try RowDecoding.transition(db, row))
            case .returnEvent: .returnEvent(try RowDecoding.returnEvent(db, row, shop: shop))
            }
        }
    }

    /// Merges two time-ordered streams; on equal times transitions come first.
    private func merge(
        next nextTransition: () throws -> RecordedEvaluation?, _ nextReturn: () throws -> RecordedEvaluation?,
        _ body: (RecordedEvaluation) throws -> Void
    ) throws {
        var t = try nextTransition()
        var r = try nextReturn()
        while true {
            switch (t, r) {
            case (nil, nil):
                return
            case (let a?, nil):
                try body(a)
                t = try nextTransition()
            case (nil, let b?):
                try body(b)
                r = try nextReturn()
            case (let a?, let b?):
                if a.at <= b.at {
                    try body(a)
                    t = try nextTransition()
                } else {
                    try body(b)
                    r = try nextReturn()
                }
            }
        }
    }
}

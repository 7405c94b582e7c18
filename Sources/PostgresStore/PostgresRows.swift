import Logging
import PostgresNIO
import PostingModel
import PostingStore

/// Rows to records. Every cell is decoded with a throwing accessor that names its column: a
/// damaged row is a `StoreError`, never a crash.
enum PostgresRows {
    static func cell<T: PostgresDecodable>(_ row: PostgresRow, _ index: Int, _ type: T.Type, _ what: String) throws(StoreError) -> T {
        do {
            return try row.makeRandomAccess()[index].decode(T.self)
        } catch {
            throw StoreError.corrupt("\(what): does not decode as \(T.self)")
        }
    }

    static func cell<T: PostgresDecodable>(
        _ row: PostgresRandomAccessRow, _ index: Int, _ type: T.Type, _ what: String
    ) throws(StoreError) -> T {
        do {
            return try row[index].decode(T.self)
        } catch {
            throw StoreError.corrupt("\(what): does not decode as \(T.self)")
        }
    }

    /// The ids (first column, BIGINT) a query returns.
    static func ids(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> Set<Int64> {
        var ids: Set<Int64> = []
        for row in try await connection.query(query, logger: logger).collect() {
            ids.insert(try cell(row, 0, Int64.self, "id"))
        }
        return ids
    }

    /// The latest state of each of these postings that is stored.
    static func postings(
        _ connection: PostgresConnection, shop: String, _ numbers: [String], logger: Logger
    ) async throws -> [String: StoredPosting] {
        let rows = try await connection.query("""
            SELECT p.posting_number, p.status, p.substatus,
              coalesce(p.snapshot, (SELECT t.snapshot FROM transitions t WHERE t.shop = p.shop AND t.posting_number = p.posting_number
                                    ORDER BY t.id DESC LIMIT 1)),
              p.updated_at, p.revision,
              (SELECT t.at FROM transitions t WHERE t.shop = p.shop AND t.posting_number = p.posting_number ORDER BY t.id DESC LIMIT 1)
            FROM postings p WHERE p.shop = \(shop) AND p.posting_number = ANY(\(numbers))
            """, logger: logger).collect()
        var found: [String: StoredPosting] = [:]
        for row in rows {
            let cells = row.makeRandomAccess()
            let posting = StoredPosting(
                postingNumber: try cell(cells, 0, String.self, "postings.posting_number"),
                status: try status(try cell(cells, 1, String.self, "postings.status"), what: "postings.status"),
                substatus: try cell(cells, 2, String?.self, "postings.substatus"),
                snapshot: try cell(cells, 3, String?.self, "postings.snapshot") ?? "",
                updatedAt: Timestamp(unixSeconds: try cell(cells, 4, Int64.self, "postings.updated_at")),
                revision: try cell(cells, 5, Int64.self, "postings.revision"),
                enteredAt: try cell(cells, 6, Int64?.self, "transitions.at").map(Timestamp.init(unixSeconds:)))
            found[posting.postingNumber] = posting
        }
        return found
    }

    static func posting(_ connection: PostgresConnection, shop: String, _ number: String, logger: Logger) async throws -> StoredPosting? {
        try await postings(connection, shop: shop, [number], logger: logger)[number]
    }

    static func status(_ text: String, what: String) throws(StoreError) -> PostingStatus {
        guard let status = PostingStatus(rawValue: text) else {
            throw StoreError.corrupt("\(what): unknown status '\(text)'")
        }
        return status
    }

    /// A stored JSON array of strings (as text); NULL is empty.
    static func strings(_ text: String?, what: String) throws(StoreError) -> [String] {
        guard let text else { return [] }
        guard case .array(let items) = try Snapshot.value(text, what: what) else {
            throw StoreError.corrupt("\(what): expected a JSON array")
        }
        return items.compactMap(\.stringValue)
    }

    /// Canonical JSON text of a list of names, or NULL for none (as SQLite stores it).
    static func namesText(_ names: [String]) -> String? {
        names.isEmpty ? nil : Snapshot.text(.array(names.map(JSONValue.string)))
    }
}

import Logging
import PostgresNIO
import PostingModel
import PostingStore

/// Buyer chat messages (SPEC §7.2): once per message id, with the posting their chat belongs to.
extension PostgresPostingStore {
    public func inboxPayload(_ id: Int64) async throws -> String? {
        try await withConnection { connection in
            let rows = try await connection.query("SELECT payload FROM inbox WHERE shop = \(self.shop) AND id = \(id)", logger: self.logger).collect()
            return try rows.first.map { try PostgresRows.cell($0, 0, String.self, "inbox.payload") }
        }
    }

    public func recordedBuyerMessages(_ messageIDs: [String]) async throws -> Set<String> {
        guard !messageIDs.isEmpty else { return [] }
        return try await withConnection { connection in
            let rows = try await connection.query(
                "SELECT message_id FROM buyer_messages WHERE shop = \(self.shop) AND message_id = ANY(\(messageIDs))", logger: self.logger).collect()
            return Set(try rows.map { try PostgresRows.cell($0, 0, String.self, "buyer_messages.message_id") })
        }
    }

    public func latestBuyerMessageID(chatID: String) async throws -> String? {
        try await withConnection { connection in
            let rows = try await connection.query("""
                SELECT message_id FROM buyer_messages WHERE shop = \(self.shop) AND chat_id = \(chatID)
                ORDER BY length(ltrim(message_id, '0')) DESC, ltrim(message_id, '0') COLLATE "C" DESC LIMIT 1
                """, logger: self.logger).collect()
            return try rows.first.map { try PostgresRows.cell($0, 0, String.self, "buyer_messages.message_id") }
        }
    }

    public func chatPostingNumber(chatID: String) async throws -> String? {
        try await withConnection { connection in
            let opened = try await connection.query("""
                SELECT posting_number FROM effects
                WHERE shop = \(self.shop) AND kind = 'chat_message' AND posting_number IS NOT NULL
                  AND (progress->>'chat_id' = \(chatID) OR request->>'chat_id' = \(chatID))
                ORDER BY id LIMIT 1
                """, logger: self.logger).collect()
            if let row = opened.first { return try PostgresRows.cell(row, 0, String.self, "effects.posting_number") }
            let recorded = try await connection.query("""
                SELECT posting_number FROM buyer_messages WHERE shop = \(self.shop) AND chat_id = \(chatID) AND posting_number IS NOT NULL
                ORDER BY recorded_at, message_id LIMIT 1
                """, logger: self.logger).collect()
            return try recorded.first.map { try PostgresRows.cell($0, 0, String.self, "buyer_messages.posting_number") }
        }
    }

    public func postingNumbers(ofOrder orderNumber: String) async throws -> [String] {
        guard !orderNumber.isEmpty else { return [] }
        let prefix = orderNumber + "-"
        let length = Int64(prefix.count)
        return try await withConnection { connection in
            let rows = try await connection.query(
                "SELECT posting_number FROM postings WHERE shop = \(self.shop) AND left(posting_number, \(length)::int) = \(prefix)", logger: self.logger).collect()
            let found = try rows.map { try PostgresRows.cell($0, 0, String.self, "postings.posting_number") }
            return OrderNumbers.postings(found, ofOrder: orderNumber)
        }
    }
}

import GRDB
import PostingModel
import PostingStore

/// Buyer chat messages (SPEC §7.2): once per message id, with the posting their chat belongs to.
extension SQLitePostingStore {
    public func inboxPayload(_ id: Int64) async throws -> String? {
        let shop = shop
        return try await reading { db in
            try String.fetchOne(db, sql: "SELECT payload FROM inbox WHERE shop = ? AND id = ?", arguments: [shop, id])
        }
    }

    public func recordedBuyerMessages(_ messageIDs: [String]) async throws -> Set<String> {
        guard !messageIDs.isEmpty else { return [] }
        let shop = shop
        return try await reading { db in
            let statement = try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM buyer_messages WHERE shop = ? AND message_id = ?)")
            var known: Set<String> = []
            for id in Set(messageIDs) where try Bool.fetchOne(statement, arguments: [shop, id]) ?? false { known.insert(id) }
            return known
        }
    }

    public func latestBuyerMessageID(chatID: String) async throws -> String? {
        let shop = shop
        return try await reading { db in
            try String.fetchOne(db, sql: """
                SELECT message_id FROM buyer_messages WHERE shop = ? AND chat_id = ?
                ORDER BY length(ltrim(message_id, '0')) DESC, ltrim(message_id, '0') DESC LIMIT 1
                """, arguments: [shop, chatID])
        }
    }

    public func chatPostingNumber(chatID: String) async throws -> String? {
        let shop = shop
        return try await reading { db in
            if let number = try String.fetchOne(db, sql: """
                SELECT posting_number FROM effects
                WHERE shop = ? AND kind = 'chat_message' AND posting_number IS NOT NULL
                  AND (json_extract(progress, '$.chat_id') = ? OR json_extract(request, '$.chat_id') = ?)
                ORDER BY id LIMIT 1
                """, arguments: [shop, chatID, chatID]) {
                return number
            }
            return try String.fetchOne(db, sql: """
                SELECT posting_number FROM buyer_messages WHERE shop = ? AND chat_id = ? AND posting_number IS NOT NULL
                ORDER BY recorded_at, rowid LIMIT 1
                """, arguments: [shop, chatID])
        }
    }

    public func postingNumbers(ofOrder orderNumber: String) async throws -> [String] {
        guard !orderNumber.isEmpty else { return [] }
        let prefix = orderNumber + "-"
        let shop = shop
        return try await reading { db in
            let found = try String.fetchAll(db, sql: "SELECT posting_number FROM postings WHERE shop = ? AND substr(posting_number, 1, ?) = ?",
                                            arguments: [shop, prefix.utf8.count, prefix])
            return OrderNumbers.postings(found, ofOrder: orderNumber)
        }
    }
}

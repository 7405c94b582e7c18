import PostingModel
import PostingStore

/// Reads the console needs that are compositions of the store protocol's queries.
enum ConsoleData {
    /// Every stored posting. The store lists postings through their recorded history (each has
    /// at least the transition that brought it in), as the packing document reads them.
    static func allPostings(_ store: any PostingStore) async throws -> [StoredPosting] {
        var numbers: [String] = []
        var seen = Set<String>()
        try await store.forEachRecorded(postingNumber: nil, since: nil, limit: nil) { entry in
            if seen.insert(entry.postingNumber).inserted { numbers.append(entry.postingNumber) }
        }
        let stored = try await store.postings(numbers)
        // A return's posting may never have been stored itself.
        return numbers.compactMap { stored[$0] }
    }

    /// Latest updated first, then by number.
    static func latestFirst(_ postings: [StoredPosting]) -> [StoredPosting] {
        postings.sorted { ($0.updatedAt, $1.postingNumber) > ($1.updatedAt, $0.postingNumber) }
    }

    /// Effects matching `query` newest first, at most `limit` of them, and how many matched.
    /// The store answers oldest first and limits from the oldest, so the limit is applied here.
    static func newestEffects(_ store: any PostingStore, _ query: EffectQuery, limit: Int) async throws -> (effects: [Effect], total: Int) {
        var all = query
        all.limit = nil
        let effects = try await store.effects(all)
        return (Array(effects.suffix(limit).reversed()), effects.count)
    }
}

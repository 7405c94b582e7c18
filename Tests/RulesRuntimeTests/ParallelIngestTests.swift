import Foundation
import GRDB
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine
import Testing

@Suite("Ingest with parallel evaluation")
struct ParallelIngestTests {
    /// What the store holds, without timings and wall-clock times.
    static func content(_ harness: StoreHarness) throws -> [String] {
        try harness.store.read { db in
            let transitions = try Row.fetchAll(db, sql: """
                SELECT id, posting_number, from_status, to_status, at, source, snapshot, carrier_decided, log FROM transitions ORDER BY id
                """)
            let runs = try Row.fetchAll(db, sql: """
                SELECT transition_id, return_id, seq, hook, decisions_seen, decision, error_code, error_file, error_line, error_message
                FROM hook_runs ORDER BY id
                """)
            let postings = try Row.fetchAll(db, sql: "SELECT posting_number, status, substatus, snapshot, updated_at FROM postings ORDER BY id")
            let returns = try Row.fetchAll(db, sql: "SELECT return_id, posting_number, snapshot, posting_snapshot FROM returns ORDER BY return_id")
            return (transitions + runs + postings + returns).map(\.description)
        }
    }

    @Test("results and stored records do not depend on the number of workers or the batch size")
    func sameAsSerial() async throws {
        // The examples, then some of their postings moved on, one of them twice in a row.
        var lines: [String] = []
        for number in 0..<30 {
            lines.append(Fixtures.posting("p-\(number)", status: "awaiting_packaging", quantity: 1 + number % 4))
        }
        for number in stride(from: 0, to: 30, by: 3) { lines.append(Fixtures.posting("p-\(number)", status: "awaiting_deliver")) }
        lines.append(Fixtures.posting("p-0", status: "delivering"))
        lines.append(Fixtures.posting("p-1", status: "delivered"))  // impossible from awaiting_packaging

        let serial = try StoreHarness()
        let serialResults = try await serial.ingest(ndjson: lines, applier: try serial.applier(), batchSize: 500)
        let parallel = try StoreHarness()
        let applier = try parallel.applier(jobs: 3)
        var parallelResults: [ItemResult] = []
        let ingestor = BatchIngestor(applier: applier.applier, now: applier.now, batchSize: 7) { parallelResults.append($0) }
        for line in lines { try await ingestor.add(try Posting(json: try JSONParser.parse(line))) }
        try await ingestor.finish()

        #expect(parallelResults.map(\.change) == serialResults.map(\.change))
        #expect(parallelResults.map(\.postingNumber) == serialResults.map(\.postingNumber))
        #expect(parallelResults.map { $0.evaluation?.decisions } == serialResults.map { $0.evaluation?.decisions })
        #expect(serialResults.filter { $0.change == .rejected }.map(\.postingNumber) == ["p-1"])
        #expect(try Self.content(parallel) == (try Self.content(serial)))
    }
}

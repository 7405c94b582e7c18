import Foundation
import GRDB
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import RulesEngine
import TestSupport
import Testing

/// Paths and fixed values shared by the store tests.
enum Fixtures {
    static let repositoryRoot = Repository.root
    static let exampleRules = Repository.exampleRules
    static let examplePostings = Repository.examplePostings
    static let nowText = "2026-05-20T12:00:00Z"
    static var now: Timestamp { Timestamp(unixSeconds: 1_779_278_400) }

    /// Every example input file, in name order.
    static func exampleFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: examplePostings.path).sorted()
            .map { examplePostings.appendingPathComponent($0) }
    }

    /// A small v4 posting as Ozon sends it.
    static func posting(
        _ number: String, status: String, offer: String = "MUG-330-BLUE", sku: Int = 1_734_059_281, quantity: Int = 2,
        city: String = "Казань", tracking: String = ""
    ) -> String {
        """
        {"posting_number":"\(number)","status":"\(status)","substatus":"","tracking_number":"\(tracking)",\
        "shipment_date":"2026-05-21T09:00:00Z","is_express":false,"tpl_integration_type":"non_integrated",\
        "products":[{"sku":\(sku),"offer_id":"\(offer)","name":"Кружка","quantity":\(quantity),\
        "price":{"amount":"649","currency":"RUB"},"weight":0.41}],\
        "analytics_data":{"city":"\(city)","region":"Республика Татарстан","delivery_type":"PVZ"}}
        """
    }
}

/// A real SQLite store in a temporary folder, with helpers to ingest and to look inside.
final class StoreHarness {
    let folder: TemporaryFolder
    let store: SQLitePostingStore

    init() throws {
        folder = try TemporaryFolder()
        store = try SQLitePostingStore(path: folder.path("store.sqlite"))
    }

    /// An applier of `rules` (one engine per job) at a fixed evaluation time.
    struct TimedApplier {
        var applier: PostingApplier
        var now: Timestamp

        func apply(_ posting: Posting) async throws -> ItemResult { try await applier.apply(posting, now: now) }
        func apply(_ event: ReturnEvent) async throws -> ItemResult { try await applier.apply([event], now: now)[0] }
        func applyManually(postingNumber: String, to status: PostingStatus) async throws -> ItemResult {
            try await applier.applyManually(postingNumber: postingNumber, to: status, now: now)
        }
    }

    func applier(
        rules: URL = Fixtures.exampleRules, now: Timestamp = Fixtures.now, source: TransitionSource = .ingest, jobs: Int = 1
    ) throws -> TimedApplier {
        TimedApplier(
            applier: PostingApplier(store: store, rules: try LoadedRules.load(root: rules, limits: .standard, jobs: jobs), source: source),
            now: now)
    }

    /// Ingests files as `ozon-rules ingest` does; input failures are returned apart.
    @discardableResult
    func ingest(files: [String], applier: TimedApplier, batchSize: Int = 500) async throws -> [ItemResult] {
        var results: [ItemResult] = []
        let ingestor = BatchIngestor(applier: applier.applier, now: applier.now, batchSize: batchSize) { results.append($0) }
        for file in files {
            let reader = try InputReader(path: file)
            while let item = reader.next() {
                switch item {
                case .posting(let posting, _): try await ingestor.add(posting)
                case .returnEvent(let event, _): ingestor.add(event)
                case .failure(let error): Issue.record("unexpected input failure: \(error)")
                }
            }
        }
        try await ingestor.finish()
        return results
    }

    /// Ingests postings given as JSON text (NDJSON, one per line).
    @discardableResult
    func ingest(ndjson lines: [String], applier: TimedApplier, batchSize: Int = 500) async throws -> [ItemResult] {
        let file = try folder.write("input-\(UUID().uuidString).ndjson", lines.joined(separator: "\n") + "\n")
        return try await ingest(files: [file], applier: applier, batchSize: batchSize)
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1 }
    }

    /// Runs SQL on the store's file directly (to break it on purpose).
    func execute(_ sql: String) throws {
        let queue = try DatabaseQueue(path: store.path)
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// Every row of every table, as text: equal dumps mean an unchanged store.
    func dump() throws -> String {
        try store.read { db in
            var text = ""
            for table in ["rules_versions", "postings", "transitions", "returns", "hook_runs"] {
                text += "## \(table)\n"
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") { text += row.description + "\n" }
            }
            return text
        }
    }
}

extension TemporaryFolder {
    /// A copy of the example rules, to edit.
    func copyOfExampleRules(_ name: String = "rules") throws -> URL {
        let target = url.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Repository.exampleRules, to: target)
        return target
    }
}

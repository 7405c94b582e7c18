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

/// A folder under the system temporary folder, removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-rules-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes a file and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// A copy of the example rules, to edit.
    func copyOfExampleRules(_ name: String = "rules") throws -> URL {
        let target = url.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Fixtures.exampleRules, to: target)
        return target
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

    func applier(rules: URL = Fixtures.exampleRules, now: Timestamp = Fixtures.now, source: TransitionSource = .ingest) throws
        -> TransitionApplier
    {
        let folder = try RulesFolder(root: rules)
        return TransitionApplier(
            engine: try RulesEngine(folder: folder), rulesVersion: RulesVersion(folder: folder), now: now, source: source)
    }

    /// Ingests files as `ozon-rules ingest` does; input failures are returned apart.
    @discardableResult
    func ingest(files: [String], applier: TransitionApplier, batchSize: Int = 500) throws -> [ItemResult] {
        var results: [ItemResult] = []
        let ingestor = BatchIngestor(store: store, applier: applier, batchSize: batchSize) { results.append($0) }
        for file in files {
            let reader = try InputReader(path: file)
            while let item = reader.next() {
                switch item {
                case .posting(let posting, _): try ingestor.add(posting)
                case .returnEvent(let event, _): ingestor.add(event)
                case .failure(let error): Issue.record("unexpected input failure: \(error)")
                }
            }
        }
        try ingestor.finish()
        return results
    }

    /// Ingests postings given as JSON text (NDJSON, one per line).
    @discardableResult
    func ingest(ndjson lines: [String], applier: TransitionApplier, batchSize: Int = 500) throws -> [ItemResult] {
        let file = try folder.write("input-\(UUID().uuidString).ndjson", lines.joined(separator: "\n") + "\n")
        return try ingest(files: [file], applier: applier, batchSize: batchSize)
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? -1 }
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

import Foundation
import TestSupport
import PostingModel
import Testing

/// A temporary folder for one store test: the database, edited rules, inputs and reports.
final class StoreTestFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ozon-rules-cli-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var db: String { path("store.sqlite") }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    /// A copy of the example rules with Russian Post (≤ 1 kg, Siberia) and Ozon courier (≤ 3 kg,
    /// Siberia) made dearer: two example postings change carrier.
    func dearerTariffRules() throws -> String {
        let target = url.appendingPathComponent("rules-next")
        try FileManager.default.copyItem(at: StoreCLI.exampleRules, to: target)
        let tariffs = target.appendingPathComponent("lib/tariffs.lua")
        var text = try String(contentsOf: tariffs, encoding: .utf8)
        let edits = [
            ("{    1000,     rub(109), rub(119), rub(129), rub(149), rub(189) },",
             "{    1000,     rub(109), rub(119), rub(129), rub(199), rub(189) },"),
            ("{    3000,     rub(169), rub(209), rub(249), rub(319), rub(459) },",
             "{    3000,     rub(169), rub(209), rub(249), rub(399), rub(459) },"),
        ]
        for (old, new) in edits {
            try #require(text.components(separatedBy: old).count == 2, "tariffs.lua no longer has the row \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try Data(text.utf8).write(to: tariffs)
        return target.path
    }
}

/// Runs the store commands in-process (`ingestExitCodes` also runs the built binary).
enum StoreCLI {
    static let exampleRules = BinaryRunner.repositoryRoot.appendingPathComponent("examples/rules")
    static let now = "2026-05-20T12:00:00Z"

    static func exampleInputs() throws -> [String] {
        let folder = BinaryRunner.repositoryRoot.appendingPathComponent("examples/postings")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { folder.appendingPathComponent($0).path }
    }

    static func run(_ arguments: [String]) async throws -> BinaryRunner.Result {
        await InProcess.run(arguments)
    }

    /// `ingest` of the example postings and returns into `db`.
    static func ingestExamples(db: String, extra: [String] = []) async throws -> BinaryRunner.Result {
        try await run(["ingest", "--rules", exampleRules.path, "--db", db, "--now", now] + extra + (try exampleInputs()))
    }

    static func json(_ text: String) throws -> JSONValue {
        try JSONParser.parse(text)
    }

    /// NDJSON lines parsed.
    static func lines(_ text: String) throws -> [JSONValue] {
        try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }
}

/// A v4 posting for the command tests.
func storeTestPosting(_ number: String, status: String) -> String {
    """
    {"posting_number":"\(number)","status":"\(status)","shipment_date":"2026-05-21T09:00:00Z",\
    "products":[{"sku":1734059281,"offer_id":"MUG-330-BLUE","name":"Кружка","quantity":1,"price":"649.00"}],\
    "analytics_data":{"city":"Казань","delivery_type":"PVZ"}}
    """
}

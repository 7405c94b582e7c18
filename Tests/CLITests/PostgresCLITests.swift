import Foundation
@testable import OzonRulesCLI
import PostgresStore
import PostingModel
import Testing

@Suite("The store named by --db and OZON_RULES_DB")
struct StoreLocationTests {
    @Test("--db wins, then OZON_RULES_DB when not empty, then ./ozon-rules.sqlite")
    func resolution() {
        let url = "postgres://ozon@127.0.0.1:5432/ozon"
        #expect(StoreOptions.resolve(db: "shop.sqlite", environment: ["OZON_RULES_DB": url]) == "shop.sqlite")
        #expect(StoreOptions.resolve(db: nil, environment: ["OZON_RULES_DB": url]) == url)
        #expect(StoreOptions.resolve(db: nil, environment: ["OZON_RULES_DB": ""]) == "ozon-rules.sqlite")
        #expect(StoreOptions.resolve(db: nil, environment: [:]) == "ozon-rules.sqlite")
    }

    @Test("an unreachable PostgreSQL server is a store error naming it without the password, exit 2")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        let result = try await StoreCLI.run(["log", "--db", "postgres://ozon:hunter2@127.0.0.1:1/ozon"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("postgres://ozon@127.0.0.1:1/ozon"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2"))
    }
}

/// The store commands on a real PostgreSQL server (`OZON_RULES_TEST_POSTGRES_URL`).
@Suite(
    "Store commands on PostgreSQL",
    .enabled(
        if: ProcessInfo.processInfo.environment["OZON_RULES_TEST_POSTGRES_URL"].map { !$0.isEmpty } ?? false,
        "OZON_RULES_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (scripts/test.sh starts a throwaway one)"))
struct PostgresCLITests {
    /// The URL of a new database on the test server.
    static func freshDatabase() async throws -> String {
        let server = try PostgresLocation(url: try #require(ProcessInfo.processInfo.environment["OZON_RULES_TEST_POSTGRES_URL"]))
        let name = "ozon_rules_cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await PostgresPostingStore.createDatabase(String(name), on: server)
        let password = server.password.map { ":\($0)" } ?? ""
        return "postgres://\(server.user)\(password)@\(server.host):\(server.port)/\(name)"
    }

    /// `value` without `duration_ns` and `instructions`, which differ from run to run.
    static func withoutCosts(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map(withoutCosts))
        case .object(var object):
            _ = object.removeValue(forKey: "duration_ns")
            _ = object.removeValue(forKey: "instructions")
            var cleaned = JSONObject()
            for (key, item) in object { cleaned[key] = withoutCosts(item) }
            return .object(cleaned)
        default: return value
        }
    }

    @Test("ingest, log and replay work on a postgres:// store as on SQLite")
    func storeCommands() async throws {
        let url = try await Self.freshDatabase()
        let first = try await StoreCLI.ingestExamples(db: url, extra: ["--format", "json"])
        #expect(first.exitCode == 0 || first.exitCode == 1, "\(first.stderr)")

        let folder = try StoreTestFolder()
        let sqlite = try await StoreCLI.ingestExamples(db: folder.db, extra: ["--format", "json"])
        #expect(first.stdout == sqlite.stdout, "the same postings give the same outcomes on both stores")

        let again = try await StoreCLI.ingestExamples(db: url, extra: ["--format", "summary"])
        #expect(again.exitCode == first.exitCode)

        let log = try StoreCLI.json(try await StoreCLI.run(["log", "--db", url, "--format", "json"]).stdout)
        let sqliteLog = try StoreCLI.json(try await StoreCLI.run(["log", "--db", folder.db, "--format", "json"]).stdout)
        #expect(Self.withoutCosts(log) == Self.withoutCosts(sqliteLog), "the same history, but for the time and instructions each hook took")

        let replay = try await StoreCLI.run(["replay", "--rules", StoreCLI.exampleRules.path, "--db", url, "--format", "json",
                                             "--fail-on-change"])
        #expect(replay.exitCode == 0, "\(replay.stderr)")
    }
}

import Foundation
import GRDB
import PostingModel
import PostingStore
import RulesRuntime
import SQLiteStore
import Testing

@Suite("The SQLite store file")
struct SchemaTests {
    @Test("a new store is in WAL mode with the v1 schema and its indexes")
    func schema() throws {
        let harness = try StoreHarness()
        let mode = try harness.store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let migrations = try harness.store.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(migrations == ["v1"])
        let tables = try harness.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        #expect(tables == ["hook_runs", "postings", "returns", "rules_versions", "transitions"])
        let indexes = try harness.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        #expect(Set(indexes).isSuperset(of: ["transitions_posting", "transitions_at", "hook_runs_transition", "returns_posting", "returns_at"]))
    }

    @Test("reopening keeps the data; a missing file is not created when it should exist")
    func reopen() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("shop.sqlite")
        #expect(throws: StoreError(.notFound, "no store at '\(path)' (run `ozon-rules ingest` first, or pass --db PATH)")) {
            try SQLitePostingStore(path: path, create: false)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        do {
            let harness = try StoreHarnessAt(path: path)
            try harness.ingestOne()
        }
        let reopened = try SQLitePostingStore(path: path, create: false)
        #expect(try reopened.posting("900-1")?.status == .awaitingPackaging)
    }

    @Test("a file that is not a store is an error, not a crash")
    func notADatabase() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("postings.json", "{\"postings\": []}\n" + String(repeating: "x", count: 4096))
        #expect(throws: StoreError.self) { try SQLitePostingStore(path: path) }
    }

    @Test("a store from a newer version is refused")
    func newerSchema() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("future.sqlite")
        _ = try SQLitePostingStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        try queue.close()
        #expect(throws: StoreError.self) { try SQLitePostingStore(path: path) }
    }
}

/// A store at a given path with one posting ingested.
struct StoreHarnessAt {
    let store: SQLitePostingStore
    init(path: String) throws { store = try SQLitePostingStore(path: path) }

    func ingestOne() throws {
        let harness = try StoreHarness()
        let applier = try harness.applier()
        let posting = try Posting(json: try JSONParser.parse(Fixtures.posting("900-1", status: "awaiting_packaging")))
        _ = try store.write { try applier.apply(posting, in: $0) }
    }
}

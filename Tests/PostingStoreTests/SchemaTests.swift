import Foundation
import GRDB
import PostingModel
import PostingStore
import SQLiteStore
import TestSupport
import Testing

@Suite("The SQLite store file")
struct SchemaTests {
    @Test("a new store is in WAL mode with the current schema and its indexes")
    func schema() async throws {
        let folder = try TemporaryFolder()
        let harness = (store: try SQLitePostingStore(path: folder.path("store.sqlite")), folder: folder)
        let mode = try harness.store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let migrations = try harness.store.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(migrations == ["v1", "v2", "v3", "v4", "v5"])
        let tables = try harness.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        #expect(tables == [
            "api_calls", "buyer_messages", "cancellation_requests", "effects", "hook_runs", "inbox", "label_files", "label_postings",
            "postings", "returns", "rules_versions", "sqlite_sequence", "timers", "transitions",
        ])
        let indexes = try harness.store.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        #expect(Set(indexes).isSuperset(of: ["transitions_posting", "transitions_at", "hook_runs_transition", "returns_posting", "returns_at", "inbox_pending", "effects_due", "effects_subject"]))
    }

    @Test("reopening keeps the data; a missing file is not created when it should exist")
    func reopen() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("shop.sqlite")
        #expect(throws: StoreError(.notFound, "no store at '\(path)' (run `ozon-rules ingest` first, or pass --db PATH)")) {
            try SQLitePostingStore(path: path, create: false)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        do {
            let store = try SQLitePostingStore(path: path)
            _ = try await store.commit(.posting(PostingChange(
                posting: Sample.row("900-1", .awaitingPackaging), expectedRevision: nil,
                transition: Sample.transition(from: nil, to: .awaitingPackaging))))
        }
        let reopened = try SQLitePostingStore(path: path, create: false)
        #expect(try await reopened.posting("900-1")?.status == .awaitingPackaging)
    }

    @Test("a file that is not a store is an error, not a crash")
    func notADatabase() async throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("postings.json", "{\"postings\": []}\n" + String(repeating: "x", count: 4096))
        #expect(throws: StoreError.self) { try SQLitePostingStore(path: path) }
    }

    @Test("a store from a newer version is refused")
    func newerSchema() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("future.sqlite")
        _ = try SQLitePostingStore(path: path)
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        try queue.close()
        #expect(throws: StoreError.self) { try SQLitePostingStore(path: path) }
    }

    @Test("a store written before the inbox moved into the schema keeps its notifications and requests, as effects")
    func migratesWebhookTables() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("old.sqlite")
        // The v1 schema with the tables the push endpoint used to keep itself, times as REAL.
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { _ in }
        try migrator.migrate(queue)
        try await queue.write { db in
            try db.execute(sql: """
                CREATE TABLE rules_versions (id INTEGER PRIMARY KEY, digest TEXT NOT NULL UNIQUE, files TEXT NOT NULL, first_used_at INTEGER NOT NULL);
                CREATE TABLE postings (id INTEGER PRIMARY KEY, posting_number TEXT NOT NULL UNIQUE, status TEXT NOT NULL, substatus TEXT,
                  snapshot TEXT, updated_at INTEGER NOT NULL);
                INSERT INTO postings (posting_number, status, snapshot, updated_at) VALUES ('1-1', 'awaiting_packaging', '{}', 5);
                CREATE TABLE webhook_migrations (identifier TEXT NOT NULL PRIMARY KEY, applied_at REAL NOT NULL);
                CREATE TABLE webhook_inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, dedupe_key TEXT NOT NULL UNIQUE, message_type TEXT NOT NULL,
                  posting_number TEXT, payload TEXT NOT NULL, peer TEXT, received_at REAL NOT NULL, duplicates INTEGER NOT NULL DEFAULT 0,
                  state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL DEFAULT 0,
                  processed_at REAL, outcome TEXT, transition_id INTEGER, last_error TEXT);
                CREATE TABLE webhook_actions (id INTEGER PRIMARY KEY AUTOINCREMENT, posting_number TEXT NOT NULL, transition_id INTEGER,
                  kind TEXT NOT NULL, request TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at REAL NOT NULL DEFAULT 0, created_at REAL NOT NULL, finished_at REAL, result TEXT,
                  UNIQUE (posting_number, transition_id, kind));
                CREATE TABLE webhook_api_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, action_id INTEGER, posting_number TEXT, path TEXT NOT NULL,
                  request TEXT NOT NULL, applied INTEGER NOT NULL, http_status INTEGER, response TEXT, error TEXT,
                  attempts INTEGER NOT NULL DEFAULT 1, at REAL NOT NULL, duration_ms REAL);
                INSERT INTO webhook_inbox (dedupe_key, message_type, posting_number, payload, received_at) VALUES ('k', 'TYPE_NEW_POSTING', '1-1', '{}', 1779278400.75);
                INSERT INTO webhook_actions (posting_number, transition_id, kind, request, created_at) VALUES ('1-1', 1, 'ship', '{"posting_number":"1-1"}', 1779278401.5);
                INSERT INTO webhook_api_calls (posting_number, path, request, applied, at, duration_ms) VALUES ('1-1', '/v3/posting/fbs/get', '{}', 1, 1779278402.25, 3.5);
                """)
        }
        try queue.close()

        // The v1 tables of this fake old store are bare: only the migration of the live tables is under test.
        let store = try SQLitePostingStore(path: path)
        #expect(try await store.pendingInboxCount() == 1)
        #expect(try await store.nextInboxItem(dueAt: .now())?.postingNumber == "1-1")
        let effects = try await store.effects(EffectQuery(postingNumber: "1-1"))
        #expect(effects.map(\.kind) == [.ship] && effects.map(\.state) == [.planned] && effects.first?.subject == "posting:1-1")
        #expect(try store.integer("SELECT received_at FROM inbox") == 1_779_278_400)
        #expect(try store.text("SELECT typeof(at) FROM api_calls") == "integer")
        #expect(try store.integer("SELECT revision FROM postings WHERE posting_number = '1-1'") == 1)
        #expect(try store.integer("SELECT count(*) FROM sqlite_master WHERE name LIKE 'webhook_%'") == 0)
    }
}

import Foundation
import GRDB
import PostingModel
import PostingStore
@testable import SQLiteStore
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
        #expect(migrations == ["v1", "v2", "v3", "v4", "v5", "v6", "v7"])
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
        migrator.registerMigration("v1", migrate: Schema.v1)
        try migrator.migrate(queue)
        try await queue.write { db in
            try db.execute(sql: """
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

    @Test("a store made before shops (schema v4) opens with its rows in shop default, ids kept")
    func migratesToShops() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("before-shops.sqlite")
        // The real schema up to v4, with one row of each kind written as that version wrote them.
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: Schema.v1)
        migrator.registerMigration("v2", migrate: Schema.v2)
        migrator.registerMigration("v3", migrate: Schema.v3)
        migrator.registerMigration("v4", migrate: Schema.v4)
        try migrator.migrate(queue)
        try await queue.write { db in
            try db.execute(sql: """
                INSERT INTO rules_versions (id, digest, files, first_used_at) VALUES (3, 'abc', '{}', 5);
                INSERT INTO postings (id, posting_number, status, snapshot, updated_at, revision) VALUES (4, '1-1', 'awaiting_packaging', NULL, 5, 2);
                INSERT INTO transitions (id, posting_number, from_status, to_status, at, source, snapshot, carrier_decided, rules_version_id, recorded_at)
                  VALUES (11, '1-1', NULL, 'awaiting_packaging', 5, 'ingest', '{"posting_number":"1-1"}', 0, 3, 5);
                INSERT INTO hook_runs (transition_id, seq, hook, rules_version_id, decision, instructions, duration_ns)
                  VALUES (11, 0, 'carrier', 3, '{"carrier":"cdek"}', 1, 1);
                INSERT INTO returns (return_id, posting_number, snapshot, at, source, rules_version_id, recorded_at)
                  VALUES (900, '1-1', '{"return_id":900}', 6, 'ingest', 3, 6);
                INSERT INTO hook_runs (return_id, seq, hook, rules_version_id, decision, instructions, duration_ns)
                  VALUES (900, 0, 'returns', 3, '{"action":"approve"}', 1, 1);
                INSERT INTO inbox (id, dedupe_key, message_type, posting_number, payload, received_at) VALUES (21, 'k', 'TYPE_NEW_POSTING', '1-1', '{}', 5);
                INSERT INTO effects (id, effect_key, kind, subject, posting_number, transition_id, method, request, planned_at)
                  VALUES (31, 'ship:1-1', 'ship', 'posting:1-1', '1-1', 11, '/v4/posting/fbs/ship', '{}', 5);
                INSERT INTO timers (id, posting_number, transition_id, name, status, due, armed_at) VALUES (41, '1-1', 11, 'warn', 'awaiting_packaging', 99, 5);
                INSERT INTO cancellation_requests (cancellation_id, posting_number, snapshot, at, rules_version_id, hook_runs, recorded_at)
                  VALUES (51, '1-1', '{}', 5, 3, '[]', 5);
                INSERT INTO label_files (id, task_id, pdf, fetched_at) VALUES (61, 1, x'25504446', 5);
                INSERT INTO label_postings (posting_number, label_file_id) VALUES ('1-1', 61);
                """)
        }
        try queue.close()

        let store = try SQLitePostingStore(path: path)
        #expect(store.shop == "default")
        #expect(try store.storedShops() == ["default"])
        let posting = try #require(try await store.posting("1-1"))
        #expect(posting.revision == 2 && posting.snapshot == #"{"posting_number":"1-1"}"#)
        #expect(try await store.latestDecision(hook: "carrier", postingNumber: "1-1") == #"{"carrier":"cdek"}"#)
        let history = try await store.history(postingNumber: "1-1")
        #expect(history.count == 2)
        if case .returnEvent(let r)? = history.last {
            #expect(r.returnID == 900 && r.hookRuns.map(\.hook) == ["returns"])
        } else {
            Issue.record("the return is not in the history")
        }
        #expect(try await store.recordedReturns([900]) == [900])
        #expect(try await store.recordedCancellationRequests([51]) == [51])
        #expect(try await store.effects(EffectQuery()).map(\.id) == [31])
        #expect(try await store.timers(TimerQuery()).map(\.id) == [41])
        #expect(try await store.nextInboxItem(dueAt: .now())?.id == 21)
        #expect(try await store.labelFiles(postingNumbers: ["1-1"]).map(\.id) == [61])
        #expect(try await store.rulesVersions().map(\.digest) == ["abc"])
        #expect(try store.integer("SELECT id FROM postings WHERE posting_number = '1-1'") == 4)
        #expect(try store.integer("SELECT count(*) FROM pragma_foreign_key_check") == 0)
        // Another shop on the same file sees none of it, and may use the same numbers.
        let other = try SQLitePostingStore(path: path, shop: "gadgets")
        #expect(try await other.posting("1-1") == nil)
        #expect(try await other.effects(EffectQuery()).isEmpty)
        #expect(try await other.timers(TimerQuery()).isEmpty)
        #expect(try await other.recordedReturns([900]).isEmpty)
        guard case .stored = try await other.accept(NewNotification(
            dedupeKey: "k", messageType: "TYPE_NEW_POSTING", postingNumber: "1-1", payload: "{}", peer: nil, receivedAt: .now())) else {
            Issue.record("the same dedupe key in another shop was taken as a repeat")
            return
        }
        #expect(try store.storedShops() == ["default", "gadgets"])
    }
}

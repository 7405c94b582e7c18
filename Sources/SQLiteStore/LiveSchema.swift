import Foundation
import GRDB
import PostingModel
import PostingStore

/// The tables of the live path, kept in the store's SQLite file beside the store's own:
/// `webhook_inbox` (every accepted notification, durably, before it is answered),
/// `webhook_actions` (what the decisions ask of Ozon: ship, tracking number, cancel), and
/// `webhook_api_calls` (every Seller API request sent, or that would have been sent without
/// `--apply`, and Ozon's answer).
///
/// Migrations are named `webhook-…` and recorded in their own table `webhook_migrations`, not in
/// GRDB's `grdb_migrations`: the store refuses a file whose `grdb_migrations` lists migrations it
/// does not know (a newer schema), so ours must stay out of it. Never edit a shipped migration.
enum LiveSchema {
    struct Migration: Sendable {
        var identifier: String
        var migrate: @Sendable (Database) throws -> Void
    }

    static let migrations: [Migration] = [
        Migration(identifier: "webhook-v1", migrate: v1),
    ]

    /// Applies the migrations not applied yet, each in its own transaction.
    static func migrate(_ writer: some DatabaseWriter) throws {
        try writer.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS webhook_migrations (
                  identifier TEXT NOT NULL PRIMARY KEY,
                  applied_at REAL NOT NULL
                )
                """)
        }
        for migration in migrations {
            try writer.write { db in
                let done = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM webhook_migrations WHERE identifier = ?)",
                                             arguments: [migration.identifier]) ?? false
                if done { return }
                try migration.migrate(db)
                try db.execute(sql: "INSERT INTO webhook_migrations (identifier, applied_at) VALUES (?, ?)",
                               arguments: [migration.identifier, Date().timeIntervalSince1970])
            }
        }
    }

    static func v1(_ db: Database) throws {
        try db.execute(sql: """
            -- Notifications accepted by the push endpoint, one row per distinct notification.
            CREATE TABLE webhook_inbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              dedupe_key TEXT NOT NULL UNIQUE,      -- ozon-api.md §6.4
              message_type TEXT NOT NULL,
              posting_number TEXT,
              payload TEXT NOT NULL,                -- the body as received
              peer TEXT,                            -- the sender's address
              received_at REAL NOT NULL,            -- Unix seconds
              duplicates INTEGER NOT NULL DEFAULT 0, -- repeats recognised and not processed
              state TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at REAL NOT NULL DEFAULT 0,
              processed_at REAL,
              outcome TEXT,                         -- created | transitioned | updated | unchanged | rejected | ...
              transition_id INTEGER,
              last_error TEXT
            );
            CREATE INDEX webhook_inbox_pending ON webhook_inbox(state, next_attempt_at, id);
            CREATE INDEX webhook_inbox_posting ON webhook_inbox(posting_number, id);

            -- What the decisions of a transition ask of Ozon, written with the transition.
            CREATE TABLE webhook_actions (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              posting_number TEXT NOT NULL,
              transition_id INTEGER,
              kind TEXT NOT NULL,                   -- ship | tracking_number | cancel
              request TEXT NOT NULL,                -- the request body to send
              state TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed | dry_run | skipped
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at REAL NOT NULL DEFAULT 0,
              created_at REAL NOT NULL,
              finished_at REAL,
              result TEXT,
              UNIQUE (posting_number, transition_id, kind)
            );
            CREATE INDEX webhook_actions_pending ON webhook_actions(state, next_attempt_at, id);

            -- Every Seller API request and its answer (applied = 0: recorded, not sent).
            CREATE TABLE webhook_api_calls (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              action_id INTEGER,
              posting_number TEXT,
              path TEXT NOT NULL,
              request TEXT NOT NULL,
              applied INTEGER NOT NULL,
              http_status INTEGER,
              response TEXT,
              error TEXT,
              attempts INTEGER NOT NULL DEFAULT 1,
              at REAL NOT NULL,
              duration_ms REAL
            );
            CREATE INDEX webhook_api_calls_posting ON webhook_api_calls(posting_number, id);
            """)
    }
}

import Foundation
import Logging
import PostgresNIO
import PostingStore

/// The PostgreSQL schema, as migrations recorded in `schema_migrations`. Never edit a shipped
/// migration: add a new one below it.
///
/// `v1` is SQLite's `v1`–`v3` in one go: the same tables, columns and index names. Where SQLite
/// keeps JSON as text, PostgreSQL keeps `jsonb`, except where the protocol hands the text back:
/// posting and return snapshots are returned byte for byte, and a decision is both its canonical
/// text (`decision_text`, what `latestDecision` and replay compare) and `decision`, a `jsonb`
/// column generated from it for queries (`WHERE h.decision->>'carrier' = 'cdek'`). Re-writing
/// jsonb's text instead would not give the same bytes back (jsonb spells `1e-07` as
/// `0.0000001`), and replay would report such decisions as changed.
enum PostgresSchema {
    /// Taken by every process that migrates, so two starting at once do not both create tables.
    static let migrationLock: Int64 = 0x6F7A_6F6E_7275_6C65  // "ozonrule"

    static let migrations: [(version: String, statements: [String])] = [("v1", v1), ("v2", v2), ("v3", v3), ("v4", v4), ("v5", v5)]

    static let v1: [String] = [
        """
        CREATE TABLE rules_versions (
          id BIGSERIAL PRIMARY KEY,
          digest TEXT NOT NULL UNIQUE,          -- SHA-256 over the rules folder's files
          files JSONB NOT NULL,                 -- {"carrier.lua": "<sha256>", ...}
          first_used_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE postings (
          id BIGSERIAL PRIMARY KEY,
          posting_number TEXT NOT NULL UNIQUE,
          status TEXT NOT NULL,
          substatus TEXT,
          -- The normalised posting (canonical JSON text); NULL while it is the snapshot of the
          -- posting's latest transition (stored there), so each snapshot is stored once.
          snapshot TEXT,
          updated_at BIGINT NOT NULL,
          revision BIGINT NOT NULL DEFAULT 1    -- raised by every write: commits re-check it
        )
        """,
        "CREATE INDEX postings_updated_at ON postings(updated_at)",
        """
        CREATE TABLE transitions (
          id BIGSERIAL PRIMARY KEY,
          posting_number TEXT NOT NULL REFERENCES postings(posting_number),
          from_status TEXT,                     -- NULL for a posting seen for the first time
          to_status TEXT NOT NULL,
          at BIGINT NOT NULL,                   -- ctx.now
          source TEXT NOT NULL,                 -- ingest | manual
          snapshot TEXT NOT NULL,               -- the posting as the hooks saw it
          carrier_decided BOOLEAN NOT NULL,
          rules_version_id BIGINT NOT NULL REFERENCES rules_versions(id),
          log JSONB,                            -- what scripts printed, NULL if nothing
          recorded_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX transitions_posting ON transitions(posting_number, id)",
        "CREATE INDEX transitions_at ON transitions(at, id)",
        """
        CREATE TABLE returns (
          return_id BIGINT PRIMARY KEY,
          posting_number TEXT NOT NULL,
          snapshot TEXT NOT NULL,               -- normalised return, canonical JSON text
          posting_snapshot TEXT,                -- the posting the hook saw, NULL if unknown
          at BIGINT NOT NULL,
          source TEXT NOT NULL,
          rules_version_id BIGINT NOT NULL REFERENCES rules_versions(id),
          log JSONB,
          recorded_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX returns_posting ON returns(posting_number)",
        "CREATE INDEX returns_at ON returns(at, return_id)",
        """
        CREATE TABLE hook_runs (
          id BIGSERIAL PRIMARY KEY,
          transition_id BIGINT REFERENCES transitions(id),
          return_id BIGINT REFERENCES returns(return_id),
          seq BIGINT NOT NULL,                  -- call order within the evaluation
          hook TEXT NOT NULL,
          decisions_seen JSONB,                 -- the hooks whose decisions were in ctx.decisions
          rules_version_id BIGINT NOT NULL REFERENCES rules_versions(id),
          decision_text TEXT,                   -- canonical JSON as recorded, NULL if none
          decision JSONB GENERATED ALWAYS AS (decision_text::jsonb) STORED,
          error_code TEXT,
          error_file TEXT,
          error_line BIGINT,
          error_message TEXT,
          instructions BIGINT NOT NULL,
          duration_ns BIGINT NOT NULL,
          CHECK ((transition_id IS NULL) <> (return_id IS NULL))
        )
        """,
        "CREATE INDEX hook_runs_transition ON hook_runs(transition_id, seq)",
        "CREATE INDEX hook_runs_return ON hook_runs(return_id, seq)",
        """
        CREATE TABLE inbox (
          id BIGSERIAL PRIMARY KEY,
          dedupe_key TEXT NOT NULL UNIQUE,
          message_type TEXT NOT NULL,
          posting_number TEXT,
          payload TEXT NOT NULL,                -- the body as received
          peer TEXT,
          received_at BIGINT NOT NULL,
          duplicates BIGINT NOT NULL DEFAULT 0,
          state TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed
          attempts BIGINT NOT NULL DEFAULT 0,
          next_attempt_at BIGINT NOT NULL DEFAULT 0, -- due time; while handed out, the end of its lease
          processed_at BIGINT,
          outcome TEXT,
          transition_id BIGINT,
          last_error TEXT
        )
        """,
        "CREATE INDEX inbox_pending ON inbox(state, next_attempt_at, id)",
        "CREATE INDEX inbox_posting ON inbox(posting_number, id)",
        """
        CREATE TABLE effects (
          id BIGSERIAL PRIMARY KEY,
          effect_key TEXT NOT NULL UNIQUE,
          kind TEXT NOT NULL,
          subject TEXT NOT NULL,                -- posting:<n> | return:<id> | cancellation:<id> | chat:<n> | alert:<channel>
          posting_number TEXT,
          return_id BIGINT,
          cancellation_id BIGINT,
          transition_id BIGINT,
          method TEXT NOT NULL,
          request JSONB NOT NULL,
          state TEXT NOT NULL DEFAULT 'planned', -- planned | sending | sent | failed | not_allowed | superseded
          attempts BIGINT NOT NULL DEFAULT 0,   -- claims so far, the fencing token of the latest
          next_attempt_at BIGINT NOT NULL DEFAULT 0, -- due time; for `sending`, when the claim lapses
          planned_at BIGINT NOT NULL,
          sent_at BIGINT,
          finished_at BIGINT,
          response TEXT,
          error TEXT,
          progress JSONB
        )
        """,
        "CREATE INDEX effects_due ON effects(state, next_attempt_at, id)",
        "CREATE INDEX effects_subject ON effects(subject, id)",
        "CREATE INDEX effects_posting ON effects(posting_number, id)",
        """
        CREATE TABLE api_calls (
          id BIGSERIAL PRIMARY KEY,
          effect_id BIGINT,
          posting_number TEXT,
          path TEXT NOT NULL,
          request JSONB NOT NULL,
          applied BOOLEAN NOT NULL,
          http_status BIGINT,
          response TEXT,
          error TEXT,
          attempts BIGINT NOT NULL DEFAULT 1,
          at BIGINT NOT NULL,
          duration_ms BIGINT
        )
        """,
        "CREATE INDEX api_calls_posting ON api_calls(posting_number, id)",
        """
        CREATE TABLE label_files (
          id BIGSERIAL PRIMARY KEY,
          task_id BIGINT,
          pdf BYTEA NOT NULL,
          fetched_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE label_postings (
          posting_number TEXT NOT NULL,
          label_file_id BIGINT NOT NULL REFERENCES label_files(id),
          PRIMARY KEY (posting_number, label_file_id)
        )
        """,
        """
        CREATE TABLE cancellation_requests (
          cancellation_id BIGINT PRIMARY KEY,
          posting_number TEXT NOT NULL,
          snapshot TEXT NOT NULL,
          posting_snapshot TEXT,
          auto_approve_at BIGINT,
          at BIGINT NOT NULL,
          rules_version_id BIGINT NOT NULL REFERENCES rules_versions(id),
          hook_runs JSONB NOT NULL,             -- the hook runs with their decisions
          log JSONB,
          recorded_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX cancellation_requests_posting ON cancellation_requests(posting_number)",
    ]

    /// SQLite's `v4`: timers, the firing's run on the timer's row.
    static let v2: [String] = [
        """
        CREATE TABLE timers (
          id BIGSERIAL PRIMARY KEY,
          posting_number TEXT NOT NULL,
          transition_id BIGINT NOT NULL REFERENCES transitions(id),
          name TEXT NOT NULL,
          status TEXT NOT NULL,
          due BIGINT NOT NULL,
          armed_at BIGINT NOT NULL,
          state TEXT NOT NULL DEFAULT 'armed',  -- armed | fired | cancelled
          attempts BIGINT NOT NULL DEFAULT 0,   -- claims so far, the fencing token of the latest
          lease_until BIGINT NOT NULL DEFAULT 0,
          ended_at BIGINT,
          fired_snapshot TEXT,
          fired_rules_version_id BIGINT REFERENCES rules_versions(id),
          fired_hook_runs JSONB,
          fired_log JSONB,
          UNIQUE (transition_id, name)
        )
        """,
        "CREATE INDEX timers_due ON timers(due, id) WHERE state = 'armed'",
        "CREATE INDEX timers_posting ON timers(posting_number, id)",
    ]

    /// Buyer chat messages (SPEC §7.2), once per message id: SQLite's `v5`.
    static let v3: [String] = [
        """
        CREATE TABLE buyer_messages (
          message_id TEXT PRIMARY KEY,          -- Ozon's id, as text: ids exceed 64 bits
          chat_id TEXT NOT NULL,
          chat_type TEXT,
          posting_number TEXT,                  -- the posting the chat belongs to, NULL if not found
          user_type TEXT NOT NULL,
          snapshot TEXT NOT NULL,               -- the message as the hook saw it, canonical JSON
          posting_snapshot TEXT,
          source TEXT NOT NULL,                 -- push | poll
          at BIGINT NOT NULL,
          rules_version_id BIGINT NOT NULL REFERENCES rules_versions(id),
          hook_runs JSONB NOT NULL,
          log JSONB,
          recorded_at BIGINT NOT NULL
        )
        """,
        "CREATE INDEX buyer_messages_chat ON buyer_messages(chat_id)",
        "CREATE INDEX buyer_messages_posting ON buyer_messages(posting_number)",
    ]

    /// SQLite's `v6`: shops (SPEC §8.2). Every table gets `shop` (existing rows: `default`) and
    /// every unique key becomes per shop; `transitions` no longer references
    /// `postings(posting_number)`, and a return's hook runs are found by `(shop, return_id)`.
    static let v4: [String] = [
        "ALTER TABLE transitions DROP CONSTRAINT IF EXISTS transitions_posting_number_fkey",
        "ALTER TABLE hook_runs DROP CONSTRAINT IF EXISTS hook_runs_return_id_fkey",
    ] + ["rules_versions", "postings", "transitions", "returns", "hook_runs", "inbox", "effects", "api_calls", "label_files",
         "cancellation_requests", "timers"].map { "ALTER TABLE \($0) ADD COLUMN shop TEXT NOT NULL DEFAULT 'default'" } + [
        "ALTER TABLE rules_versions DROP CONSTRAINT rules_versions_digest_key",
        "CREATE UNIQUE INDEX rules_versions_shop_digest ON rules_versions(shop, digest)",
        "ALTER TABLE postings DROP CONSTRAINT postings_posting_number_key",
        "CREATE UNIQUE INDEX postings_shop_number ON postings(shop, posting_number)",
        "DROP INDEX transitions_posting",
        "CREATE INDEX transitions_posting ON transitions(shop, posting_number, id)",
        "ALTER TABLE returns DROP CONSTRAINT returns_pkey",
        "ALTER TABLE returns ADD PRIMARY KEY (shop, return_id)",
        "DROP INDEX hook_runs_return",
        "CREATE INDEX hook_runs_return ON hook_runs(shop, return_id, seq)",
        "ALTER TABLE inbox DROP CONSTRAINT inbox_dedupe_key_key",
        "CREATE UNIQUE INDEX inbox_shop_dedupe_key ON inbox(shop, dedupe_key)",
        "DROP INDEX inbox_pending",
        "CREATE INDEX inbox_pending ON inbox(shop, state, next_attempt_at, id)",
        "ALTER TABLE effects DROP CONSTRAINT effects_effect_key_key",
        "CREATE UNIQUE INDEX effects_shop_effect_key ON effects(shop, effect_key)",
        "DROP INDEX effects_subject",
        "CREATE INDEX effects_subject ON effects(shop, subject, id)",
        "ALTER TABLE cancellation_requests DROP CONSTRAINT cancellation_requests_pkey",
        "ALTER TABLE cancellation_requests ADD PRIMARY KEY (shop, cancellation_id)",
        "DROP INDEX timers_due",
        "CREATE INDEX timers_due ON timers(shop, due, id) WHERE state = 'armed'",
    ]

    /// SQLite's `v7`: buyer messages belong to a shop, the message id unique per shop.
    static let v5: [String] = [
        "ALTER TABLE buyer_messages ADD COLUMN shop TEXT NOT NULL DEFAULT 'default'",
        "ALTER TABLE buyer_messages DROP CONSTRAINT buyer_messages_pkey",
        "ALTER TABLE buyer_messages ADD PRIMARY KEY (shop, message_id)",
        "DROP INDEX buyer_messages_chat",
        "CREATE INDEX buyer_messages_chat ON buyer_messages(shop, chat_id)",
        "DROP INDEX buyer_messages_posting",
        "CREATE INDEX buyer_messages_posting ON buyer_messages(shop, posting_number)",
    ]

    /// Brings the database to the current schema, under an advisory lock held for the
    /// transaction. A database migrated by a newer ozon-rules (versions not known here) is refused.
    static func migrate(_ connection: PostgresConnection, logger: Logger, location: PostgresLocation) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: logger)
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            let unknown = applied.subtracting(migrations.map(\.version))
            if !unknown.isEmpty {
                throw StoreError(.database, "\(location) was migrated by a newer ozon-rules (unknown schema migrations \(unknown.sorted()))")
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = Int64(Date.now.timeIntervalSince1970)
                try await connection.query(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (\(migration.version), \(now))", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}

import GRDB
import PostingModel
import PostingStore

/// The database schema, as migrations from the first version on. Never edit a shipped migration:
/// add a new one (`v2`, ...) below it.
///
/// Times are Unix seconds (`at` is the evaluation time, `ctx.now`; `recorded_at` the wall clock
/// when the row was written). JSON columns hold canonical JSON (keys sorted). Money inside them is
/// integer minor units.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: v1)
        migrator.registerMigration("v2", migrate: v2)
        migrator.registerMigration("v3", migrate: v3)
        migrator.registerMigration("v4", migrate: v4)
        migrator.registerMigration("v5", migrate: v5)
        migrator.registerMigration("v6", migrate: v6)
        migrator.registerMigration("v7", migrate: v7)
        return migrator
    }

    static func v1(_ db: Database) throws {
        // Versions of the rules folder that made decisions.
        try db.execute(sql: """
            CREATE TABLE rules_versions (
              id INTEGER PRIMARY KEY,
              digest TEXT NOT NULL UNIQUE,          -- SHA-256 over the rules folder's files
              files TEXT NOT NULL,                  -- {"carrier.lua": "<sha256>", ...}
              first_used_at INTEGER NOT NULL
            );

            -- The latest snapshot of every posting.
            CREATE TABLE postings (
              id INTEGER PRIMARY KEY,
              posting_number TEXT NOT NULL UNIQUE,
              status TEXT NOT NULL,
              substatus TEXT,
              -- The normalised posting (canonical JSON); NULL while it is the snapshot of the
              -- posting's latest transition (stored there), so each snapshot is stored once.
              snapshot TEXT,
              updated_at INTEGER NOT NULL
            );
            CREATE INDEX postings_updated_at ON postings(updated_at);

            -- Every status change, with the posting as the hooks saw it.
            CREATE TABLE transitions (
              id INTEGER PRIMARY KEY,
              posting_number TEXT NOT NULL REFERENCES postings(posting_number),
              from_status TEXT,                     -- NULL for a posting seen for the first time
              to_status TEXT NOT NULL,
              at INTEGER NOT NULL,                  -- ctx.now
              source TEXT NOT NULL,                 -- ingest | manual
              snapshot TEXT NOT NULL,
              carrier_decided INTEGER NOT NULL,     -- 1: a carrier decision existed before
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              log TEXT,                             -- JSON array of what scripts printed, NULL if nothing
              recorded_at INTEGER NOT NULL
            );
            CREATE INDEX transitions_posting ON transitions(posting_number, id);
            CREATE INDEX transitions_at ON transitions(at, id);

            -- Return events, once per return id.
            CREATE TABLE returns (
              return_id INTEGER PRIMARY KEY,
              posting_number TEXT NOT NULL,
              snapshot TEXT NOT NULL,               -- normalised return, canonical JSON
              posting_snapshot TEXT,                -- the posting the hook saw, NULL if unknown
              at INTEGER NOT NULL,
              source TEXT NOT NULL,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              log TEXT,
              recorded_at INTEGER NOT NULL
            );
            CREATE INDEX returns_posting ON returns(posting_number);
            CREATE INDEX returns_at ON returns(at, return_id);

            -- Every hook call of a transition or a return: its input, its decision or error, its cost.
            CREATE TABLE hook_runs (
              id INTEGER PRIMARY KEY,
              transition_id INTEGER REFERENCES transitions(id),
              return_id INTEGER REFERENCES returns(return_id),
              seq INTEGER NOT NULL,                 -- call order within the evaluation
              hook TEXT NOT NULL,
              -- ctx.decisions: the hooks (earlier runs of the same evaluation) whose decisions it saw,
              -- a JSON array, NULL for none. ctx.now and ctx.transition are on the transition row.
              decisions_seen TEXT,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              decision TEXT,                        -- canonical JSON, NULL if none
              error_code TEXT,
              error_file TEXT,
              error_line INTEGER,
              error_message TEXT,
              instructions INTEGER NOT NULL,
              duration_ns INTEGER NOT NULL,
              CHECK ((transition_id IS NULL) <> (return_id IS NULL))
            );
            CREATE INDEX hook_runs_transition ON hook_runs(transition_id, seq);
            CREATE INDEX hook_runs_return ON hook_runs(return_id, seq);
            """)
    }

    /// Revisions for commits with a re-check, and the inbox and outbox in the store's own schema
    /// with integer seconds. Stores written before this kept those tables as `webhook_*` (times
    /// as REAL, migrations in `webhook_migrations`): their rows are carried over.
    static func v2(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE postings ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;

            -- Push notifications, one row per distinct notification, stored before they are answered.
            CREATE TABLE inbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              dedupe_key TEXT NOT NULL UNIQUE,      -- ozon-api.md §6.4
              message_type TEXT NOT NULL,
              posting_number TEXT,
              payload TEXT NOT NULL,                -- the body as received
              peer TEXT,                            -- the sender's address
              received_at INTEGER NOT NULL,
              duplicates INTEGER NOT NULL DEFAULT 0, -- repeats recognised and not processed
              state TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at INTEGER NOT NULL DEFAULT 0,
              processed_at INTEGER,
              outcome TEXT,                         -- created | transitioned | updated | unchanged | rejected
              transition_id INTEGER,
              last_error TEXT
            );
            CREATE INDEX inbox_pending ON inbox(state, next_attempt_at, id);
            CREATE INDEX inbox_posting ON inbox(posting_number, id);

            -- What the decisions of a transition ask of Ozon, written with the transition.
            CREATE TABLE outbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              posting_number TEXT NOT NULL,
              transition_id INTEGER,
              kind TEXT NOT NULL,                   -- ship | tracking_number | cancel
              request TEXT NOT NULL,                -- the request body to send
              state TEXT NOT NULL DEFAULT 'pending', -- pending | done | failed | dry_run | skipped
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at INTEGER NOT NULL DEFAULT 0,
              created_at INTEGER NOT NULL,
              finished_at INTEGER,
              result TEXT,
              UNIQUE (posting_number, transition_id, kind)
            );
            CREATE INDEX outbox_pending ON outbox(state, next_attempt_at, id);

            -- Every Seller API request and its answer (applied = 0: recorded, not sent).
            CREATE TABLE api_calls (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              request_id INTEGER,                   -- the outbox row it carried out
              posting_number TEXT,
              path TEXT NOT NULL,
              request TEXT NOT NULL,
              applied INTEGER NOT NULL,
              http_status INTEGER,
              response TEXT,
              error TEXT,
              attempts INTEGER NOT NULL DEFAULT 1,
              at INTEGER NOT NULL,
              duration_ms INTEGER
            );
            CREATE INDEX api_calls_posting ON api_calls(posting_number, id);
            """)
        guard try db.tableExists("webhook_inbox") else { return }
        try db.execute(sql: """
            INSERT INTO inbox SELECT id, dedupe_key, message_type, posting_number, payload, peer, CAST(received_at AS INTEGER),
              duplicates, state, attempts, CAST(next_attempt_at AS INTEGER), CAST(processed_at AS INTEGER), outcome,
              transition_id, last_error FROM webhook_inbox;
            INSERT INTO outbox SELECT id, posting_number, transition_id, kind, request, state, attempts,
              CAST(next_attempt_at AS INTEGER), CAST(created_at AS INTEGER), CAST(finished_at AS INTEGER), result
              FROM webhook_actions;
            INSERT INTO api_calls SELECT id, action_id, posting_number, path, request, applied, http_status, response, error,
              attempts, CAST(at AS INTEGER), CAST(duration_ms AS INTEGER) FROM webhook_api_calls;
            DROP TABLE webhook_inbox;
            DROP TABLE webhook_actions;
            DROP TABLE webhook_api_calls;
            DROP TABLE IF EXISTS webhook_migrations;
            """)
    }

    /// The outbox of effects (SPEC §6) replaces the request table of v2; label files and rFBS
    /// cancellation requests join it. v2's requests are carried over: `pending` and `dry_run`
    /// become `planned`, `done` `sent`, `skipped` `superseded`; `tracking_number` is `set_tracking`.
    static func v3(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE effects (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              effect_key TEXT NOT NULL UNIQUE,      -- stable: planning it twice does nothing
              kind TEXT NOT NULL,                   -- ship | labels | set_tracking | set_status | cancel | return_action | ...
              subject TEXT NOT NULL,                -- posting:<n> | return:<id> | cancellation:<id> | chat:<n> | alert:<channel>
              posting_number TEXT,
              return_id INTEGER,
              cancellation_id INTEGER,
              transition_id INTEGER,
              method TEXT NOT NULL,                 -- the Seller API path (or alert channel) it goes to
              request TEXT NOT NULL,                -- the body to send (canonical JSON)
              state TEXT NOT NULL DEFAULT 'planned', -- planned | sending | sent | failed | not_allowed | superseded
              attempts INTEGER NOT NULL DEFAULT 0,  -- claims so far, the fencing token of the latest
              next_attempt_at INTEGER NOT NULL DEFAULT 0, -- due time; for `sending`, when the claim lapses
              planned_at INTEGER NOT NULL,
              sent_at INTEGER,
              finished_at INTEGER,
              response TEXT,
              error TEXT,
              progress TEXT                         -- what a multi-step effect learnt (chat_id, task_id)
            );
            CREATE INDEX effects_due ON effects(state, next_attempt_at, id);
            CREATE INDEX effects_subject ON effects(subject, id);
            CREATE INDEX effects_posting ON effects(posting_number, id);

            INSERT INTO effects (id, effect_key, kind, subject, posting_number, transition_id, method, request, state, attempts,
                                 next_attempt_at, planned_at, finished_at, response)
              SELECT id, 'v2:' || id,
                CASE kind WHEN 'tracking_number' THEN 'set_tracking' ELSE kind END,
                'posting:' || posting_number, posting_number, transition_id,
                CASE kind WHEN 'ship' THEN '/v4/posting/fbs/ship' WHEN 'cancel' THEN '/v2/posting/fbs/cancel'
                          ELSE '/v2/fbs/posting/tracking-number/set' END,
                request,
                CASE state WHEN 'pending' THEN 'planned' WHEN 'dry_run' THEN 'planned' WHEN 'done' THEN 'sent'
                           WHEN 'skipped' THEN 'superseded' ELSE 'failed' END,
                attempts, next_attempt_at, created_at, finished_at, result
              FROM outbox;
            DROP TABLE outbox;
            ALTER TABLE api_calls RENAME COLUMN request_id TO effect_id;

            -- Package-label PDFs, one row per file; a file may hold several postings' labels.
            CREATE TABLE label_files (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              task_id INTEGER,
              pdf BLOB NOT NULL,
              fetched_at INTEGER NOT NULL
            );
            CREATE TABLE label_postings (
              posting_number TEXT NOT NULL,
              label_file_id INTEGER NOT NULL REFERENCES label_files(id),
              PRIMARY KEY (posting_number, label_file_id)
            );

            -- rFBS buyer cancellation requests, once per id, with what cancellations.lua decided.
            CREATE TABLE cancellation_requests (
              cancellation_id INTEGER PRIMARY KEY,
              posting_number TEXT NOT NULL,
              snapshot TEXT NOT NULL,
              posting_snapshot TEXT,
              auto_approve_at INTEGER,              -- after it Ozon approves the request itself
              at INTEGER NOT NULL,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              hook_runs TEXT NOT NULL,              -- JSON array of the hook runs
              log TEXT,
              recorded_at INTEGER NOT NULL
            );
            CREATE INDEX cancellation_requests_posting ON cancellation_requests(posting_number);
            """)
    }

    /// Timers (SPEC §7.1): one row per timer armed by a transition; the firing's run is kept on
    /// the same row, so firing is one compare-and-set on `state` and `attempts`.
    static func v4(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE timers (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              posting_number TEXT NOT NULL,
              transition_id INTEGER NOT NULL REFERENCES transitions(id), -- the status entry that armed it
              name TEXT NOT NULL,
              status TEXT NOT NULL,
              due INTEGER NOT NULL,
              armed_at INTEGER NOT NULL,
              state TEXT NOT NULL DEFAULT 'armed',  -- armed | fired | cancelled
              attempts INTEGER NOT NULL DEFAULT 0,  -- claims so far, the fencing token of the latest
              lease_until INTEGER NOT NULL DEFAULT 0, -- a claim lapses then
              ended_at INTEGER,
              fired_snapshot TEXT,                  -- the posting the run was given
              fired_rules_version_id INTEGER REFERENCES rules_versions(id),
              fired_hook_runs TEXT,                 -- JSON array of the run
              fired_log TEXT,
              UNIQUE (transition_id, name)
            );
            CREATE INDEX timers_due ON timers(due, id) WHERE state = 'armed';
            CREATE INDEX timers_posting ON timers(posting_number, id);
            """)
    }

    /// Buyer chat messages (SPEC §7.2), once per message id, with what `messages.lua` decided.
    static func v5(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE buyer_messages (
              message_id TEXT PRIMARY KEY,          -- Ozon's id, as text: ids exceed 64 bits
              chat_id TEXT NOT NULL,
              chat_type TEXT,
              posting_number TEXT,                  -- the posting the chat belongs to, NULL if not found
              user_type TEXT NOT NULL,
              snapshot TEXT NOT NULL,               -- the message as the hook saw it, canonical JSON
              posting_snapshot TEXT,                -- the posting the hook saw, NULL if none
              source TEXT NOT NULL,                 -- push | poll
              at INTEGER NOT NULL,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              hook_runs TEXT NOT NULL,              -- JSON array of the hook runs
              log TEXT,
              recorded_at INTEGER NOT NULL
            );
            CREATE INDEX buyer_messages_chat ON buyer_messages(chat_id);
            CREATE INDEX buyer_messages_posting ON buyer_messages(posting_number);
            """)
    }

    /// Shops (SPEC §8.2): every row belongs to one, and every unique key is per shop. Rows
    /// written before belong to `default`. SQLite cannot change a UNIQUE constraint or drop a
    /// foreign key, so the tables whose keys change are rebuilt (ids kept); the others get a
    /// column. `transitions` no longer references `postings(posting_number)` (not unique any
    /// more), and a return's hook runs are found by `(shop, return_id)`.
    static func v6(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE new_rules_versions (
              id INTEGER PRIMARY KEY,
              shop TEXT NOT NULL DEFAULT 'default',
              digest TEXT NOT NULL,
              files TEXT NOT NULL,
              first_used_at INTEGER NOT NULL,
              UNIQUE (shop, digest)
            );
            INSERT INTO new_rules_versions (id, digest, files, first_used_at) SELECT id, digest, files, first_used_at FROM rules_versions;
            DROP TABLE rules_versions;
            ALTER TABLE new_rules_versions RENAME TO rules_versions;

            CREATE TABLE new_postings (
              id INTEGER PRIMARY KEY,
              shop TEXT NOT NULL DEFAULT 'default',
              posting_number TEXT NOT NULL,
              status TEXT NOT NULL,
              substatus TEXT,
              snapshot TEXT,
              updated_at INTEGER NOT NULL,
              revision INTEGER NOT NULL DEFAULT 1,
              UNIQUE (shop, posting_number)
            );
            INSERT INTO new_postings (id, posting_number, status, substatus, snapshot, updated_at, revision)
              SELECT id, posting_number, status, substatus, snapshot, updated_at, revision FROM postings;
            DROP TABLE postings;
            ALTER TABLE new_postings RENAME TO postings;
            CREATE INDEX postings_updated_at ON postings(shop, updated_at);

            CREATE TABLE new_transitions (
              id INTEGER PRIMARY KEY,
              shop TEXT NOT NULL DEFAULT 'default',
              posting_number TEXT NOT NULL,
              from_status TEXT,
              to_status TEXT NOT NULL,
              at INTEGER NOT NULL,
              source TEXT NOT NULL,
              snapshot TEXT NOT NULL,
              carrier_decided INTEGER NOT NULL,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              log TEXT,
              recorded_at INTEGER NOT NULL
            );
            INSERT INTO new_transitions (id, posting_number, from_status, to_status, at, source, snapshot, carrier_decided,
                                         rules_version_id, log, recorded_at)
              SELECT id, posting_number, from_status, to_status, at, source, snapshot, carrier_decided, rules_version_id, log,
                     recorded_at FROM transitions;
            DROP TABLE transitions;
            ALTER TABLE new_transitions RENAME TO transitions;
            CREATE INDEX transitions_posting ON transitions(shop, posting_number, id);
            CREATE INDEX transitions_at ON transitions(shop, at, id);

            -- rowid keeps the recording order (it was the return id).
            CREATE TABLE new_returns (
              shop TEXT NOT NULL DEFAULT 'default',
              return_id INTEGER NOT NULL,
              posting_number TEXT NOT NULL,
              snapshot TEXT NOT NULL,
              posting_snapshot TEXT,
              at INTEGER NOT NULL,
              source TEXT NOT NULL,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              log TEXT,
              recorded_at INTEGER NOT NULL,
              PRIMARY KEY (shop, return_id)
            );
            INSERT INTO new_returns (rowid, return_id, posting_number, snapshot, posting_snapshot, at, source, rules_version_id,
                                     log, recorded_at)
              SELECT return_id, return_id, posting_number, snapshot, posting_snapshot, at, source, rules_version_id, log,
                     recorded_at FROM returns;
            DROP TABLE returns;
            ALTER TABLE new_returns RENAME TO returns;
            CREATE INDEX returns_posting ON returns(shop, posting_number);
            CREATE INDEX returns_at ON returns(shop, at);

            CREATE TABLE new_hook_runs (
              id INTEGER PRIMARY KEY,
              shop TEXT NOT NULL DEFAULT 'default',
              transition_id INTEGER REFERENCES transitions(id),
              return_id INTEGER,                    -- with shop: the return's (shop, return_id)
              seq INTEGER NOT NULL,
              hook TEXT NOT NULL,
              decisions_seen TEXT,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              decision TEXT,
              error_code TEXT,
              error_file TEXT,
              error_line INTEGER,
              error_message TEXT,
              instructions INTEGER NOT NULL,
              duration_ns INTEGER NOT NULL,
              CHECK ((transition_id IS NULL) <> (return_id IS NULL))
            );
            INSERT INTO new_hook_runs (id, transition_id, return_id, seq, hook, decisions_seen, rules_version_id, decision,
                                       error_code, error_file, error_line, error_message, instructions, duration_ns)
              SELECT id, transition_id, return_id, seq, hook, decisions_seen, rules_version_id, decision, error_code, error_file,
                     error_line, error_message, instructions, duration_ns FROM hook_runs;
            DROP TABLE hook_runs;
            ALTER TABLE new_hook_runs RENAME TO hook_runs;
            CREATE INDEX hook_runs_transition ON hook_runs(transition_id, seq);
            CREATE INDEX hook_runs_return ON hook_runs(shop, return_id, seq);

            CREATE TABLE new_inbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              shop TEXT NOT NULL DEFAULT 'default',
              dedupe_key TEXT NOT NULL,
              message_type TEXT NOT NULL,
              posting_number TEXT,
              payload TEXT NOT NULL,
              peer TEXT,
              received_at INTEGER NOT NULL,
              duplicates INTEGER NOT NULL DEFAULT 0,
              state TEXT NOT NULL DEFAULT 'pending',
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at INTEGER NOT NULL DEFAULT 0,
              processed_at INTEGER,
              outcome TEXT,
              transition_id INTEGER,
              last_error TEXT,
              UNIQUE (shop, dedupe_key)
            );
            INSERT INTO new_inbox (id, dedupe_key, message_type, posting_number, payload, peer, received_at, duplicates, state,
                                   attempts, next_attempt_at, processed_at, outcome, transition_id, last_error)
              SELECT id, dedupe_key, message_type, posting_number, payload, peer, received_at, duplicates, state, attempts,
                     next_attempt_at, processed_at, outcome, transition_id, last_error FROM inbox;
            DROP TABLE inbox;
            ALTER TABLE new_inbox RENAME TO inbox;
            CREATE INDEX inbox_pending ON inbox(shop, state, next_attempt_at, id);
            CREATE INDEX inbox_posting ON inbox(shop, posting_number, id);

            CREATE TABLE new_effects (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              shop TEXT NOT NULL DEFAULT 'default',
              effect_key TEXT NOT NULL,
              kind TEXT NOT NULL,
              subject TEXT NOT NULL,
              posting_number TEXT,
              return_id INTEGER,
              cancellation_id INTEGER,
              transition_id INTEGER,
              method TEXT NOT NULL,
              request TEXT NOT NULL,
              state TEXT NOT NULL DEFAULT 'planned',
              attempts INTEGER NOT NULL DEFAULT 0,
              next_attempt_at INTEGER NOT NULL DEFAULT 0,
              planned_at INTEGER NOT NULL,
              sent_at INTEGER,
              finished_at INTEGER,
              response TEXT,
              error TEXT,
              progress TEXT,
              UNIQUE (shop, effect_key)
            );
            INSERT INTO new_effects (id, effect_key, kind, subject, posting_number, return_id, cancellation_id, transition_id,
                                     method, request, state, attempts, next_attempt_at, planned_at, sent_at, finished_at,
                                     response, error, progress)
              SELECT id, effect_key, kind, subject, posting_number, return_id, cancellation_id, transition_id, method, request,
                     state, attempts, next_attempt_at, planned_at, sent_at, finished_at, response, error, progress FROM effects;
            DROP TABLE effects;
            ALTER TABLE new_effects RENAME TO effects;
            CREATE INDEX effects_due ON effects(shop, state, next_attempt_at, id);
            CREATE INDEX effects_subject ON effects(shop, subject, id);
            CREATE INDEX effects_posting ON effects(shop, posting_number, id);

            CREATE TABLE new_cancellation_requests (
              shop TEXT NOT NULL DEFAULT 'default',
              cancellation_id INTEGER NOT NULL,
              posting_number TEXT NOT NULL,
              snapshot TEXT NOT NULL,
              posting_snapshot TEXT,
              auto_approve_at INTEGER,
              at INTEGER NOT NULL,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              hook_runs TEXT NOT NULL,
              log TEXT,
              recorded_at INTEGER NOT NULL,
              PRIMARY KEY (shop, cancellation_id)
            );
            INSERT INTO new_cancellation_requests (cancellation_id, posting_number, snapshot, posting_snapshot, auto_approve_at, at,
                                                   rules_version_id, hook_runs, log, recorded_at)
              SELECT cancellation_id, posting_number, snapshot, posting_snapshot, auto_approve_at, at, rules_version_id, hook_runs,
                     log, recorded_at FROM cancellation_requests;
            DROP TABLE cancellation_requests;
            ALTER TABLE new_cancellation_requests RENAME TO cancellation_requests;
            CREATE INDEX cancellation_requests_posting ON cancellation_requests(shop, posting_number);

            ALTER TABLE api_calls ADD COLUMN shop TEXT NOT NULL DEFAULT 'default';
            ALTER TABLE label_files ADD COLUMN shop TEXT NOT NULL DEFAULT 'default';
            ALTER TABLE timers ADD COLUMN shop TEXT NOT NULL DEFAULT 'default';
            DROP INDEX timers_due;
            CREATE INDEX timers_due ON timers(shop, due, id) WHERE state = 'armed';
            DROP INDEX timers_posting;
            CREATE INDEX timers_posting ON timers(shop, posting_number, id);
            """)
    }

    /// Buyer messages belong to a shop too (`v5` came before shops): the table is rebuilt with
    /// `shop` and the message id unique per shop.
    static func v7(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE new_buyer_messages (
              shop TEXT NOT NULL DEFAULT 'default',
              message_id TEXT NOT NULL,             -- Ozon's id, as text: ids exceed 64 bits
              chat_id TEXT NOT NULL,
              chat_type TEXT,
              posting_number TEXT,                  -- the posting the chat belongs to, NULL if not found
              user_type TEXT NOT NULL,
              snapshot TEXT NOT NULL,               -- the message as the hook saw it, canonical JSON
              posting_snapshot TEXT,                -- the posting the hook saw, NULL if none
              source TEXT NOT NULL,                 -- push | poll
              at INTEGER NOT NULL,
              rules_version_id INTEGER NOT NULL REFERENCES rules_versions(id),
              hook_runs TEXT NOT NULL,              -- JSON array of the hook runs
              log TEXT,
              recorded_at INTEGER NOT NULL,
              PRIMARY KEY (shop, message_id)
            );
            INSERT INTO new_buyer_messages (message_id, chat_id, chat_type, posting_number, user_type, snapshot, posting_snapshot,
                                            source, at, rules_version_id, hook_runs, log, recorded_at)
              SELECT message_id, chat_id, chat_type, posting_number, user_type, snapshot, posting_snapshot, source, at,
                     rules_version_id, hook_runs, log, recorded_at FROM buyer_messages;
            DROP TABLE buyer_messages;
            ALTER TABLE new_buyer_messages RENAME TO buyer_messages;
            CREATE INDEX buyer_messages_chat ON buyer_messages(shop, chat_id);
            CREATE INDEX buyer_messages_posting ON buyer_messages(shop, posting_number);
            """)
    }
}

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
}

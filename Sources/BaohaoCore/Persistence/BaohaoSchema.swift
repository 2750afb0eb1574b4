public import Storage

/// The bot's database schema, as numbered migrations. Append; never edit a shipped one.
public enum BaohaoSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "bot state", sql: """
            CREATE TABLE bot_state (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ) STRICT;
            """),
        Migration(version: 2, name: "lines, ledger, operations, binding", sql: """
            CREATE TABLE lines (
                id INTEGER PRIMARY KEY,
                number TEXT NOT NULL UNIQUE,
                carrier TEXT NOT NULL,
                plan TEXT NOT NULL,
                balance_minor INTEGER NOT NULL,
                currency TEXT NOT NULL,
                expires_on TEXT NOT NULL,
                auto_renew INTEGER NOT NULL,
                note TEXT NOT NULL DEFAULT '',
                request TEXT CHECK (request IN ('cancel_pending', 'cancelled', 'porting_out')),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX lines_by_expiry ON lines(expires_on);
            CREATE TABLE ledger (
                id INTEGER PRIMARY KEY,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                reason TEXT NOT NULL,
                reference TEXT,
                balance_delta_minor INTEGER NOT NULL,
                balance_after_minor INTEGER NOT NULL,
                currency TEXT NOT NULL,
                expires_before TEXT,
                expires_after TEXT NOT NULL,
                request_before TEXT,
                request_after TEXT,
                detail TEXT NOT NULL DEFAULT ''
            ) STRICT;
            CREATE INDEX ledger_by_line ON ledger(line_id, id);
            CREATE TABLE operations (
                reference TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                result TEXT NOT NULL,
                at TEXT NOT NULL
            ) STRICT;
            CREATE TABLE binding_codes (
                id INTEGER PRIMARY KEY,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                salt BLOB NOT NULL,
                hash BLOB NOT NULL,
                issued_by TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT,
                used_by_chat INTEGER
            ) STRICT;
            CREATE INDEX binding_codes_open ON binding_codes(expires_at) WHERE used_at IS NULL;
            CREATE TABLE bindings (
                chat_id INTEGER NOT NULL,
                line_id INTEGER NOT NULL REFERENCES lines(id),
                bound_at TEXT NOT NULL,
                PRIMARY KEY (chat_id, line_id)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX bindings_by_line ON bindings(line_id);
            CREATE TABLE binding_failures (
                chat_id INTEGER NOT NULL,
                at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX binding_failures_by_chat ON binding_failures(chat_id, at);
            CREATE TABLE binding_lockouts (
                chat_id INTEGER PRIMARY KEY,
                until TEXT NOT NULL
            ) STRICT;
            """),
    ]
}

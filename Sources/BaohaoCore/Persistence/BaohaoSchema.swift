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
    ]
}

public import Storage
public import BaohaoSupport

/// Owner of `canned_replies`: operators' saved answers, sent with `/c NAME`, with `{name}`
/// (the customer's first name) and `{line}` (their line, masked) filled in.
public enum CannedReplies {
    /// A name is 1 to 32 letters, digits, `-` or `_` (any script), compared case-insensitively.
    public static func normalizedName(_ raw: String) -> String? {
        let name = raw.lowercased()
        guard (1...32).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return nil }
        return name
    }

    public static func save(_ db: any Connection, name: String, text: String, author: String, at now: Instant) throws {
        try db.execute(
            "INSERT INTO canned_replies (name, text, author, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET text = excluded.text, author = excluded.author, updated_at = excluded.updated_at",
            name, text, author, now.description)
    }

    public static func text(_ db: any Connection, name: String) throws -> String? {
        try db.queryFirst("SELECT text FROM canned_replies WHERE name = ?", name) { $0.string(0) }
    }

    /// Whether there was one to remove.
    public static func remove(_ db: any Connection, name: String) throws -> Bool {
        try db.execute("DELETE FROM canned_replies WHERE name = ?", name)
        return db.changes > 0
    }

    /// Every saved reply, by name.
    public static func all(_ db: any Connection) throws -> [(name: String, text: String)] {
        try db.query("SELECT name, text FROM canned_replies ORDER BY name") { ($0.string(0), $0.string(1)) }
    }

    /// `text` with `{name}` and `{line}` filled in (an unknown value leaves a neutral word).
    public static func fill(_ text: String, name: String, line: String) -> String {
        text.replacing("{name}", with: name).replacing("{line}", with: line)
    }
}

public import Storage
public import BaohaoSupport

/// Who may run operator commands: the user ids of the configuration, plus those an operator
/// added in chat (stored). Every operator action, and every refused attempt, is audited.
public enum OperatorRoles {
    /// True for a configured or stored operator.
    public static func isOperator(_ db: any Connection, user: Int64, configured: Set<Int64>) throws -> Bool {
        if configured.contains(user) { return true }
        return try db.queryFirst("SELECT 1 FROM operators WHERE user_id = ?", user) { _ in true } ?? false
    }

    /// Stored operators (the configured ones are not listed here).
    public static func stored(_ db: any Connection) throws -> [(user: Int64, addedBy: String, at: String)] {
        try db.query("SELECT user_id, added_by, added_at FROM operators ORDER BY user_id") { ($0.int64(0), $0.string(1), $0.string(2)) }
    }

    /// Adds `user`; false when already stored.
    @discardableResult
    public static func add(_ db: any Connection, user: Int64, by actor: String, at now: Instant) throws -> Bool {
        try db.execute("INSERT INTO operators (user_id, added_by, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", user, actor, now.description)
        return db.changes > 0
    }

    /// Removes a stored operator; false when `user` was not one.
    @discardableResult
    public static func remove(_ db: any Connection, user: Int64) throws -> Bool {
        try db.execute("DELETE FROM operators WHERE user_id = ?", user)
        return db.changes > 0
    }

    /// Records who did what, when.
    public static func audit(_ db: any Connection, actor: String, action: String, detail: String, at now: Instant) throws {
        try db.execute("INSERT INTO operator_audit (at, actor, action, detail) VALUES (?, ?, ?, ?)", now.description, actor, action, String(detail.prefix(2000)))
    }

    /// The audit trail, newest first.
    public static func auditTrail(_ db: any Connection, limit: Int = 100) throws -> [(at: String, actor: String, action: String, detail: String)] {
        try db.query("SELECT at, actor, action, detail FROM operator_audit ORDER BY id DESC LIMIT ?", Int64(limit)) {
            ($0.string(0), $0.string(1), $0.string(2), $0.string(3))
        }
    }
}

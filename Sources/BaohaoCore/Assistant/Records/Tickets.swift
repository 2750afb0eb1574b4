import Storage
import BaohaoSupport

/// Owner of `tickets`: a customer's request for a person, open until an operator closes it.
enum Tickets {
    /// `T000042`.
    static func reference(_ id: Int64) -> String {
        let digits = String(id)
        return "T" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The id in `T000042` (or `42`); nil when it is neither.
    static func id(_ reference: String) -> Int64? {
        let r = reference.uppercased()
        guard r.hasPrefix("T") else { return Int64(r) }
        return Int64(r.dropFirst())
    }

    /// The chat's open ticket, newest first.
    static func open(_ db: Connection, chat: Int64) throws -> Int64? {
        try db.queryFirst("SELECT id FROM tickets WHERE chat_id = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1", chat) { $0.int64(0) }
    }

    static func create(_ db: Connection, chat: Int64, user: Int64, at now: Instant) throws -> Int64 {
        try db.execute("INSERT INTO tickets (chat_id, user_id, opened_at) VALUES (?, ?, ?)", chat, user, now.description)
        return db.lastInsertRowID
    }

    /// The chat of an open ticket (nil when it is closed or unknown).
    static func chat(_ db: Connection, id: Int64) throws -> Int64? {
        try db.queryFirst("SELECT chat_id FROM tickets WHERE id = ? AND closed_at IS NULL", id) { $0.int64(0) }
    }

    /// How many tickets are open (a person holds the conversation).
    static func openCount(_ db: Connection) throws -> Int {
        try db.queryFirst("SELECT count(*) FROM tickets WHERE closed_at IS NULL") { $0.int(0) } ?? 0
    }

    static func close(_ db: Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE tickets SET closed_at = ? WHERE id = ?", now.description, id)
    }
}

import FoundationEssentials
import Storage

/// Messages waiting to be delivered, stored in the same transaction as the change that
/// produced them. Live replies go before bulk ones (alerts).
public enum Outbox {
    public enum Priority: Int, Sendable { case live = 0, bulk = 1 }

    public struct Item: Sendable, Equatable {
        public let id: Int64
        public let message: OutboundMessage
        public let priority: Priority
    }

    public static func enqueue(_ db: Connection, _ message: OutboundMessage, priority: Priority = .live, at now: Instant) throws {
        let json = String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
        try db.execute(
            "INSERT INTO outbox (chat_id, priority, message, created_at) VALUES (?, ?, ?, ?)", message.chatID, priority.rawValue, json, now.description)
    }

    /// Pending items, live first, oldest first.
    public static func pending(_ db: Connection, limit: Int = 100) throws -> [Item] {
        try db.query("SELECT id, message, priority FROM outbox WHERE state = 'pending' ORDER BY priority, id LIMIT ?", limit) { row in
            Item(
                id: row.int64(0), message: try JSONDecoder().decode(OutboundMessage.self, from: Data(row.string(1).utf8)),
                priority: Priority(rawValue: row.int(2)) ?? .bulk)
        }
    }

    public static func markSent(_ db: Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?", now.description, id)
    }
}

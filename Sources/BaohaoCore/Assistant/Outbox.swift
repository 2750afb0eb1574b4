import FoundationEssentials
import Storage

/// What waits to be delivered, stored in the same transaction as the change that produced
/// it. Live replies go before bulk ones (alerts); one chat's items go in order.
public enum Outbox {
    public enum Priority: Int, Sendable { case live = 0, bulk = 1 }

    public struct Item: Sendable, Equatable {
        public let id: Int64
        /// The chat, or 0 for a button acknowledgement.
        public let chatID: Int64
        public let outbound: Outbound
        public let priority: Priority
        public let attempts: Int

        /// The message, for a send or an edit.
        public var message: OutboundMessage? {
            switch outbound {
            case .send(let m), .edit(_, let m): m
            case .answerButton: nil
            }
        }
    }

    public static func enqueue(_ db: Connection, _ message: OutboundMessage, priority: Priority = .live, at now: Instant) throws {
        try enqueue(db, .send(message), priority: priority, at: now)
    }

    public static func enqueue(_ db: Connection, _ outbound: Outbound, priority: Priority = .live, at now: Instant) throws {
        let json = String(decoding: try JSONEncoder().encode(outbound), as: UTF8.self)
        try db.execute(
            "INSERT INTO outbox (chat_id, priority, message, created_at) VALUES (?, ?, ?, ?)", outbound.chatID ?? 0, priority.rawValue, json,
            now.description)
    }

    /// Pending items, live first, oldest first.
    public static func pending(_ db: Connection, limit: Int = 100) throws -> [Item] {
        try db.query("SELECT id, chat_id, message, priority, attempts FROM outbox WHERE state = 'pending' ORDER BY priority, id LIMIT ?", limit) { row in
            Item(
                id: row.int64(0), chatID: row.int64(1), outbound: try JSONDecoder().decode(Outbound.self, from: Data(row.string(2).utf8)),
                priority: Priority(rawValue: row.int(3)) ?? .bulk, attempts: row.int(4))
        }
    }

    public static func markSent(_ db: Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?", now.description, id)
    }

    /// Gives up on an item: it stays in the table with the reason, for operators.
    public static func markDead(_ db: Connection, id: Int64, reason: String, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'dead', sent_at = ?, attempts = attempts + 1, error = ? WHERE id = ?", now.description, reason, id)
    }

    /// Counts a failed attempt; the item stays pending.
    public static func countAttempt(_ db: Connection, id: Int64, error: String) throws {
        try db.execute("UPDATE outbox SET attempts = attempts + 1, error = ? WHERE id = ?", error, id)
    }

    /// A chat that blocked the bot: nothing more is sent to it, and its pending alerts are dropped.
    public static func markChatInactive(_ db: Connection, chat: Int64, reason: String, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO chat_state (chat_id, inactive_since, inactive_reason) VALUES (?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET inactive_since = excluded.inactive_since, inactive_reason = excluded.inactive_reason
            """, chat, now.description, reason)
        try db.execute(
            "UPDATE outbox SET state = 'dead', error = ?, sent_at = ? WHERE chat_id = ? AND state = 'pending' AND priority = ?", "chat inactive: \(reason)",
            now.description, chat, Priority.bulk.rawValue)
    }

    /// A message from the chat: it is active again, and later replies may need to quote.
    public static func noteInbound(_ db: Connection, chat: Int64, messageID: Int64) throws {
        try db.execute(
            """
            INSERT INTO chat_state (chat_id, last_inbound_message_id) VALUES (?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET last_inbound_message_id = max(last_inbound_message_id, excluded.last_inbound_message_id),
                inactive_since = NULL, inactive_reason = NULL
            """, chat, messageID)
    }

    public static func lastInboundMessage(_ db: Connection, chat: Int64) throws -> Int64 {
        try db.queryFirst("SELECT last_inbound_message_id FROM chat_state WHERE chat_id = ?", chat) { $0.int64(0) } ?? 0
    }

    /// Counts by state: pending, sent, dead.
    public static func counts(_ db: Connection) throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try db.query("SELECT state, count(*) FROM outbox GROUP BY state") { ($0.string(0), $0.int(1)) })
    }
}

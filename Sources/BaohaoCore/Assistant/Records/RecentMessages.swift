import Storage
import BaohaoSupport

/// Owner of `recent_messages`: the last few texts of each chat, for the operators' ticket card.
enum RecentMessages {
    static let kept = 10

    /// Remembers a customer's text (and counts it for /stats), keeping the last `kept` per chat.
    static func remember(_ db: Connection, chat: Int64, messageID: Int64, text: String, at now: Instant) throws {
        try db.execute("INSERT INTO recent_messages (chat_id, message_id, at, text) VALUES (?, ?, ?, ?)", chat, messageID, now.description, String(text.prefix(1000)))
        try DailyCounts.increment(db, .messages, at: now)
        try db.execute(
            "DELETE FROM recent_messages WHERE chat_id = ? AND id <= (SELECT id FROM recent_messages WHERE chat_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            chat, chat, kept)
    }

    /// The chat's remembered texts, oldest first.
    static func texts(_ db: Connection, chat: Int64) throws -> [String] {
        try db.query("SELECT text FROM recent_messages WHERE chat_id = ? ORDER BY id", chat) { $0.string(0) }
    }

    /// The text of the chat's message `messageID`, while it is among the kept ones.
    static func text(_ db: Connection, chat: Int64, messageID: Int64) throws -> String? {
        try db.queryFirst("SELECT text FROM recent_messages WHERE chat_id = ? AND message_id = ? ORDER BY id DESC LIMIT 1", chat, messageID) { $0.string(0) }
    }
}

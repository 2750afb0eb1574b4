import Storage
import BaohaoSupport

/// Owner of `recent_messages`: the last few messages of each chat and what the bot answered,
/// for the operators' ticket card (and the pictures a new ticket takes along).
enum RecentMessages {
    static let kept = 10

    /// Remembers a customer's text (and counts it for /stats), keeping the last `kept` per chat.
    /// `media`: the message carries a picture, file, voice note … (a ticket opened soon after copies it to the operators).
    static func remember(_ db: any Connection, chat: Int64, messageID: Int64, text: String, media: Bool = false, at now: Instant) throws {
        try db.execute(
            "INSERT INTO recent_messages (chat_id, message_id, at, text, media) VALUES (?, ?, ?, ?, ?)", chat, messageID, now.description, String(text.prefix(1000)),
            media)
        try DailyCounts.increment(db, .messages, at: now)
        try db.execute(
            "DELETE FROM recent_messages WHERE chat_id = ? AND id <= (SELECT id FROM recent_messages WHERE chat_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            chat, chat, kept)
    }

    /// The chat's remembered texts, oldest first.
    static func texts(_ db: any Connection, chat: Int64) throws -> [String] {
        try db.query("SELECT text FROM recent_messages WHERE chat_id = ? ORDER BY id", chat) { $0.string(0) }
    }

    /// The text of the chat's message `messageID`, while it is among the kept ones.
    static func text(_ db: any Connection, chat: Int64, messageID: Int64) throws -> String? {
        try db.queryFirst("SELECT text FROM recent_messages WHERE chat_id = ? AND message_id = ? ORDER BY id DESC LIMIT 1", chat, messageID) { $0.string(0) }
    }

    /// What the bot answered to message `messageID` (a short plain-text summary).
    static func noteAnswer(_ db: any Connection, chat: Int64, messageID: Int64, answer: String) throws {
        // One line: the card shows it after an arrow.
        let line = answer.split(whereSeparator: \.isNewline).joined(separator: " ")
        try db.execute("UPDATE recent_messages SET answer = ? WHERE chat_id = ? AND message_id = ?", String(line.prefix(300)), chat, messageID)
    }

    /// One remembered message.
    struct Recent {
        let messageID: Int64
        let at: Instant?
        let text: String
        let answer: String?
        let media: Bool
    }

    /// The chat's remembered messages, oldest first.
    static func recent(_ db: any Connection, chat: Int64) throws -> [Recent] {
        try db.query("SELECT message_id, at, text, answer, media FROM recent_messages WHERE chat_id = ? ORDER BY id", chat) {
            Recent(messageID: $0.int64(0), at: Instant(iso: $0.string(1)), text: $0.string(2), answer: $0.optionalString(3), media: $0.bool(4))
        }
    }
}

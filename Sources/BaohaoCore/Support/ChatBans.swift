public import Storage
public import BaohaoSupport

/// Owner of `chat_bans`: chats the operators banned for abuse. The bot neither answers nor
/// relays anything from them until they are unbanned.
public enum ChatBans {
    public static func ban(_ db: any Connection, chat: Int64, author: String, at now: Instant) throws {
        try db.execute("INSERT INTO chat_bans (chat_id, author, at) VALUES (?, ?, ?) ON CONFLICT (chat_id) DO NOTHING", chat, author, now.description)
    }

    /// Whether the chat was banned.
    public static func unban(_ db: any Connection, chat: Int64) throws -> Bool {
        try db.execute("DELETE FROM chat_bans WHERE chat_id = ?", chat)
        return db.changes > 0
    }

    public static func isBanned(_ db: any Connection, chat: Int64) throws -> Bool {
        try db.queryFirst("SELECT 1 FROM chat_bans WHERE chat_id = ?", chat) { _ in true } ?? false
    }
}

import Storage
import BaohaoSupport

/// Owner of `clarifications`: the options a clarifying question offered, so that a tap on
/// one of its buttons (which carry only the question's id and an index) can be routed.
enum Clarifications {
    /// One option: the label and the target it stands for, as `label|target`.
    struct Stored {
        let text: String
        let options: [String]
    }

    /// Stores a clarifying question's options (and counts it for /stats); returns its id for the buttons.
    static func record(_ db: any Connection, chat: Int64, text: String, options: [String], at now: Instant) throws -> Int64 {
        let id = try db.queryFirst(
            "INSERT INTO clarifications (chat_id, at, text, options) VALUES (?, ?, ?, ?) RETURNING id", chat, now.description, String(text.prefix(1000)),
            options.joined(separator: "\n"), map: { $0.int64(0) })!
        try DailyCounts.increment(db, .clarify, at: now)
        return id
    }

    /// The question `id` asked in `chat` (nil for another chat's).
    static func find(_ db: any Connection, id: Int64, chat: Int64) throws -> Stored? {
        try db.queryFirst("SELECT text, options FROM clarifications WHERE id = ? AND chat_id = ?", id, chat) {
            Stored(text: $0.string(0), options: $0.string(1).split(separator: "\n").map(String.init))
        }
    }
}

import Storage
import Understanding

/// Writes to `unanswered`: the questions the assistant could not answer, for the operators'
/// inbox (`MissGroups` reads and resolves them).
enum UnansweredQuestions {
    /// Logs a miss (and counts it for /stats).
    static func log(_ db: Connection, chat: Int64, text: String, language: Language, at now: Instant) throws {
        try db.execute("INSERT INTO unanswered (chat_id, at, text, language) VALUES (?, ?, ?, ?)", chat, now.description, String(text.prefix(1000)), language.rawValue)
        try DailyCounts.increment(db, .misses, at: now)
    }
}

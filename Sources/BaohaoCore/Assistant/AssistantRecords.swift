import FoundationEssentials
import Storage
import Understanding
import BaohaoSupport

/// The assistant's own records, on the caller's connection and transaction.
enum AssistantRecords {
    static let recentMessagesKept = 10

    static func rememberMessage(_ db: Connection, chat: Int64, messageID: Int64, text: String, at now: Instant) throws {
        try db.execute("INSERT INTO recent_messages (chat_id, message_id, at, text) VALUES (?, ?, ?, ?)", chat, messageID, now.description, String(text.prefix(1000)))
        try DailyCounts.increment(db, .messages, at: now)
        try db.execute(
            "DELETE FROM recent_messages WHERE chat_id = ? AND id <= (SELECT id FROM recent_messages WHERE chat_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            chat, chat, recentMessagesKept)
    }

    static func recentMessages(_ db: Connection, chat: Int64) throws -> [String] {
        try db.query("SELECT text FROM recent_messages WHERE chat_id = ? ORDER BY id", chat) { $0.string(0) }
    }

    static func logUnanswered(_ db: Connection, chat: Int64, text: String, language: Language, at now: Instant) throws {
        try db.execute("INSERT INTO unanswered (chat_id, at, text, language) VALUES (?, ?, ?, ?)", chat, now.description, String(text.prefix(1000)), language.rawValue)
        try DailyCounts.increment(db, .misses, at: now)
    }

    /// Stores a clarifying question's options; returns its id for the buttons.
    static func recordClarification(_ db: Connection, chat: Int64, text: String, options: [String], at now: Instant) throws -> Int64 {
        try db.execute(
            "INSERT INTO clarifications (chat_id, at, text, options) VALUES (?, ?, ?, ?)", chat, now.description, String(text.prefix(1000)),
            options.joined(separator: "\n"))
        let id = db.lastInsertRowID
        try DailyCounts.increment(db, .clarify, at: now)
        return id
    }

    static func clarification(_ db: Connection, id: Int64, chat: Int64) throws -> (text: String, options: [String])? {
        try db.queryFirst("SELECT text, options FROM clarifications WHERE id = ? AND chat_id = ?", id, chat) {
            ($0.string(0), $0.string(1).split(separator: "\n").map(String.init))
        }
    }

    static func labelExample(_ db: Connection, text: String, label: String, target: String?, source: String, at now: Instant) throws {
        try db.execute("INSERT INTO labelled_examples (at, text, label, target, source) VALUES (?, ?, ?, ?, ?)", now.description, text, label, target, source)
        try DailyCounts.increment(db, .labels, at: now)
    }

    // MARK: tickets

    /// `T000042`.
    static func ticketReference(_ id: Int64) -> String {
        let digits = String(id)
        return "T" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    static func ticketID(_ reference: String) -> Int64? {
        let r = reference.uppercased()
        guard r.hasPrefix("T") else { return Int64(r) }
        return Int64(r.dropFirst())
    }

    static func openTicket(_ db: Connection, chat: Int64) throws -> Int64? {
        try db.queryFirst("SELECT id FROM tickets WHERE chat_id = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1", chat) { $0.int64(0) }
    }

    static func createTicket(_ db: Connection, chat: Int64, user: Int64, at now: Instant) throws -> Int64 {
        try db.execute("INSERT INTO tickets (chat_id, user_id, opened_at) VALUES (?, ?, ?)", chat, user, now.description)
        return db.lastInsertRowID
    }

    /// The chat of an open ticket.
    static func ticketChat(_ db: Connection, id: Int64) throws -> Int64? {
        try db.queryFirst("SELECT chat_id FROM tickets WHERE id = ? AND closed_at IS NULL", id) { $0.int64(0) }
    }

    static func closeTicket(_ db: Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE tickets SET closed_at = ? WHERE id = ?", now.description, id)
    }

    // MARK: renewal orders

    static func createOrder(_ db: Connection, reference: String, chat: Int64, number: PhoneNumber, choice: RenewalChoice, price: Money, language: Language, at now: Instant) throws {
        let choiceJSON = String(decoding: try JSONEncoder().encode(choice), as: UTF8.self)
        try db.execute(
            """
            INSERT INTO renewal_orders (reference, chat_id, number, choice, amount_minor, currency, language, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING
            """,
            reference, chat, number.e164, choiceJSON, price.minorUnits, price.currency, language.rawValue, now.description)
    }

    // MARK: alert settings

    static func alertSettings(_ db: Connection, chat: Int64) throws -> ChatAlertSettings {
        try db.queryFirst("SELECT enabled, lead_days, quiet_start, quiet_end, time_zone FROM alert_settings WHERE chat_id = ?", chat) { row in
            ChatAlertSettings(
                enabled: row.bool(0), leadDays: row.optionalString(1).map { $0.split(separator: ",").compactMap { Int($0) } },
                quietStartMinute: row.optionalInt64(2).map(Int.init), quietEndMinute: row.optionalInt64(3).map(Int.init), timeZone: row.optionalString(4))
        } ?? ChatAlertSettings()
    }

    static func saveAlertSettings(_ db: Connection, chat: Int64, _ s: ChatAlertSettings, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO alert_settings (chat_id, enabled, lead_days, quiet_start, quiet_end, time_zone, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET enabled = excluded.enabled, lead_days = excluded.lead_days, quiet_start = excluded.quiet_start,
                quiet_end = excluded.quiet_end, time_zone = excluded.time_zone, updated_at = excluded.updated_at
            """,
            chat, s.enabled, s.leadDays.map { $0.map(String.init).joined(separator: ",") }, s.quietStartMinute, s.quietEndMinute, s.timeZone, now.description)
    }
}

/// A chat's reminder preferences. Nil fields mean "the default": the carrier's lead times,
/// the configured quiet hours, the carrier's time zone.
public struct ChatAlertSettings: Sendable, Equatable {
    public var enabled = true
    public var leadDays: [Int]?
    public var quietStartMinute: Int?
    public var quietEndMinute: Int?
    public var timeZone: String?

    public init(enabled: Bool = true, leadDays: [Int]? = nil, quietStartMinute: Int? = nil, quietEndMinute: Int? = nil, timeZone: String? = nil) {
        self.enabled = enabled
        self.leadDays = leadDays
        self.quietStartMinute = quietStartMinute
        self.quietEndMinute = quietEndMinute
        self.timeZone = timeZone
    }
}

import Storage
import BaohaoSupport

/// Owner of a chat's reminder preferences: `alert_settings` (on or off, lead days, quiet
/// hours, time zone) and `alert_optouts` (a line snoozed or switched off). The scheduler's
/// due-alerts query joins both tables read-only, in one statement, for speed.
enum AlertPreferences {
    static func settings(_ db: any Connection, chat: Int64) throws -> ChatAlertSettings {
        try db.queryFirst("SELECT enabled, lead_days, quiet_start, quiet_end, time_zone FROM alert_settings WHERE chat_id = ?", chat) { row in
            ChatAlertSettings(
                enabled: row.bool(0), leadDays: row.optionalString(1).map { $0.split(separator: ",").compactMap { Int($0) } },
                quietStartMinute: row.optionalInt64(2).map(Int.init), quietEndMinute: row.optionalInt64(3).map(Int.init), timeZone: row.optionalString(4))
        } ?? ChatAlertSettings()
    }

    static func save(_ db: any Connection, chat: Int64, _ s: ChatAlertSettings, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO alert_settings (chat_id, enabled, lead_days, quiet_start, quiet_end, time_zone, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET enabled = excluded.enabled, lead_days = excluded.lead_days, quiet_start = excluded.quiet_start,
                quiet_end = excluded.quiet_end, time_zone = excluded.time_zone, updated_at = excluded.updated_at
            """,
            chat, s.enabled, s.leadDays.map { $0.map(String.init).joined(separator: ",") }, s.quietStartMinute, s.quietEndMinute, s.timeZone, now.description)
    }

    /// No reminders for `lineID` in `chat` until `until` (nil: until reminders are turned on again).
    static func optOut(_ db: any Connection, chat: Int64, lineID: Int64, until: Instant?) throws {
        try db.execute(
            """
            INSERT INTO alert_optouts (chat_id, line_id, snoozed_until) VALUES (?, ?, ?)
            ON CONFLICT (chat_id, line_id) DO UPDATE SET snoozed_until = excluded.snoozed_until
            """, chat, lineID, until?.description)
    }

    /// Reminders for every line of `chat` again.
    static func clearOptOuts(_ db: any Connection, chat: Int64) throws {
        try db.execute("DELETE FROM alert_optouts WHERE chat_id = ?", chat)
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

import Storage
import Understanding
import BaohaoSupport

/// The operators' daily digest: reminders sent, failed deliveries, lines that entered
/// grace, lines within 7 days of recycling. Queued once a day, at the configured time (UTC).
public struct OperatorDigest: Sendable, Equatable {
    public static let stateKey = "alerts.digest_last_day"
    public let sent: Int
    public let failed: Int
    public let enteredGrace: Int
    public let nearRecycling: Int

    /// The figures for the 24 hours before `now`.
    public static func compute(_ db: Connection, catalogue: CarrierCatalogue, now: Instant) throws -> OperatorDigest {
        let since = now.adding(seconds: -86_400).description
        let sent = try db.queryFirst(
            "SELECT count(*) FROM outbox WHERE priority = ? AND state = 'sent' AND sent_at > ?", Outbox.Priority.bulk.rawValue, since
        ) { $0.int(0) } ?? 0
        let failed = try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'dead' AND sent_at > ?", since) { $0.int(0) } ?? 0
        let today = CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000)
        var grace = 0, recycling = 0
        for carrier in catalogue.carriers {
            // Expired yesterday: entered grace (or beyond) in the last day.
            if carrier.graceDays > 0 {
                grace += try db.queryFirst(
                    "SELECT count(*) FROM lines WHERE carrier = ? AND expires_on = ? AND request IS NULL", carrier.id, today.adding(days: -1).description
                ) { $0.int(0) } ?? 0
            }
            // Recycled on day recycle_after + 1 after expiry: within 7 days of that.
            let latest = today.adding(days: -(carrier.recycleAfterDays + 1) + 7), earliest = today.adding(days: -(carrier.recycleAfterDays + 1))
            recycling += try db.queryFirst(
                "SELECT count(*) FROM lines WHERE carrier = ? AND expires_on > ? AND expires_on <= ? AND expires_on < ? AND request IS NULL", carrier.id,
                earliest.description, latest.description, today.description
            ) { $0.int(0) } ?? 0
        }
        return OperatorDigest(sent: sent, failed: failed, enteredGrace: grace, nearRecycling: recycling)
    }

    /// Queues the digest for `chat` once per UTC day, from `minute` (after midnight UTC) on.
    /// Returns the digest when it was queued now.
    @discardableResult
    public static func queueIfDue(
        _ db: Connection, catalogue: CarrierCatalogue, replies: ReplyBook, language: Language, chat: Int64?, minute: Int, now: Instant
    ) throws -> OperatorDigest? {
        guard let chat else { return nil }
        let today = CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000)
        let minuteOfDay = Int((now.millisecondsSinceEpoch / 1000 - today.daysSinceEpoch * 86_400) / 60)
        guard minuteOfDay >= minute else { return nil }
        return try db.transaction {
            let last = try db.queryFirst("SELECT value FROM bot_state WHERE key = ?", stateKey) { $0.string(0) }
            guard last != today.description else { return nil }
            let digest = try compute(db, catalogue: catalogue, now: now)
            let html = replies.text(
                .operatorDigest, language,
                ["sent": String(digest.sent), "failed": String(digest.failed), "grace": String(digest.enteredGrace), "recycling": String(digest.nearRecycling)])
            try Outbox.enqueue(db, OutboundMessage(chatID: chat, html: html), priority: .bulk, at: now)
            try db.execute(
                "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                stateKey, today.description, now.description)
            return digest
        }
    }
}

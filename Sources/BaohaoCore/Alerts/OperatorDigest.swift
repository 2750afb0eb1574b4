public import Storage
public import Understanding
public import BaohaoSupport

/// The operators' daily digest: reminders sent, failed deliveries, lines that entered
/// grace, lines within 7 days of recycling. Queued once a day, at the configured time (UTC).
public struct OperatorDigest: Sendable, Equatable {
    public let sent: Int
    public let failed: Int
    public let enteredGrace: Int
    public let nearRecycling: Int

    /// The figures for the 24 hours before `now`.
    public static func compute(_ db: any Connection, catalogue: CarrierCatalogue, now: Instant) throws -> OperatorDigest {
        let since = now.adding(seconds: -86_400)
        let sent = try Outbox.sentCount(db, priority: .bulk, since: since)
        let failed = try Outbox.deadCount(db, since: since)
        let lines = LineSession(db: db, catalogue: catalogue, now: now)
        let grace = try lines.countEnteredGraceYesterday(), recycling = try lines.countNearRecycling(withinDays: 7)
        return OperatorDigest(sent: sent, failed: failed, enteredGrace: grace, nearRecycling: recycling)
    }

    /// Queues the digest for `chat` once per UTC day, from `minute` (after midnight UTC) on.
    /// Returns the digest when it was queued now.
    @discardableResult
    public static func queueIfDue(
        _ db: any Connection, catalogue: CarrierCatalogue, replies: ReplyBook, language: Language, chat: Int64?, minute: Int, now: Instant
    ) throws -> OperatorDigest? {
        guard let chat else { return nil }
        let today = CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000)
        let minuteOfDay = Int((now.millisecondsSinceEpoch / 1000 - today.daysSinceEpoch * 86_400) / 60)
        guard minuteOfDay >= minute else { return nil }
        return try db.transaction {
            guard try BotState.value(db, .lastDigestDay) != today else { return nil }
            let digest = try compute(db, catalogue: catalogue, now: now)
            let html = replies.text(
                .operatorDigest, language,
                ["sent": String(digest.sent), "failed": String(digest.failed), "grace": String(digest.enteredGrace), "recycling": String(digest.nearRecycling)])
            try Outbox.enqueue(db, OutboundMessage(chatID: chat, html: html), priority: .bulk, at: now)
            try BotState.set(db, .lastDigestDay, to: today, at: now)
            return digest
        }
    }
}

public import Storage
import Understanding
public import BaohaoSupport

/// An alert that is (or would be) queued: for whom, about what, from when.
public struct PlannedAlert: Sendable, Equatable {
    public let lineID: Int64
    public let number: PhoneNumber
    public let chatID: Int64
    public let alert: DueAlert
    public let deliverAt: Instant
    /// Written when asked for: finding what is due need not render every reminder.
    private let render: @Sendable () -> OutboundMessage

    init(lineID: Int64, number: PhoneNumber, chatID: Int64, alert: DueAlert, deliverAt: Instant, render: @escaping @Sendable () -> OutboundMessage) {
        self.lineID = lineID
        self.number = number
        self.chatID = chatID
        self.alert = alert
        self.deliverAt = deliverAt
        self.render = render
    }

    /// The reminder as it is sent.
    public var message: OutboundMessage { render() }

    public static func == (a: PlannedAlert, b: PlannedAlert) -> Bool {
        a.lineID == b.lineID && a.number == b.number && a.chatID == b.chatID && a.alert == b.alert && a.deliverAt == b.deliverAt && a.message == b.message
    }
}

/// Finds the reminders due and queues each exactly once: an alert is identified by line,
/// chat, kind, lead time and expiry date, and recorded in the same transaction that puts it
/// in the outbox, so a restart, a second run or a crash never sends it twice. The one owner
/// of the `alerts` table.
public struct AlertScheduler: Sendable {
    public let catalogue: CarrierCatalogue
    public let replies: ReplyBook
    public let settings: AssistantSettings

    public init(catalogue: CarrierCatalogue, replies: ReplyBook, settings: AssistantSettings) {
        self.catalogue = catalogue
        self.replies = replies
        self.settings = settings
    }

    /// The alerts due at `now` that were not queued before (nothing is written).
    public func plan(_ db: any Connection, now: Instant) throws -> [PlannedAlert] {
        let candidates = try candidates(db, now: now)
        // One query for the alerts already queued on the candidates' expiry dates, not one per candidate.
        let dates = Array(Set(candidates.map(\.expiresOn))).sorted()
        guard !dates.isEmpty else { return [] }
        var queued = Set<String>()
        for chunk in stride(from: 0, to: dates.count, by: 500) {
            let part = Array(dates[chunk..<min(dates.count, chunk + 500)])
            let sql = "SELECT line_id, chat_id, kind, lead_days, expires_on FROM alerts WHERE expires_on IN (" + part.map { _ in "?" }.joined(separator: ",") + ")"
            for key in try db.query(sql, arguments: part, map: { "\($0.int64(0))|\($0.int64(1))|\($0.string(2))|\($0.int64(3))|\($0.string(4))" }) { queued.insert(key) }
        }
        return candidates.filter { c in
            !queued.contains("\(c.lineID)|\(c.chatID)|\(c.alert.kind.rawValue)|\(c.alert.leadDays)|\(c.expiresOn)")
        }.map(\.planned)
    }

    /// Queues what is due now (live replies keep their priority over these). Returns what was queued.
    @discardableResult
    public func enqueueDue(_ db: any Connection, now: Instant) throws -> [PlannedAlert] {
        try db.transaction {
            var queued: [PlannedAlert] = []
            for candidate in try candidates(db, now: now) {
                // Already recorded (queued before): no row comes back, and nothing is queued again.
                guard
                    let alertID = try db.queryFirst(
                        """
                        INSERT INTO alerts (line_id, chat_id, kind, lead_days, expires_on, due_at, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (line_id, chat_id, kind, lead_days, expires_on) DO NOTHING
                        RETURNING id
                        """, candidate.lineID, candidate.chatID, candidate.alert.kind.rawValue, candidate.alert.leadDays, candidate.expiresOn,
                        candidate.planned.deliverAt.description, now.description, map: { $0.int64(0) })
                else { continue }
                // A later reminder of the same line to the same chat makes an unsent earlier one moot.
                try Outbox.dropPending(
                    db,
                    ids: try db.query(
                        "SELECT outbox_id FROM alerts WHERE line_id = ? AND chat_id = ? AND id <> ? AND state = 'queued' AND outbox_id IS NOT NULL",
                        candidate.lineID, candidate.chatID, alertID
                    ) { $0.int64(0) }, reason: "superseded by a later reminder of the same line")
                let outboxID = try Outbox.enqueueReturningID(db, candidate.planned.message, priority: .bulk, at: now, expiresAt: candidate.usefulUntil)
                try db.execute("UPDATE alerts SET outbox_id = ? WHERE id = ?", outboxID, alertID)
                queued.append(candidate.planned)
            }
            if !queued.isEmpty { try DailyCounts.increment(db, .alerts, at: now, by: queued.count) }
            return queued
        }
    }

    /// A renewal moved the line's expiry to `expiry`: its reminders about another expiry that
    /// are queued but not yet sent are cancelled, and their outbox items dropped.
    public static func cancelQueued(_ db: any Connection, line: Int64, keepingExpiry expiry: CivilDate) throws {
        let outboxIDs = try db.query(
            "SELECT outbox_id FROM alerts WHERE line_id = ? AND state = 'queued' AND expires_on <> ? AND outbox_id IS NOT NULL", line, expiry.description
        ) { $0.int64(0) }
        try Outbox.dropPending(db, ids: outboxIDs, reason: "line renewed before the reminder went out")
        try db.execute("UPDATE alerts SET state = 'cancelled' WHERE line_id = ? AND state = 'queued' AND expires_on <> ?", line, expiry.description)
    }

    /// What the scheduler does on each tick: queue the due alerts, and the operators'
    /// digest once a day. Returns how many messages were queued.
    public func tick(_ db: any Connection, now: Instant) throws -> Int {
        let alerts = try enqueueDue(db, now: now).count
        let digest = try OperatorDigest.queueIfDue(
            db, catalogue: catalogue, replies: replies, language: settings.defaultLanguage, chat: settings.operatorChatID, minute: settings.digestMinute, now: now)
        return alerts + (digest == nil ? 0 : 1)
    }

    struct Candidate {
        let planned: PlannedAlert
        let expiresOn: String
        /// When the reminder's moment has passed: the end of the expiry day (or of the day it
        /// is about, if later) in the carrier's time zone. Not delivered by then, it is dropped.
        var usefulUntil: Instant? = nil
        var lineID: Int64 { planned.lineID }
        var chatID: Int64 { planned.chatID }
        var alert: DueAlert { planned.alert }
    }

    /// Lines whose expiry falls on a date some lead time (or the grace rules) points at
    /// from today, looked up through the expiry index, joined with the chats that want
    /// alerts, then checked one by one against their carrier's and chat's rules.
    func candidates(_ db: any Connection, now: Instant) throws -> [Candidate] {
        let utcToday = CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000)
        var leads = Set(catalogue.carriers.flatMap(\.alertLeadDays))
        for text in try db.query("SELECT DISTINCT lead_days FROM alert_settings WHERE lead_days IS NOT NULL", map: { $0.string(0) }) {
            leads.formUnion(text.split(separator: ",").compactMap { Int($0) })
        }
        var offsets = Set<Int>()
        for lead in leads { offsets.formUnion([lead, lead - 1]) }  // today's, and yesterday's if a run was missed
        for carrier in catalogue.carriers where carrier.graceDays > 0 {
            offsets.formUnion([-1, -2, -max(1, carrier.graceDays - 3), -max(1, carrier.graceDays - 3) - 1])
        }
        var dates = Set<String>()
        for shift in -1...1 { for offset in offsets { dates.insert(utcToday.adding(days: shift + offset).description) } }
        let list = dates.sorted()
        // No lead time and no grace anywhere: nothing to look up (and `IN ()` is not SQL everywhere).
        guard !list.isEmpty else { return try failureCandidates(db, now: now) }
        let placeholders = list.map { _ in "?" }.joined(separator: ",")
        let rows = try db.query(
            """
            SELECT l.id, l.number, l.carrier, l.plan, l.expires_on, b.chat_id, s.enabled, s.lead_days, s.quiet_start, s.quiet_end, s.time_zone,
                   c.language, o.snoozed_until, o.chat_id IS NOT NULL
            FROM lines l
            JOIN bindings b ON b.line_id = l.id
            LEFT JOIN alert_settings s ON s.chat_id = b.chat_id
            LEFT JOIN conversations c ON c.chat_id = b.chat_id
            LEFT JOIN alert_optouts o ON o.chat_id = b.chat_id AND o.line_id = l.id
            LEFT JOIN chat_state cs ON cs.chat_id = b.chat_id
            WHERE l.expires_on IN (\(placeholders)) AND l.request IS NULL AND cs.inactive_since IS NULL
            ORDER BY l.expires_on, l.id, b.chat_id
            """, arguments: list
        ) { row in
            (
                id: row.int64(0), number: row.string(1), carrier: row.string(2), plan: row.string(3), expires: row.string(4), chat: row.int64(5),
                enabled: row.isNull(6) ? true : row.bool(6), leads: row.optionalString(7), quietStart: row.optionalInt64(8), quietEnd: row.optionalInt64(9),
                zone: row.optionalString(10), language: row.optionalString(11), snoozedUntil: row.optionalString(12), optedOut: row.bool(13)
            )
        }
        var result: [Candidate] = []
        for row in rows where row.enabled {
            if row.optedOut {
                // Snoozed until a time (remind me tomorrow) or off for good.
                guard let until = row.snoozedUntil.flatMap(Instant.init(iso:)), until <= now else { continue }
            }
            guard let carrier = catalogue.carrier(row.carrier), let plan = carrier.plan(row.plan), let number = PhoneNumber(e164: row.number),
                let expiresOn = CivilDate(iso: row.expires), let today = now.date(inTimeZone: row.zone ?? carrier.timeZone)
            else { continue }
            let leads = row.leads.map { $0.split(separator: ",").compactMap { Int($0) }.sorted(by: >) } ?? carrier.alertLeadDays
            for due in AlertRule.due(expiresOn: expiresOn, today: today, leadDays: leads, graceDays: carrier.graceDays, recycleAfterDays: carrier.recycleAfterDays) {
                let at = AlertRule.deliveryInstant(
                    date: due.date, timeZone: row.zone ?? carrier.timeZone,
                    quietStartMinute: row.quietStart.map(Int.init) ?? settings.quietStartMinute, quietEndMinute: row.quietEnd.map(Int.init) ?? settings.quietEndMinute,
                    notBefore: Instant(millisecondsSinceEpoch: 0))
                guard at <= now else { continue }  // not yet (quiet hours, or later today)
                // A catch-up for a run missed yesterday whose moment has passed: moot.
                let usefulUntil = AlertRule.localInstant(date: max(expiresOn, due.date).adding(days: 1), timeZone: carrier.timeZone)
                guard now < usefulUntil else { continue }
                let language = row.language.flatMap(Language.init(rawValue:)) ?? settings.defaultLanguage
                let chat = row.chat, lineID = row.id
                result.append(Candidate(
                    planned: PlannedAlert(lineID: lineID, number: number, chatID: chat, alert: due, deliverAt: at) { [self] in
                        message(due, number: number, carrier: carrier, plan: plan, expiresOn: expiresOn, today: today, chat: chat, lineID: lineID, language: language)
                    },
                    expiresOn: row.expires, usefulUntil: usefulUntil))
            }
        }
        return result + (try failureCandidates(db, now: now))
    }

    /// Failed automatic renewals recorded in the last two days. The alert's key holds the
    /// ledger row (`expires_on` = `ledger:<id>`), so each failure is announced once.
    func failureCandidates(_ db: any Connection, now: Instant) throws -> [Candidate] {
        let rows = try db.query(
            """
            SELECT g.id, g.detail, l.id, l.number, l.carrier, l.plan, l.expires_on, b.chat_id, s.enabled, s.quiet_start, s.quiet_end, s.time_zone, c.language
            FROM ledger g
            JOIN lines l ON l.id = g.line_id
            JOIN bindings b ON b.line_id = l.id
            LEFT JOIN alert_settings s ON s.chat_id = b.chat_id
            LEFT JOIN conversations c ON c.chat_id = b.chat_id
            LEFT JOIN chat_state cs ON cs.chat_id = b.chat_id
            WHERE g.reason = 'auto_renew_failed' AND g.at > ? AND cs.inactive_since IS NULL
            ORDER BY g.id, b.chat_id
            """, now.adding(seconds: -2 * 86_400).description
        ) { row in
            (
                ledgerID: row.int64(0), reason: row.string(1), lineID: row.int64(2), number: row.string(3), carrier: row.string(4), plan: row.string(5),
                expires: row.string(6), chat: row.int64(7), enabled: row.isNull(8) ? true : row.bool(8), quietStart: row.optionalInt64(9),
                quietEnd: row.optionalInt64(10), zone: row.optionalString(11), language: row.optionalString(12)
            )
        }
        var result: [Candidate] = []
        for row in rows where row.enabled {
            guard let carrier = catalogue.carrier(row.carrier), let plan = carrier.plan(row.plan), let number = PhoneNumber(e164: row.number),
                let expiresOn = CivilDate(iso: row.expires), let today = now.date(inTimeZone: row.zone ?? carrier.timeZone)
            else { continue }
            let due = DueAlert(kind: .renewalFailed, leadDays: 0, date: today)
            let at = AlertRule.deliveryInstant(
                date: today, timeZone: row.zone ?? carrier.timeZone, quietStartMinute: row.quietStart.map(Int.init) ?? settings.quietStartMinute,
                quietEndMinute: row.quietEnd.map(Int.init) ?? settings.quietEndMinute, notBefore: now)
            guard at <= now else { continue }  // quiet hours: the next tick after they end
            let language = row.language.flatMap(Language.init(rawValue:)) ?? settings.defaultLanguage
            let chat = row.chat, lineID = row.lineID, reason = row.reason
            result.append(Candidate(
                planned: PlannedAlert(lineID: lineID, number: number, chatID: chat, alert: due, deliverAt: at) { [self] in
                    message(
                        due, number: number, carrier: carrier, plan: plan, expiresOn: expiresOn, today: today, chat: chat, lineID: lineID, language: language,
                        failureReason: reason)
                },
                expiresOn: "ledger:\(row.ledgerID)",
                usefulUntil: AlertRule.localInstant(date: max(expiresOn, today).adding(days: 1), timeZone: carrier.timeZone)))
        }
        return result
    }

    func message(
        _ due: DueAlert, number: PhoneNumber, carrier: Carrier, plan: Plan, expiresOn: CivilDate, today: CivilDate, chat: Int64, lineID: Int64,
        language: Language, failureReason: String = ""
    ) -> OutboundMessage {
        let name = carrier.names.text(for: language.rawValue)
        let masked = number.maskedForDisplay
        let html: String
        let quotes = RenewalRule.quote(carrier: carrier, plan: plan, expiresOn: expiresOn, today: today)
        switch due.kind {
        case .expiring:
            let cheapest = quotes.min { $0.price.minorUnits < $1.price.minorUnits }.map { "\($0.price.display) / \(replies.renewalLength($0.length, language))" } ?? "—"
            let left = today.days(until: expiresOn)
            let days =
                left == 0
                ? replies.label(.daysToday, language) : left == 1 ? replies.label(.daysOneLeft, language) : replies.label(.daysLeft, language, ["n": String(left)])
            html = replies.text(.alertExpiring, language, ["number": masked, "carrier": name, "expires": expiresOn.description, "days": days, "cheapest": cheapest])
        case .graceEntered:
            html = replies.text(.alertGrace, language, ["number": masked, "carrier": name, "expires": expiresOn.description, "recycle_days": String(carrier.recycleAfterDays)])
        case .lastChance:
            html = replies.text(.alertLastChance, language, ["number": masked, "carrier": name, "grace_end": expiresOn.adding(days: carrier.graceDays).description])
        case .renewalFailed:
            html = replies.text(.alertRenewalFailed, language, ["number": masked, "carrier": name, "reason": failureReason])
        }
        // The two cheapest ways to renew as buttons (each makes an order), then all options.
        let options = quotes.sorted { $0.price.minorUnits < $1.price.minorUnits }.prefix(2).map { replies.renewalButton($0, number: number, language) }
        let buttons: [[OutboundButton]] = options.map { [$0] } + [
            [OutboundButton(replies.label(.alertRenewButton, language), .line(.renew, .number(number)))],
            [OutboundButton(replies.label(.alertSnoozeButton, language), .snoozeAlerts(lineID: lineID)), OutboundButton(replies.label(.alertOffButton, language), .stopAlerts(lineID: lineID))],
        ]
        return OutboundMessage(chatID: chat, html: html, buttons: buttons)
    }
}

public import BaohaoSupport

/// Which reminders a line is owed, and when each may go: pure date arithmetic.
public enum AlertKind: String, Sendable, Codable, CaseIterable {
    /// `lead` days before expiry (0: on the day).
    case expiring
    /// The day after expiry: the line is in its grace period; `lead` is the days left before recycling.
    case graceEntered = "grace_entered"
    /// Three days before the grace period ends.
    case lastChance = "last_chance"
    /// An automatic renewal charge failed (recorded in the ledger): at once.
    case renewalFailed = "renewal_failed"
}

/// One reminder owed to a line, on a calendar date of the line's carrier.
public struct DueAlert: Sendable, Equatable {
    public let kind: AlertKind
    public let leadDays: Int
    /// The local date from which it may go.
    public let date: CivilDate
}

public enum AlertRule {
    /// The reminders of a line valid through `expiresOn`, whose date is `today` or earlier
    /// but not stale: a lead-time reminder whose date has passed is still owed while the
    /// line has not expired (a reminder missed at T-7 goes at T-6, never after expiry), and
    /// only the latest expiring reminder is owed (no burst of T-7, T-3 and T-1 at once).
    public static func due(expiresOn: CivilDate, today: CivilDate, leadDays: [Int], graceDays: Int, recycleAfterDays: Int) -> [DueAlert] {
        var owed: [DueAlert] = []
        let daysLeft = today.days(until: expiresOn)
        if daysLeft >= 0 {
            // The smallest lead whose date has come.
            if let lead = leadDays.filter({ $0 >= daysLeft }).min() {
                owed.append(DueAlert(kind: .expiring, leadDays: lead, date: expiresOn.adding(days: -lead)))
            }
            return owed
        }
        let past = -daysLeft
        if graceDays > 0, past <= graceDays {
            owed.append(DueAlert(kind: .graceEntered, leadDays: recycleAfterDays, date: expiresOn.adding(days: 1)))
            let lastChance = expiresOn.adding(days: max(1, graceDays - 3))
            if graceDays > 3, today >= lastChance {
                owed.append(DueAlert(kind: .lastChance, leadDays: 3, date: lastChance))
            }
        }
        return owed
    }

    /// The instant an alert for local date `date` may go in `timeZone`: local midnight,
    /// moved out of quiet hours to their end (quiet hours may span midnight, 22:00–08:00).
    /// Computed on the calendar and the zone's rules, so a DST change moves it correctly.
    /// The instant at `minute` past midnight of `date` in `timeZone` (UTC when unknown).
    public static func localInstant(date: CivilDate, minute: Int = 0, timeZone: String) -> Instant {
        let zone = ZoneInfo.named(timeZone)
        let local = date.daysSinceEpoch * 86_400 + Int64(minute) * 60
        // The offset at the local time itself (checked twice around a change).
        var offset = Int64(zone?.offset(at: local) ?? 0)
        offset = Int64(zone?.offset(at: local - offset) ?? 0)
        return Instant(secondsSinceEpoch: local - offset)
    }

    public static func deliveryInstant(date: CivilDate, timeZone: String, quietStartMinute: Int, quietEndMinute: Int, notBefore: Instant) -> Instant {
        let zone = ZoneInfo.named(timeZone)
        func instant(_ day: CivilDate, _ minute: Int) -> Instant { localInstant(date: day, minute: minute, timeZone: timeZone) }
        func localMinute(_ i: Instant) -> (CivilDate, Int) {
            let s = i.millisecondsSinceEpoch / 1000
            let local = s + Int64(zone?.offset(at: s) ?? 0)
            let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
            return (CivilDate(daysSinceEpoch: day), Int((local - day * 86_400) / 60))
        }
        var candidate = max(instant(date, 0), notBefore)
        let (day, minute) = localMinute(candidate)
        if isQuiet(minute, quietStartMinute, quietEndMinute) {
            // Deferred to the end of the quiet hours: today's end if before it, else tomorrow's.
            let endDay = quietStartMinute > quietEndMinute && minute >= quietStartMinute ? day.adding(days: 1) : day
            candidate = instant(endDay, quietEndMinute)
        }
        return candidate
    }

    /// True when `minute` (after local midnight) falls in the quiet hours [start, end).
    public static func isQuiet(_ minute: Int, _ start: Int, _ end: Int) -> Bool {
        if start == end { return false }
        return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }
}

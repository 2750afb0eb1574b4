import Testing
@testable import BaohaoCore
import BaohaoSupport

@Suite struct AlertRuleTests {
    private static func d(_ s: String) -> CivilDate { CivilDate(iso: s)! }

    @Test(arguments: [
        ("2026-11-22", [DueAlert]()),  // 8 days before: nothing yet
        ("2026-11-23", [DueAlert(kind: .expiring, leadDays: 7, date: d("2026-11-23"))]),
        ("2026-11-24", [DueAlert(kind: .expiring, leadDays: 7, date: d("2026-11-23"))]),  // a missed T-7 is still owed
        ("2026-11-27", [DueAlert(kind: .expiring, leadDays: 3, date: d("2026-11-27"))]),
        ("2026-11-29", [DueAlert(kind: .expiring, leadDays: 1, date: d("2026-11-29"))]),
        ("2026-11-30", [DueAlert(kind: .expiring, leadDays: 0, date: d("2026-11-30"))]),
        ("2026-12-01", [DueAlert(kind: .graceEntered, leadDays: 60, date: d("2026-12-01"))]),
        ("2026-12-26", [DueAlert(kind: .graceEntered, leadDays: 60, date: d("2026-12-01"))]),
        // Grace ends on 2026-12-30 (the 30th day after expiry): the last chance is 3 days before.
        ("2026-12-27", [DueAlert(kind: .graceEntered, leadDays: 60, date: d("2026-12-01")), DueAlert(kind: .lastChance, leadDays: 3, date: d("2026-12-27"))]),
        ("2026-12-28", [DueAlert(kind: .graceEntered, leadDays: 60, date: d("2026-12-01")), DueAlert(kind: .lastChance, leadDays: 3, date: d("2026-12-27"))]),
        ("2026-12-31", []),  // grace (30 days) over: nothing more
    ])
    func eachLeadTimeBoundary(today: String, expected: [DueAlert]) {
        let due = AlertRule.due(expiresOn: Self.d("2026-11-30"), today: Self.d(today), leadDays: [7, 3, 1, 0], graceDays: 30, recycleAfterDays: 60)
        #expect(due == expected)
    }

    @Test func quietHoursDeferToTheirEndInTheLocalZone() {
        // Hong Kong (UTC+8), quiet 22:00–08:00: a reminder for 2026-11-25 may go from 08:00 HKT = 00:00 UTC.
        let hk = AlertRule.deliveryInstant(date: Self.d("2026-11-25"), timeZone: "Asia/Hong_Kong", quietStartMinute: 1320, quietEndMinute: 480, notBefore: Instant(secondsSinceEpoch: 0))
        #expect(hk.description == "2026-11-25T00:00:00.000Z")
        // No quiet hours: local midnight.
        let open = AlertRule.deliveryInstant(date: Self.d("2026-11-25"), timeZone: "Asia/Hong_Kong", quietStartMinute: 0, quietEndMinute: 0, notBefore: Instant(secondsSinceEpoch: 0))
        #expect(open.description == "2026-11-24T16:00:00.000Z")
        // Already past the day's start, in the evening quiet hours: the next morning.
        let evening = Instant(iso: "2026-11-25T15:00:00.000Z")!  // 23:00 HKT
        let deferred = AlertRule.deliveryInstant(date: Self.d("2026-11-25"), timeZone: "Asia/Hong_Kong", quietStartMinute: 1320, quietEndMinute: 480, notBefore: evening)
        #expect(deferred.description == "2026-11-26T00:00:00.000Z")
    }

    @Test func daylightSavingIsTheCalendarsNotTwentyFourHours() {
        // New York springs forward on Sunday 2026-03-08: 08:00 is 13:00 UTC on Saturday, 12:00 UTC on Sunday.
        let saturday = AlertRule.deliveryInstant(date: Self.d("2026-03-07"), timeZone: "America/New_York", quietStartMinute: 1320, quietEndMinute: 480, notBefore: Instant(secondsSinceEpoch: 0))
        let sunday = AlertRule.deliveryInstant(date: Self.d("2026-03-08"), timeZone: "America/New_York", quietStartMinute: 1320, quietEndMinute: 480, notBefore: Instant(secondsSinceEpoch: 0))
        #expect(saturday.description == "2026-03-07T13:00:00.000Z")
        #expect(sunday.description == "2026-03-08T12:00:00.000Z")
        #expect(sunday.millisecondsSinceEpoch - saturday.millisecondsSinceEpoch == 23 * 3_600_000)
        // And back in November: 25 hours between two 08:00s.
        let before = AlertRule.deliveryInstant(date: Self.d("2026-10-31"), timeZone: "America/New_York", quietStartMinute: 1320, quietEndMinute: 480, notBefore: Instant(secondsSinceEpoch: 0))
        let after = AlertRule.deliveryInstant(date: Self.d("2026-11-01"), timeZone: "America/New_York", quietStartMinute: 1320, quietEndMinute: 480, notBefore: Instant(secondsSinceEpoch: 0))
        #expect(after.millisecondsSinceEpoch - before.millisecondsSinceEpoch == 25 * 3_600_000)
    }

    @Test func quietHoursMayOrMayNotSpanMidnight() {
        #expect(AlertRule.isQuiet(23 * 60, 1320, 480))
        #expect(AlertRule.isQuiet(7 * 60 + 59, 1320, 480))
        #expect(!AlertRule.isQuiet(8 * 60, 1320, 480))
        #expect(AlertRule.isQuiet(13 * 60, 12 * 60, 14 * 60))
        #expect(!AlertRule.isQuiet(14 * 60, 12 * 60, 14 * 60))
        #expect(!AlertRule.isQuiet(3 * 60, 0, 0))
    }
}

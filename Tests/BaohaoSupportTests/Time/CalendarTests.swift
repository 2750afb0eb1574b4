import Testing
@testable import BaohaoSupport

@Suite struct CalendarTests {
    private static func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }
    private static func instant(_ iso: String) -> Instant { Instant(iso: iso)! }

    @Test func isoDatesParseOnlyWhenTheDayExists() {
        #expect(CivilDate(iso: "2026-11-22")?.description == "2026-11-22")
        let c = Self.date("2026-11-22").components
        #expect(c.year == 2026 && c.month == 11 && c.day == 22)
        #expect(CivilDate(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(CivilDate(iso: "2000-02-29")?.description == "2000-02-29")
        #expect(CivilDate(iso: "0001-01-01")?.description == "0001-01-01")
        #expect(CivilDate(iso: "9999-12-31")?.description == "9999-12-31")
        for bad in ["2026-02-29", "2024-02-30", "2100-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
                    "26-01-01", "2026-1-01", "2026-01-1", "2026/01/01", "2026-01-01 ", " 2026-01-01", "2026-0a-01",
                    "0000-01-01", "", "20260101", "+026-01-01"] {
            #expect(CivilDate(iso: bad) == nil, "'\(bad)'")
        }
        #expect(CivilDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2026, month: 2, day: 28) == Self.date("2026-02-28"))
    }

    @Test func daysSinceEpoch() {
        #expect(Self.date("1970-01-01").daysSinceEpoch == 0)
        #expect(Self.date("1969-12-31").daysSinceEpoch == -1)
        #expect(Self.date("2000-03-01").daysSinceEpoch == 11_017)
        #expect(CivilDate(daysSinceEpoch: 11_017).description == "2000-03-01")
        #expect(CivilDate(daysSinceEpoch: -1).description == "1969-12-31")
        // Every day of a four-year span survives description → parse.
        var day = Self.date("2023-12-25")
        for _ in 0..<(4 * 366) {
            #expect(CivilDate(iso: day.description) == day)
            day = day.adding(days: 1)
        }
        #expect(day.description == "2027-12-28")
    }

    @Test func addingMonthsClampsToTheMonthsLastDay() {
        #expect(Self.date("2026-01-31").adding(months: 1) == Self.date("2026-02-28"))
        #expect(Self.date("2024-01-31").adding(months: 1) == Self.date("2024-02-29"))
        #expect(Self.date("2026-01-31").adding(months: 12) == Self.date("2027-01-31"))
        #expect(Self.date("2024-02-29").adding(months: 12) == Self.date("2025-02-28"))
        #expect(Self.date("2026-03-31").adding(months: 1) == Self.date("2026-04-30"))
        #expect(Self.date("2026-11-30").adding(months: 3) == Self.date("2027-02-28"))
        #expect(Self.date("2026-12-15").adding(months: 1) == Self.date("2027-01-15"))
        #expect(Self.date("2026-03-31").adding(months: -1) == Self.date("2026-02-28"))
        #expect(Self.date("2026-01-15").adding(months: 0) == Self.date("2026-01-15"))
    }

    @Test func addingDaysAndDaysUntil() {
        #expect(Self.date("2026-11-22").adding(days: 30) == Self.date("2026-12-22"))
        #expect(Self.date("2026-12-31").adding(days: 1) == Self.date("2027-01-01"))
        #expect(Self.date("2024-02-28").adding(days: 1) == Self.date("2024-02-29"))
        #expect(Self.date("2026-03-01").adding(days: -1) == Self.date("2026-02-28"))
        #expect(Self.date("2026-11-22").days(until: Self.date("2026-12-01")) == 9)
        #expect(Self.date("2026-12-01").days(until: Self.date("2026-11-22")) == -9)
        #expect(Self.date("2024-01-01").days(until: Self.date("2025-01-01")) == 366)
        #expect(Self.date("2026-01-01").days(until: Self.date("2027-01-01")) == 365)
        #expect(Self.date("2026-05-05").days(until: Self.date("2026-05-05")) == 0)
        #expect(Self.date("2026-05-05") < Self.date("2026-05-06"))
    }

    @Test func newYorkSpringForward2026() {
        // Before 2026-03-08 07:00Z New York is EST (UTC-5); after, EDT (UTC-4).
        #expect(Self.instant("2026-03-08T04:59:59.999Z").date(inTimeZone: "America/New_York") == Self.date("2026-03-07"))
        #expect(Self.instant("2026-03-08T05:00:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-03-08"))
        #expect(Self.instant("2026-03-08T06:59:59.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-03-08"))
        #expect(Self.instant("2026-03-08T07:00:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-03-08"))
        #expect(Self.instant("2026-03-09T03:59:59.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-03-08"))
        // At UTC-5 these would still be the 8th.
        #expect(Self.instant("2026-03-09T04:00:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-03-09"))
        #expect(Self.instant("2026-03-09T04:30:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-03-09"))
    }

    @Test func newYorkFallBack2026() {
        // 2026-11-01 06:00Z: EDT (UTC-4) ends, EST (UTC-5) begins.
        #expect(Self.instant("2026-10-31T03:59:59.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-10-30"))
        #expect(Self.instant("2026-10-31T04:00:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-10-31"))
        #expect(Self.instant("2026-11-01T04:30:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-11-01"))
        // At UTC-4 these would already be the 2nd.
        #expect(Self.instant("2026-11-02T04:00:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-11-01"))
        #expect(Self.instant("2026-11-02T04:59:59.999Z").date(inTimeZone: "America/New_York") == Self.date("2026-11-01"))
        #expect(Self.instant("2026-11-02T05:00:00.000Z").date(inTimeZone: "America/New_York") == Self.date("2026-11-02"))
    }

    @Test func hongKong() {
        #expect(Self.instant("2026-11-22T15:59:59.999Z").date(inTimeZone: "Asia/Hong_Kong") == Self.date("2026-11-22"))
        #expect(Self.instant("2026-11-22T16:00:00.000Z").date(inTimeZone: "Asia/Hong_Kong") == Self.date("2026-11-23"))
        #expect(Self.instant("2026-07-01T16:00:00.000Z").date(inTimeZone: "Asia/Hong_Kong") == Self.date("2026-07-02"))
    }

    @Test func londonSummerAndWinter() {
        // BST (UTC+1) in July.
        #expect(Self.instant("2026-07-15T22:59:59.000Z").date(inTimeZone: "Europe/London") == Self.date("2026-07-15"))
        #expect(Self.instant("2026-07-15T23:00:00.000Z").date(inTimeZone: "Europe/London") == Self.date("2026-07-16"))
        // GMT (UTC+0) in January.
        #expect(Self.instant("2026-01-15T23:30:00.000Z").date(inTimeZone: "Europe/London") == Self.date("2026-01-15"))
        #expect(Self.instant("2026-01-15T23:59:59.999Z").date(inTimeZone: "Europe/London") == Self.date("2026-01-15"))
        #expect(Self.instant("2026-01-16T00:00:00.000Z").date(inTimeZone: "Europe/London") == Self.date("2026-01-16"))
    }

    @Test func utcAndInstantsBeforeTheEpoch() {
        #expect(Instant(millisecondsSinceEpoch: 0).date(inTimeZone: "UTC") == Self.date("1970-01-01"))
        #expect(Instant(millisecondsSinceEpoch: -1).date(inTimeZone: "UTC") == Self.date("1969-12-31"))
        #expect(Instant(millisecondsSinceEpoch: -86_400_000).date(inTimeZone: "UTC") == Self.date("1969-12-31"))
        #expect(Instant(millisecondsSinceEpoch: -86_400_001).date(inTimeZone: "UTC") == Self.date("1969-12-30"))
        #expect(Instant(millisecondsSinceEpoch: 0).date(inTimeZone: "America/New_York") == Self.date("1969-12-31"))
    }

    @Test func unknownZoneIsNil() {
        #expect(Self.instant("2026-11-22T00:00:00.000Z").date(inTimeZone: "Mars/Olympus_Mons") == nil)
        #expect(Self.instant("2026-11-22T00:00:00.000Z").date(inTimeZone: "") == nil)
    }

    @Test func instantISOParsesItsStoredForm() {
        let i = Self.instant("2026-11-22T00:31:02.125Z")
        #expect(i.millisecondsSinceEpoch == 1_795_307_462_125)
        #expect(i.description == "2026-11-22T00:31:02.125Z")
        #expect(Instant(iso: "1970-01-01T00:00:00.000Z")?.millisecondsSinceEpoch == 0)
        for bad in ["2026-11-22T24:00:00.000Z", "2026-11-22T00:60:00.000Z", "2026-11-22T00:00:60.000Z", "2026-11-22 00:31:02.125Z",
                    "2026-11-22T00:31:02Z", "2026-11-22T00:31:02.125", "2026-02-30T00:31:02.125Z", "2026-11-22T00:31:02.12aZ", ""] {
            #expect(Instant(iso: bad) == nil, "'\(bad)'")
        }
    }

    @Test func instantISOParsesItsOwnDescriptionInThisEra() {
        // Every 7,777,777 ms from 2024 to 2030, plus a few fixed ones.
        var ms: Int64 = 1_704_067_200_000
        while ms < 1_893_456_000_000 {
            let i = Instant(millisecondsSinceEpoch: ms)
            #expect(Instant(iso: i.description) == i, "\(ms)")
            ms += 7_777_777
        }
        for ms: Int64 in [0, 1, 999, 1000, 86_399_999, 1_795_307_462_001, 1_795_307_462_999] {
            let i = Instant(millisecondsSinceEpoch: ms)
            #expect(Instant(iso: i.description) == i, "\(ms)")
        }
    }

    /// `description` goes through floating point (`Double(ms) / 1000`, then × 1000 rounded
    /// down), which loses a millisecond for some values: 1,001 ms after the epoch, and many
    /// instants from 2038 on.
    @Test func instantDescriptionIsExactForEveryMillisecond() {
        #expect(Instant(millisecondsSinceEpoch: 1001).description == "1970-01-01T00:00:01.001Z")
        #expect(Instant(millisecondsSinceEpoch: 2_148_000_000_002).description == "2038-01-25T02:40:00.002Z")
        for ms: Int64 in [1001, 1003, 2_148_000_000_002, 2_148_000_000_003] {
            let i = Instant(millisecondsSinceEpoch: ms)
            #expect(Instant(iso: i.description) == i, "\(ms) → \(i.description)")
        }
    }
}

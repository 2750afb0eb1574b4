import Testing
@testable import BaohaoCore
import BaohaoSupport

@Suite struct LineStatusTests {
    private static func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }
    private static let expires = date("2026-12-01")

    /// The status `offset` days after expiry (negative: before) with grace 30, recycle 60, lead 7.
    private static func status(_ offset: Int, grace: Int = 30, recycle: Int = 60, lead: Int = 7, request: LineRequestState? = nil) -> LineStatus {
        LineStatusRule.status(
            expiresOn: expires, today: expires.adding(days: offset), graceDays: grace, recycleAfterDays: recycle,
            firstLeadDays: lead, request: request)
    }

    @Test func eachBoundary() {
        #expect(Self.status(-30) == .active)
        #expect(Self.status(-8) == .active)
        #expect(Self.status(-7) == .expiringSoon)
        #expect(Self.status(-1) == .expiringSoon)
        #expect(Self.status(0) == .expiringSoon)
        #expect(Self.status(1) == .grace)
        #expect(Self.status(30) == .grace)
        #expect(Self.status(31) == .suspended)
        #expect(Self.status(60) == .suspended)
        #expect(Self.status(61) == .recycled)
        #expect(Self.status(1000) == .recycled)
    }

    @Test func noGraceAndNoRecycleDelay() {
        #expect(Self.status(0, grace: 0, recycle: 0) == .expiringSoon)
        #expect(Self.status(1, grace: 0, recycle: 0) == .recycled)
        #expect(Self.status(1, grace: 0, recycle: 10) == .suspended)
        #expect(Self.status(10, grace: 0, recycle: 10) == .suspended)
        #expect(Self.status(11, grace: 0, recycle: 10) == .recycled)
        #expect(Self.status(30, grace: 30, recycle: 30) == .grace)
        #expect(Self.status(31, grace: 30, recycle: 30) == .recycled)
    }

    @Test func leadTimeZeroMeansOnlyTheLastDayIsExpiringSoon() {
        #expect(Self.status(-1, lead: 0) == .active)
        #expect(Self.status(0, lead: 0) == .expiringSoon)
        #expect(Self.status(-30, lead: 30) == .expiringSoon)
        #expect(Self.status(-31, lead: 30) == .active)
    }

    @Test func requestsOverride() {
        #expect(Self.status(-30, request: .cancelled) == .cancelled)
        #expect(Self.status(61, request: .cancelled) == .cancelled)
        #expect(Self.status(-30, request: .portingOut) == .portingOut)
        #expect(Self.status(5, request: .portingOut) == .portingOut)
        // A pending cancellation does not change the derived status.
        #expect(Self.status(-30, request: .cancelPending) == .active)
        #expect(Self.status(0, request: .cancelPending) == .expiringSoon)
        #expect(Self.status(5, request: .cancelPending) == .grace)
        #expect(Self.status(45, request: .cancelPending) == .suspended)
        #expect(Self.status(61, request: .cancelPending) == .recycled)
    }

    @Test func terminalStatusesAndRawValues() {
        #expect(LineStatus.allCases.filter(\.isTerminal) == [.recycled, .cancelled])
        #expect(LineStatus.expiringSoon.rawValue == "expiring_soon")
        #expect(LineStatus.portingOut.rawValue == "porting_out")
        #expect(LineRequestState.cancelPending.rawValue == "cancel_pending")
    }

    @Test func theCarriersTimeZoneDecidesToday() {
        let catalogue = testCatalogue()
        let us = catalogue.carrier("testus")!, hk = catalogue.carrier("testhk")!, uk = catalogue.carrier("testuk")!
        // 2026-11-22T17:00Z is 2026-11-23 01:00 in Hong Kong, 12:00 in New York, 17:00 in London.
        let instant = Instant(iso: "2026-11-22T17:00:00.000Z")!
        let expires = Self.date("2026-11-22")
        #expect(LineStatusRule.status(expiresOn: expires, carrier: hk, at: instant, request: nil) == .grace)
        #expect(LineStatusRule.status(expiresOn: expires, carrier: us, at: instant, request: nil) == .expiringSoon)
        #expect(LineStatusRule.status(expiresOn: expires, carrier: uk, at: instant, request: nil) == .expiringSoon)
        // testuk has no grace: the next day in London the number is gone.
        let londonNextDay = Instant(iso: "2026-11-23T00:00:00.000Z")!
        #expect(LineStatusRule.status(expiresOn: expires, carrier: uk, at: londonNextDay, request: nil) == .recycled)
        #expect(LineStatusRule.status(expiresOn: expires, carrier: us, at: londonNextDay, request: nil) == .expiringSoon)
        // The carrier's first lead time: 30 days for testhk, 7 for testus.
        let later = Self.date("2026-12-22")
        #expect(LineStatusRule.status(expiresOn: later, carrier: hk, at: instant, request: nil) == .expiringSoon)
        #expect(LineStatusRule.status(expiresOn: later, carrier: us, at: instant, request: nil) == .active)
        // testhk: grace 30 then straight to recycled (recycle 30).
        let hkDay31 = Instant(iso: "2026-12-22T16:00:00.000Z")!  // 2026-12-23 in Hong Kong
        #expect(LineStatusRule.status(expiresOn: expires, carrier: hk, at: hkDay31, request: nil) == .recycled)
        let hkDay30 = Instant(iso: "2026-12-22T15:59:59.999Z")!  // 2026-12-22 in Hong Kong
        #expect(LineStatusRule.status(expiresOn: expires, carrier: hk, at: hkDay30, request: nil) == .grace)
        #expect(LineStatusRule.status(expiresOn: expires, carrier: hk, at: instant, request: .portingOut) == .portingOut)
    }

    @Test func anUnknownZoneFallsBackToUTC() {
        let carrier = testCarrier(id: "nowhere", timeZone: "Nowhere/Zone")
        let expires = Self.date("2026-11-22")
        #expect(LineStatusRule.status(expiresOn: expires, carrier: carrier, at: Instant(iso: "2026-11-22T23:59:59.999Z")!, request: nil) == .expiringSoon)
        #expect(LineStatusRule.status(expiresOn: expires, carrier: carrier, at: Instant(iso: "2026-11-23T00:00:00.000Z")!, request: nil) == .grace)
    }
}

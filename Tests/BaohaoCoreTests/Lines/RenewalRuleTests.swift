import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

@Suite struct RenewalRuleTests {
    private static func date(_ iso: String) -> CivilDate { CivilDate(iso: iso)! }
    private static func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: "USD") }
    private static func hkd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: "HKD") }
    private static func gbp(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: "GBP") }

    private static let catalogue = testCatalogue()
    private static let us = catalogue.carrier("testus")!
    private static let hk = catalogue.carrier("testhk")!
    private static let uk = catalogue.carrier("testuk")!

    private static func effect(_ choice: RenewalChoice, _ carrier: Carrier = us, expires: String, today: String) throws(RenewalRefusal) -> RenewalEffect {
        try RenewalRule.effect(of: choice, carrier: carrier, plan: carrier.plans[0], expiresOn: date(expires), today: date(today))
    }

    private static func refusal(_ choice: RenewalChoice, _ carrier: Carrier = us, expires: String = "2026-12-01", today: String = "2026-11-22") -> RenewalRefusal? {
        do {
            let effect = try effect(choice, carrier, expires: expires, today: today)
            Issue.record("\(choice) gave \(effect) but should have been refused")
            return nil
        } catch {
            return error
        }
    }

    // MARK: fixed cycle

    @Test func fixedCycleExtendsFromAFutureExpiry() throws {
        let e = try Self.effect(.option("1m"), expires: "2026-12-01", today: "2026-11-22")
        #expect(e.newExpiry == Self.date("2026-12-31"))
        #expect(e.price == Self.usd(300))
        #expect(e.balanceDelta == Self.usd(0))
        #expect(e.explanation == "30 days from the current expiry 2026-12-01")
        #expect(try Self.effect(.option("3m"), expires: "2026-12-01", today: "2026-11-22").newExpiry == Self.date("2027-03-01"))
        #expect(try Self.effect(.option("3m"), expires: "2026-12-01", today: "2026-11-22").price == Self.usd(900))
    }

    @Test func fixedCycleExtendsFromTodayWhenExpired() throws {
        // Today counts as the first day of the new period.
        let e = try Self.effect(.option("1m"), expires: "2026-11-10", today: "2026-11-22")
        #expect(e.newExpiry == Self.date("2026-12-21"))
        #expect(e.explanation == "30 days from today 2026-11-22 (the line had expired on 2026-11-10)")
        #expect(try Self.effect(.option("1m"), expires: "2026-11-21", today: "2026-11-22").newExpiry == Self.date("2026-12-21"))
    }

    @Test func fixedCycleOnTheExpiryDayItself() throws {
        let e = try Self.effect(.option("1m"), expires: "2026-11-22", today: "2026-11-22")
        #expect(e.newExpiry == Self.date("2026-12-22"))
        #expect(e.explanation == "30 days from the current expiry 2026-11-22")
    }

    @Test func monthOptionsClamp() throws {
        let e = try Self.effect(.option("cal"), expires: "2026-01-31", today: "2026-01-20")
        #expect(e.newExpiry == Self.date("2026-02-28"))
        #expect(e.price == Self.usd(400))
        #expect(e.explanation == "1 month from the current expiry 2026-01-31")
        #expect(try Self.effect(.option("cal"), expires: "2024-01-31", today: "2024-01-20").newExpiry == Self.date("2024-02-29"))
        // Expired: the month counts from yesterday's date, so today + 1 month - 1 day.
        #expect(try Self.effect(.option("cal"), expires: "2026-01-01", today: "2026-01-15").newExpiry == Self.date("2026-02-14"))
    }

    @Test func unknownOptionListsTheAvailableOnes() {
        #expect(Self.refusal(.option("6m")) == .unknownOption("6m", available: ["1m", "3m", "cal"]))
        #expect(
            RenewalRefusal.unknownOption("6m", available: ["1m", "3m", "cal"]).description
                == "no renewal option '6m' for this plan (options: 1m, 3m, cal)")
        #expect(Self.refusal(.option("1m"), Self.hk) == .optionsNotOffered(carrier: "Test carrier testhk"))
        #expect(Self.refusal(.option("1m"), Self.uk) == .optionsNotOffered(carrier: "Test carrier testuk"))
    }

    @Test func anAmountOnAFixedCycleAddsCreditAndKeepsTheExpiry() throws {
        let e = try Self.effect(.amount(Self.usd(2000)), expires: "2026-12-01", today: "2026-11-22")
        #expect(e.newExpiry == Self.date("2026-12-01"))
        #expect(e.balanceDelta == Self.usd(2000))
        #expect(e.price == Self.usd(2000))
        let expired = try Self.effect(.amount(Self.usd(500)), expires: "2026-11-01", today: "2026-11-22")
        #expect(expired.newExpiry == Self.date("2026-11-01"))
        #expect(Self.refusal(.amount(Self.usd(499))) == .belowMinimum(Self.usd(499), minimum: Self.usd(500)))
        #expect(Self.refusal(.amount(Self.usd(50_001))) == .aboveMaximum(Self.usd(50_001), maximum: Self.usd(50_000)))
        #expect(try Self.effect(.amount(Self.usd(50_000)), expires: "2026-12-01", today: "2026-11-22").balanceDelta == Self.usd(50_000))
    }

    // MARK: stored value

    @Test func storedValueTiers() throws {
        let tier1 = try Self.effect(.amount(Self.hkd(1000)), Self.hk, expires: "2026-11-25", today: "2026-11-22")
        #expect(tier1.newExpiry == Self.date("2026-12-22"))
        #expect(tier1.balanceDelta == Self.hkd(1000))
        #expect(tier1.price == Self.hkd(1000))
        #expect(tier1.explanation == "top-up of at least HK$10.00 gives 30 days from today 2026-11-22")
        #expect(try Self.effect(.amount(Self.hkd(4999)), Self.hk, expires: "2026-11-25", today: "2026-11-22").newExpiry == Self.date("2026-12-22"))
        let tier2 = try Self.effect(.amount(Self.hkd(5000)), Self.hk, expires: "2026-11-25", today: "2026-11-22")
        #expect(tier2.newExpiry == Self.date("2027-05-21"))
        #expect(try Self.effect(.amount(Self.hkd(100_000)), Self.hk, expires: "2026-11-25", today: "2026-11-22").newExpiry == Self.date("2027-05-21"))
        // After expiry, still from today.
        #expect(try Self.effect(.amount(Self.hkd(1000)), Self.hk, expires: "2026-10-01", today: "2026-11-22").newExpiry == Self.date("2026-12-22"))
    }

    @Test func storedValueKeepsALaterExistingExpiry() throws {
        let e = try Self.effect(.amount(Self.hkd(1000)), Self.hk, expires: "2027-01-31", today: "2026-11-22")
        #expect(e.newExpiry == Self.date("2027-01-31"))
        #expect(e.balanceDelta == Self.hkd(1000))
        #expect(e.explanation == "top-up of at least HK$10.00 gives 30 days from today; the current expiry 2027-01-31 is later and is kept")
        // Equal counts as kept too.
        #expect(try Self.effect(.amount(Self.hkd(1000)), Self.hk, expires: "2026-12-22", today: "2026-11-22").newExpiry == Self.date("2026-12-22"))
    }

    @Test func storedValueRefusals() {
        // The carrier's minimum is checked first (testhk's minimum equals its first tier).
        #expect(Self.refusal(.amount(Self.hkd(500)), Self.hk) == .belowMinimum(Self.hkd(500), minimum: Self.hkd(1000)))
        #expect(Self.refusal(.amount(Self.hkd(100_001)), Self.hk) == .aboveMaximum(Self.hkd(100_001), maximum: Self.hkd(100_000)))
        #expect(Self.refusal(.amount(Self.usd(1000)), Self.hk) == .wrongCurrency(Self.usd(1000), expected: "HKD"))
        #expect(Self.refusal(.amount(Self.hkd(1000)), Self.us) == .wrongCurrency(Self.hkd(1000), expected: "USD"))
        // A carrier whose minimum top-up is below its first tier.
        let low = testCarrier(
            id: "lowmin", region: "HK", timeZone: "Asia/Hong_Kong", currency: "HKD",
            validity: .storedValue(tiers: [StoredValueTier(minimum: Self.hkd(1000), days: 30)]), minimumTopUp: "5.00")
        #expect(Self.refusal(.amount(Self.hkd(700)), low) == .belowFirstTier(Self.hkd(700), tier: Self.hkd(1000)))
        #expect(Self.refusal(.amount(Self.hkd(400)), low) == .belowMinimum(Self.hkd(400), minimum: Self.hkd(500)))
        #expect(
            RenewalRefusal.belowFirstTier(Self.hkd(700), tier: Self.hkd(1000)).description
                == "HK$7.00 does not extend validity; the smallest top-up that does is HK$10.00")
        #expect(RenewalRefusal.belowMinimum(Self.hkd(500), minimum: Self.hkd(1000)).description == "HK$5.00 is below the carrier's minimum top-up of HK$10.00")
    }

    // MARK: activity

    @Test func activityKeepsTheNumberForTheWindowFromToday() throws {
        let e = try Self.effect(.amount(Self.gbp(1000)), Self.uk, expires: "2026-11-30", today: "2026-11-22")
        #expect(e.newExpiry == Self.date("2027-05-21"))
        #expect(e.balanceDelta == Self.gbp(1000))
        #expect(e.explanation == "a top-up counts as activity: the number is kept 180 days from today 2026-11-22")
        #expect(try Self.effect(.amount(Self.gbp(1000)), Self.uk, expires: "2027-12-01", today: "2026-11-22").newExpiry == Self.date("2027-12-01"))
        #expect(Self.refusal(.amount(Self.gbp(999)), Self.uk) == .belowMinimum(Self.gbp(999), minimum: Self.gbp(1000)))
        #expect(Self.refusal(.amount(Self.gbp(10_001)), Self.uk) == .aboveMaximum(Self.gbp(10_001), maximum: Self.gbp(10_000)))
    }

    // MARK: quotes

    @Test func quoteListsEveryOptionWithPriceAndNewExpiry() {
        let quotes = RenewalRule.quote(carrier: Self.us, plan: Self.us.plans[0], expiresOn: Self.date("2026-12-01"), today: Self.date("2026-11-22"))
        #expect(quotes == [
            RenewalQuote(choice: .option("1m"), length: "30 days", price: Self.usd(300), newExpiry: Self.date("2026-12-31")),
            RenewalQuote(choice: .option("3m"), length: "90 days", price: Self.usd(900), newExpiry: Self.date("2027-03-01")),
            RenewalQuote(choice: .option("cal"), length: "1 month", price: Self.usd(400), newExpiry: Self.date("2027-01-01")),
        ])
    }

    @Test func quoteListsTheTiersForStoredValue() {
        let quotes = RenewalRule.quote(carrier: Self.hk, plan: Self.hk.plans[0], expiresOn: Self.date("2026-11-25"), today: Self.date("2026-11-22"))
        #expect(quotes == [
            RenewalQuote(choice: .amount(Self.hkd(1000)), length: "30 days", price: Self.hkd(1000), newExpiry: Self.date("2026-12-22")),
            RenewalQuote(choice: .amount(Self.hkd(5000)), length: "180 days", price: Self.hkd(5000), newExpiry: Self.date("2027-05-21")),
        ])
        // A tier above the carrier's maximum is not offered.
        let capped = testCarrier(
            id: "capped", region: "HK", timeZone: "Asia/Hong_Kong", currency: "HKD",
            validity: .storedValue(tiers: [StoredValueTier(minimum: Self.hkd(1000), days: 30), StoredValueTier(minimum: Self.hkd(5000), days: 180)]),
            minimumTopUp: "10.00", maximumTopUp: "20.00")
        #expect(RenewalRule.quote(carrier: capped, plan: capped.plans[0], expiresOn: Self.date("2026-11-25"), today: Self.date("2026-11-22")).map(\.choice) == [
            .option("1m"), .option("3m"), .option("cal"), .amount(Self.hkd(1000)),
        ])
    }

    @Test func quoteForActivityIsTheMinimumTopUp() {
        let quotes = RenewalRule.quote(carrier: Self.uk, plan: Self.uk.plans[0], expiresOn: Self.date("2026-11-30"), today: Self.date("2026-11-22"))
        #expect(quotes == [
            RenewalQuote(choice: .amount(Self.gbp(1000)), length: "180 days of activity", price: Self.gbp(1000), newExpiry: Self.date("2027-05-21"))
        ])
    }

    @Test func choiceDescriptions() {
        #expect(RenewalChoice.option("3m").description == "cycle 3m")
        #expect(RenewalChoice.amount(Self.hkd(5000)).description == "amount 50.00 HKD")
    }

    @Test func aTierBelowTheMinimumTopUpIsNotQuotedAtTheMinimum() {
        // Like CMHK online: HK$10 buys 30 days elsewhere, but the minimum here is HK$50,
        // which reaches the 180-day tier: one quote, HK$50 for 180 days.
        let cmhkLike = testCarrier(
            id: "cmhklike", region: "HK", timeZone: "Asia/Hong_Kong", currency: "HKD",
            validity: .storedValue(tiers: [StoredValueTier(minimum: Self.hkd(1000), days: 30), StoredValueTier(minimum: Self.hkd(5000), days: 180)]),
            plans: [Plan(id: "prepaid", names: LocalizedText(simplified: "储值", traditional: "儲值", english: "Prepaid"), renewalOptions: [])],
            minimumTopUp: "50.00", maximumTopUp: "1000.00")
        let quotes = RenewalRule.quote(carrier: cmhkLike, plan: cmhkLike.plans[0], expiresOn: Self.date("2026-12-01"), today: Self.date("2026-11-22"))
        #expect(quotes.map(\.price) == [Self.hkd(5000)])
        #expect(quotes.map(\.newExpiry) == [Self.date("2026-11-22").adding(days: 180)])
    }
}

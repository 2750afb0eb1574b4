import Understanding
@testable import BaohaoCore

// Carriers and a catalogue built in code, for tests that need policy without reading
// Config/carriers.json. Service tests reuse these: keep the names and the defaults.

/// A carrier with the given policy. Amounts are decimal text in `currency`. The default plan
/// is "basic" with options `1m` (30 days, 3.00), `3m` (90 days, 9.00) and `cal` (1 month, 4.00).
func testCarrier(
    id: String = "testus", region: String = "US", timeZone: String = "America/New_York", currency: String = "USD",
    validity: ValidityModel = .fixedCycle, graceDays: Int = 30, recycleAfterDays: Int = 60,
    alertLeadDays: [Int] = [7, 3, 1, 0], plans: [Plan]? = nil, minimumTopUp: String = "5.00",
    maximumTopUp: String = "500.00"
) -> Carrier {
    func money(_ text: String) -> Money {
        do { return try Money.parse(decimal: text, currency: currency) } catch { fatalError("bad test amount \(text): \(error)") }
    }
    func text(_ english: String) -> LocalizedText {
        LocalizedText(simplified: "（简）" + english, traditional: "（繁）" + english, english: english)
    }
    let defaultPlans = [
        Plan(
            id: "basic", names: text("Basic"),
            renewalOptions: [
                RenewalOption(id: "1m", length: .days(30), price: money("3.00")),
                RenewalOption(id: "3m", length: .days(90), price: money("9.00")),
                RenewalOption(id: "cal", length: .months(1), price: money("4.00")),
            ])
    ]
    let credential: PortOutCredential =
        switch region {
        case "UK": .pac
        case "HK": .newOperatorMNP
        default: .accountNumberAndPIN
        }
    return Carrier(
        id: id, region: region, names: text("Test carrier \(id)"), aliases: [], timeZone: timeZone, currency: currency,
        validity: validity, plans: plans ?? defaultPlans, graceDays: graceDays, recycleAfterDays: recycleAfterDays,
        minimumTopUp: money(minimumTopUp), maximumTopUp: money(maximumTopUp), autoRenewSupported: validity == .fixedCycle,
        paymentMethods: ["card"], topUpChannels: [TopUpChannel(kind: .web, url: "https://example.com/\(id)/top-up", detail: nil)],
        typicalActivationMinutes: 5, maximumActivationHours: 24, activationText: text("Usually within minutes."),
        refundRule: text("No refunds."), portOutCredential: credential, portOutText: text("Ask the carrier."),
        balanceCheck: text("Dial *100#."), alertLeadDays: alertLeadDays, support: text("Call support."), sources: [])
}

/// Three carriers, one per validity model:
/// - `testus`: US fixed cycle (America/New_York, USD), the `testCarrier()` defaults;
/// - `testhk`: HK stored value (Asia/Hong_Kong, HKD), tiers 10.00 → 30 days and 50.00 → 180
///   days, plan `prepaid` with no renewal options, grace 30, recycle 30, leads [30, 14, 7, 1],
///   top-up 10.00...1000.00;
/// - `testuk`: UK activity (Europe/London, GBP), window 180 days, grace 0, recycle 0, plan
///   `payg` with no renewal options, top-up 10.00...100.00.
func testCatalogue() -> CarrierCatalogue {
    let hkd = { (minor: Int64) in Money(minorUnits: minor, currency: "HKD") }
    let us = testCarrier()
    let hk = testCarrier(
        id: "testhk", region: "HK", timeZone: "Asia/Hong_Kong", currency: "HKD",
        validity: .storedValue(tiers: [StoredValueTier(minimum: hkd(1000), days: 30), StoredValueTier(minimum: hkd(5000), days: 180)]),
        graceDays: 30, recycleAfterDays: 30, alertLeadDays: [30, 14, 7, 1],
        plans: [Plan(id: "prepaid", names: LocalizedText(simplified: "储值卡", traditional: "儲值卡", english: "Prepaid"), renewalOptions: [])],
        minimumTopUp: "10.00", maximumTopUp: "1000.00")
    let uk = testCarrier(
        id: "testuk", region: "UK", timeZone: "Europe/London", currency: "GBP", validity: .activity(windowDays: 180),
        graceDays: 0, recycleAfterDays: 0,
        plans: [Plan(id: "payg", names: LocalizedText(simplified: "按量付费", traditional: "按量付費", english: "Pay as you go"), renewalOptions: [])],
        minimumTopUp: "10.00", maximumTopUp: "100.00")
    return CarrierCatalogue(carriers: [us, hk, uk])
}

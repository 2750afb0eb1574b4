import Testing
@testable import Understanding

@Suite struct EntityTests {
    let extractor = shippedClassifier.entities

    private func phones(_ text: String) -> [String] {
        extractor.extract(text).compactMap { if case .phoneNumber(let e164, _) = $0.value { e164 } else { nil } }
    }

    @Test(arguments: [
        ("+1 415-555-0134", "+14155550134"),
        ("1 (415) 555 0134", "+14155550134"),
        ("415.555.0134", "+14155550134"),
        ("4155550134", "+14155550134"),
        ("+852 5123 4567", "+85251234567"),
        ("我的號碼係 9876-5432", "+85298765432"),
        ("85261234567", "+85261234567"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("13812345678", "+8613812345678"),
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("＋８５２ ５１２３ ４５６７", "+85251234567"),
    ])
    func phoneNumbersBecomeE164(text: String, e164: String) {
        #expect(phones(text) == [e164])
    }

    @Test(arguments: [
        "订单号 51234567",  // an order number
        "order #98765432",
        "到期日 2026-12-05",
        "HK$51234567",
        "51234567元",
        "12345",  // too short
        "1234567890123456",  // a card-length number
        "31234567",  // HK numbers start with 4-9
        "1 015 555 0134",  // US area codes start with 2-9
        "abc51234567",
    ])
    func lookalikesAreNotPhoneNumbers(text: String) {
        #expect(phones(text).isEmpty, "\(text) gave \(phones(text))")
    }

    @Test func phoneSpansPointAtTheNumber() throws {
        let text = "解绑 +1 415-555-0134 谢谢"
        let entity = try #require(extractor.extract(text).first)
        #expect(entity.text == "+1 415-555-0134")
        #expect(entity.range == 3..<18)
    }

    private func amounts(_ text: String) -> [Money] {
        extractor.extract(text).compactMap { if case .amount(let money) = $0.value { money } else { nil } }
    }

    @Test(arguments: [
        ("$10", 1000, "USD"), ("US$ 10.50", 1050, "USD"), ("HK$50", 5000, "HKD"), ("50港币", 5000, "HKD"),
        ("50 港幣", 5000, "HKD"), ("10美元", 1000, "USD"), ("10刀", 1000, "USD"), ("£10", 1000, "GBP"),
        ("10 RMB", 1000, "CNY"), ("100元", 10000, "CNY"), ("50蚊", 5000, "HKD"), ("五十块", 5000, "CNY"),
        ("1,200 HKD", 120_000, "HKD"), ("10 pounds", 1000, "GBP"),
    ])
    func amountsCarryMinorUnitsAndCurrency(text: String, minor: Int64, currency: String) {
        #expect(amounts(text) == [Money(minorUnits: minor, currency: currency)])
    }

    @Test func numbersWithoutCurrencyAreNotAmounts() {
        #expect(amounts("续3个月").isEmpty)
        #expect(amounts("order 12345").isEmpty)
    }

    private func durations(_ text: String) -> [SpokenDuration] {
        extractor.extract(text).compactMap { if case .duration(let d) = $0.value { d } else { nil } }
    }

    @Test(arguments: [
        ("续3个月", 3, SpokenDuration.Unit.month), ("三個月", 3, .month), ("两年", 2, .year), ("半年", 6, .month),
        ("半个月", 15, .day), ("30天", 30, .day), ("2周", 2, .week), ("1 year", 1, .year), ("6 months", 6, .month),
        ("a year", 1, .year), ("one month", 1, .month), ("一年半", 18, .month), ("十二個月", 12, .month),
    ])
    func durationsAreRecognised(text: String, count: Int, unit: SpokenDuration.Unit) {
        #expect(durations(text) == [SpokenDuration(count: count, unit: unit)])
    }

    @Test func aDateIsNotADuration() {
        #expect(durations("12月5号到期").isEmpty)
    }

    private func dates(_ text: String) -> [MentionedDate] {
        extractor.extract(text).compactMap { if case .date(let d) = $0.value { d } else { nil } }
    }

    @Test(arguments: [
        ("12月5号", nil as Int?, 12, 5), ("12月5日到期", nil, 12, 5), ("2026-12-05", 2026, 12, 5), ("2026/12/5", 2026, 12, 5),
        ("2026年12月5日", 2026, 12, 5), ("5/12", nil, 5, 12), ("25/12", nil, 12, 25), ("Dec 5", nil, 12, 5), ("5 December", nil, 12, 5),
    ])
    func datesAreRecognised(text: String, year: Int?, month: Int, day: Int) {
        #expect(dates(text) == [MentionedDate(year: year, month: month, day: day)])
    }

    @Test func impossibleDatesAreDropped() {
        #expect(dates("13/45").isEmpty)
        #expect(dates("2026-13-40").isEmpty)
    }

    @Test(arguments: [
        ("ultra 怎么 top up", "ultra"), ("Ultra Mobile renew", "ultra"), ("T-Mobile prepaid", "tmobile"),
        ("中國移動香港張卡", "cmhk"), ("中国移动香港", "cmhk"), ("數碼通", "smartone"), ("giffgaff 卡", "giffgaff"),
        ("US Mobile", "usmobile"), ("3香港", "3hk"),
    ])
    func carriersAreRecognisedByNameAndAlias(text: String, id: String) {
        #expect(EntityExtractor.carrierIDs(extractor.extract(text)) == [id])
    }

    @Test func carrierNamesMatchWholeWordsOnly() {
        #expect(EntityExtractor.carrierIDs(extractor.extract("ultrasound appointment")).isEmpty)
        #expect(EntityExtractor.carrierIDs(extractor.extract("peppermint tea")).isEmpty)
    }
}

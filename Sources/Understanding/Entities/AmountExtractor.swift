/// Finds amounts of money with a currency: $10, US$10, HK$50, 50港币, 50 港幣, 10美元,
/// 10刀, £10, 10 RMB, 100元, 50蚊, 五十块. Bare `$` is US dollars; 元 and 块 are yuan.
enum AmountExtractor {
    private static let prefixes: [(word: [UInt32], currency: String)] = [
        ("us$", "USD"), ("usd", "USD"), ("hk$", "HKD"), ("hkd", "HKD"), ("gbp", "GBP"), ("rmb", "CNY"), ("cny", "CNY"),
        ("$", "USD"), ("£", "GBP"), ("¥", "CNY"), ("￥", "CNY"),
    ].map { ($0.0.scalarValues, $0.1) }
    private static let suffixes: [(word: [UInt32], currency: String)] = [
        ("港币", "HKD"), ("港元", "HKD"), ("港纸", "HKD"), ("蚊", "HKD"), ("美元", "USD"), ("美金", "USD"), ("刀", "USD"),
        ("英镑", "GBP"), ("镑", "GBP"), ("人民币", "CNY"), ("块钱", "CNY"), ("块", "CNY"), ("元", "CNY"),
        ("dollars", "USD"), ("dollar", "USD"), ("bucks", "USD"), ("pounds", "GBP"), ("pound", "GBP"), ("quid", "GBP"),
        ("usd", "USD"), ("hkd", "HKD"), ("gbp", "GBP"), ("rmb", "CNY"),
    ].map { ($0.0.scalarValues, $0.1) }

    static func extract(_ t: EntityText, excluding taken: [Range<Int>]) -> [Entity] {
        var found: [Entity] = []
        var i = 0
        while i < t.count {
            if taken.contains(where: { $0.contains(i) }) { i += 1; continue }
            // Currency first: $10, HK$ 50, RMB100.
            let c = t.scalars[i]
            if c == 0x24 || c == 0xA3 || c == 0xA5 || c == 0xFFE5 || c == 0x75 || c == 0x68 || c == 0x67 || c == 0x72 || c == 0x63,
                !t.isLetter(i - 1), let prefix = prefixes.first(where: { t.matches($0.word, at: i) }) {
                let numberStart = t.skipSpaces(i + prefix.word.count)
                if let (hundredths, end) = NumberReader.readDecimal(t, at: numberStart) {
                    found.append(Entity(value: .amount(Money(minorUnits: hundredths, currency: prefix.currency)), range: i..<end, text: t.text(i..<end)))
                    i = end
                    continue
                }
            }
            // Number first: 50港币, 10 usd, 五十块.
            if !t.isDigit(i - 1), t.isDigit(i) || ChineseNumerals.isNumeral(t.scalars[i]) {
                let read: (hundredths: Int64, end: Int)?
                if t.isDigit(i) {
                    read = NumberReader.readDecimal(t, at: i)
                } else {
                    read = NumberReader.readInteger(t, at: i).map { (Int64($0.value) * 100, $0.end) }
                }
                if let (hundredths, end) = read {
                    let unitStart = t.skipSpaces(end)
                    if let suffix = suffixes.first(where: { t.matches($0.word, at: unitStart) }),
                        !t.isLetter(unitStart + suffix.word.count) || !t.isLetter(unitStart)
                    {
                        let stop = unitStart + suffix.word.count
                        found.append(Entity(value: .amount(Money(minorUnits: hundredths, currency: suffix.currency)), range: i..<stop, text: t.text(i..<stop)))
                        i = stop
                        continue
                    }
                    i = max(end, i + 1)
                    continue
                }
            }
            i += 1
        }
        return found
    }
}

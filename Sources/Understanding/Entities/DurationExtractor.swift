/// Finds lengths of time: 3个月, 三個月, 两年, 30天, 2周, 半年, 半个月, 1 year, 6 months,
/// a year, one month, 12mo. "12月5号" is a date, not a duration.
enum DurationExtractor {
    private static let chineseUnits: [(word: [UInt32], unit: SpokenDuration.Unit)] = ([
        ("个月", .month), ("月", .month), ("年", .year), ("天", .day), ("日", .day),
        ("个星期", .week), ("星期", .week), ("个礼拜", .week), ("礼拜", .week), ("周", .week),
    ] as [(String, SpokenDuration.Unit)]).map { ($0.0.scalarValues, $0.1) }
    private static let englishUnits: [(word: [UInt32], unit: SpokenDuration.Unit)] = ([
        ("months", .month), ("month", .month), ("mths", .month), ("mth", .month), ("mo", .month),
        ("years", .year), ("year", .year), ("yrs", .year), ("yr", .year),
        ("days", .day), ("day", .day), ("weeks", .week), ("week", .week), ("wks", .week),
    ] as [(String, SpokenDuration.Unit)]).map { ($0.0.scalarValues, $0.1) }
    private static let englishNumbers: [(word: [UInt32], value: Int)] = [
        ("a", 1), ("an", 1), ("one", 1), ("two", 2), ("three", 3), ("four", 4), ("five", 5), ("six", 6),
        ("seven", 7), ("eight", 8), ("nine", 9), ("ten", 10), ("eleven", 11), ("twelve", 12),
    ].map { ($0.0.scalarValues, $0.1) }
    private static let half = "半".scalarValues

    static func extract(_ t: EntityText, excluding taken: [Range<Int>]) -> [Entity] {
        var found: [Entity] = []
        var i = 0
        while i < t.count {
            let c = t.scalars[i]
            let mayStart = (c >= 0x30 && c <= 0x39) || c == CJK.ban || ChineseNumerals.isNumeral(c)
                || ((c >= 0x61 && c <= 0x7A) && !t.isLetter(i - 1))
            if !mayStart || taken.contains(where: { $0.contains(i) }) { i += 1; continue }
            if let (duration, end) = read(t, at: i) {
                found.append(Entity(value: .duration(duration), range: i..<end, text: t.text(i..<end)))
                i = end
            } else {
                i += 1
            }
        }
        return found
    }

    private static func read(_ t: EntityText, at i: Int) -> (SpokenDuration, Int)? {
        // 半年 / 半个月
        if t.matches(half, at: i) {
            if i + 1 < t.count, t.scalars[i + 1] == CJK.nian { return (SpokenDuration(count: 6, unit: .month), i + 2) }
            if i + 2 < t.count, t.scalars[i + 1] == CJK.ge, t.scalars[i + 2] == CJK.yue { return (SpokenDuration(count: 15, unit: .day), i + 3) }
            return nil
        }
        var value: Int
        var end: Int
        if !t.isDigit(i - 1), let number = NumberReader.readInteger(t, at: i) {
            (value, end) = number
        } else if !t.isLetter(i - 1), let word = englishNumbers.first(where: { t.matches($0.word, at: i) && !t.isLetter(i + $0.word.count) }) {
            (value, end) = (word.value, i + word.word.count)
        } else {
            return nil
        }
        guard value > 0, value <= 1000 else { return nil }
        let unitStart = t.skipSpaces(end)
        if let unit = chineseUnits.first(where: { t.matches($0.word, at: unitStart) }) {
            var stop = unitStart + unit.word.count
            // 12月5号 / 12月5日 is a date; 5日 after a month is too.
            if unit.unit == .month, unit.word.count == 1, t.isDigit(t.skipSpaces(stop)) { return nil }
            if unit.unit == .day, unit.word.count == 1, i > 0, t.scalars[i - 1] == CJK.yue { return nil }
            // 一年半 = 18 months
            if unit.unit == .year, t.matches(half, at: stop) { stop += 1; return (SpokenDuration(count: value * 12 + 6, unit: .month), stop) }
            return (SpokenDuration(count: value, unit: unit.unit), stop)
        }
        if let unit = englishUnits.first(where: { t.matches($0.word, at: unitStart) && !t.isLetter(unitStart + $0.word.count) }) {
            return (SpokenDuration(count: value, unit: unit.unit), unitStart + unit.word.count)
        }
        return nil
    }
}

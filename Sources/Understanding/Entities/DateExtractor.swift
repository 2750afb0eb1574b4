/// Finds calendar dates: 2026-12-05, 2026/12/5, 2026年12月5日, 12月5号, 5/12 (month/day,
/// or day/month when the first number cannot be a month), Dec 5, 5 December.
enum DateExtractor {
    private static let months: [[UInt32]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map(\.scalarValues)

    private static let ordinalSuffixes: [[UInt32]] = ["st", "nd", "rd", "th"].map(\.scalarValues)

    static func extract(_ t: EntityText, excluding taken: [Range<Int>]) -> [Entity] {
        var found: [Entity] = []
        var i = 0
        while i < t.count {
            let c = t.scalars[i]
            let mayStart = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A && !t.isLetter(i - 1))
            if !mayStart || taken.contains(where: { $0.contains(i) }) { i += 1; continue }
            if let (date, end) = read(t, at: i), valid(date) {
                found.append(Entity(value: .date(date), range: i..<end, text: t.text(i..<end)))
                i = end
            } else {
                i += 1
            }
        }
        return found
    }

    private static func valid(_ d: MentionedDate) -> Bool {
        (1...12).contains(d.month) && (1...31).contains(d.day) && (d.year.map { (2000...2100).contains($0) } ?? true)
    }

    private static func read(_ t: EntityText, at i: Int) -> (MentionedDate, Int)? {
        let yue = CJK.yue, nian = CJK.nian
        if !t.isDigit(i - 1), t.isDigit(i), let (a, afterA) = NumberReader.readInteger(t, at: i) {
            let sep = afterA < t.count ? t.scalars[afterA] : 0
            // 2026-12-05 / 2026/12/05 / 2026.12.05
            if afterA - i == 4, sep == 0x2D || sep == 0x2F || sep == 0x2E,
                let (m, afterM) = NumberReader.readInteger(t, at: afterA + 1), afterM < t.count, t.scalars[afterM] == sep,
                let (d, afterD) = NumberReader.readInteger(t, at: afterM + 1)
            {
                return (MentionedDate(year: a, month: m, day: d), afterD)
            }
            // 2026年12月5日
            if afterA - i == 4, sep == nian, let (m, afterM) = NumberReader.readInteger(t, at: afterA + 1),
                afterM < t.count, t.scalars[afterM] == yue, let (d, afterD) = NumberReader.readInteger(t, at: afterM + 1)
            {
                return (MentionedDate(year: a, month: m, day: d), dayEnd(t, afterD))
            }
            // 12月5号
            if sep == yue, let (d, afterD) = NumberReader.readInteger(t, at: afterA + 1) {
                return (MentionedDate(year: nil, month: a, day: d), dayEnd(t, afterD))
            }
            // 5/12
            if sep == 0x2F, afterA - i <= 2, let (b, afterB) = NumberReader.readInteger(t, at: afterA + 1), afterB - afterA - 1 <= 2, !(afterB < t.count && t.scalars[afterB] == 0x2F) {
                return a > 12 ? (MentionedDate(year: nil, month: b, day: a), afterB) : (MentionedDate(year: nil, month: a, day: b), afterB)
            }
            // 5 dec / 5 december
            let k = t.skipSpaces(afterA)
            if afterA - i <= 2, let m = months.firstIndex(where: { t.matches($0, at: k) }) {
                var end = k + 3
                while t.isLetter(end) { end += 1 }
                return (MentionedDate(year: nil, month: m + 1, day: a), end)
            }
        }
        // dec 5 / december 5th
        if !t.isLetter(i - 1), let m = months.firstIndex(where: { t.matches($0, at: i) }) {
            var k = i + 3
            while t.isLetter(k) { k += 1 }
            let numberStart = t.skipSpaces(k)
            if numberStart > k || k == i + 3, let (d, afterD) = NumberReader.readInteger(t, at: numberStart), t.isDigit(numberStart), afterD - numberStart <= 2 {
                var end = afterD
                for suffix in ordinalSuffixes where t.matches(suffix, at: end) { end += 2 }
                return (MentionedDate(year: nil, month: m + 1, day: d), end)
            }
        }
        return nil
    }

    private static func dayEnd(_ t: EntityText, _ i: Int) -> Int {
        i < t.count && (t.scalars[i] == CJK.hao || t.scalars[i] == CJK.ri) ? i + 1 : i
    }
}

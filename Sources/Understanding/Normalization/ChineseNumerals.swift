/// Rewrites Chinese numerals in front of a counting unit as ASCII digits (三个月 → 3个月,
/// 两年 → 2年, 十二个月 → 12个月, 五十块 → 50块), and 半年 → 6个月, 半个月 → 15天.
/// Numerals elsewhere (一下, 一起) are left alone. Runs on simplified text.
enum ChineseNumerals {
    private static let digits: [UInt32: Int] = [
        0x96F6: 0, 0x3007: 0, 0x4E00: 1, 0x4E8C: 2, 0x4E24: 2, 0x4E09: 3, 0x56DB: 4,
        0x4E94: 5, 0x516D: 6, 0x4E03: 7, 0x516B: 8, 0x4E5D: 9,
    ]
    private static let ten: UInt32 = 0x5341, hundred: UInt32 = 0x767E, thousand: UInt32 = 0x5343
    private static let half: UInt32 = 0x534A  // 半
    private static let ge: UInt32 = 0x4E2A  // 个
    private static let month: UInt32 = 0x6708, year: UInt32 = 0x5E74
    /// Characters that may follow a number to make it a quantity.
    private static let units: Set<UInt32> = Set("个月年天日周星块元蚊镑刀号次小张条".unicodeScalars.map(\.value))

    static func rewrite(_ s: [UInt32]) -> [UInt32] {
        // Only a numeral (or 半) right before a unit changes anything; most texts have none.
        guard s.indices.contains(where: { k in
            (isNumeral(s[k]) || s[k] == half) && k + 1 < s.count && (units.contains(s[k + 1]) || isNumeral(s[k + 1]) || s[k + 1] == ge)
        }) else { return s }
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            // 半年 / 半个月
            if s[i] == half {
                if i + 1 < s.count, s[i + 1] == year {
                    out += Array("6个月".unicodeScalars.map(\.value)); i += 2; continue
                }
                if i + 2 < s.count, s[i + 1] == ge, s[i + 2] == month {
                    out += Array("15天".unicodeScalars.map(\.value)); i += 3; continue
                }
            }
            var j = i
            while j < s.count, isNumeral(s[j]) { j += 1 }
            if j > i, j < s.count, units.contains(s[j]), let value = parse(s[i..<j]) {
                out += String(value).unicodeScalars.map(\.value)
                i = j
                continue
            }
            if j > i {
                out += s[i..<j]
                i = j
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    @inline(__always)
    static func isNumeral(_ c: UInt32) -> Bool {
        switch c {
        case 0x96F6, 0x3007, 0x4E00, 0x4E8C, 0x4E24, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D, 0x5341, 0x767E, 0x5343: true
        default: false
        }
    }

    /// The value of a numeral such as 三, 十二, 二十, 一百五十, 两千.
    static func parse(_ run: ArraySlice<UInt32>) -> Int? {
        var total = 0, current = 0, sawAny = false
        for c in run {
            if let d = digits[c] {
                current = current * 10 + d  // "一五" style digit strings also read as 15
                sawAny = true
            } else {
                let multiplier = c == ten ? 10 : c == hundred ? 100 : 1000
                total += (current == 0 ? 1 : current) * multiplier
                current = 0
                sawAny = true
            }
        }
        return sawAny ? total + current : nil
    }
}

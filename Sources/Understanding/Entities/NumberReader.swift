/// Reads numbers written with digits (1,000.50) or Chinese numerals (五十, 十二, 两) at a position.
enum NumberReader {
    /// A decimal number in hundredths: `12.5` → 1250. Thousands separators allowed.
    static func readDecimal(_ t: EntityText, at start: Int) -> (hundredths: Int64, end: Int)? {
        guard t.isDigit(start) else { return nil }
        var i = start
        var whole: Int64 = 0
        while i < t.count {
            if t.isDigit(i) {
                whole = whole &* 10 &+ Int64(t.scalars[i] - 0x30)
                if whole > 1_000_000_000_000 { return nil }
                i += 1
            } else if t.scalars[i] == 0x2C, t.isDigit(i + 1), t.isDigit(i + 2), t.isDigit(i + 3), !t.isDigit(i + 4) {
                i += 1  // thousands separator
            } else {
                break
            }
        }
        var fraction: Int64 = 0
        if i + 1 < t.count, t.scalars[i] == 0x2E, t.isDigit(i + 1) {
            fraction = Int64(t.scalars[i + 1] - 0x30) * 10
            var j = i + 2
            if t.isDigit(j) { fraction += Int64(t.scalars[j] - 0x30); j += 1 }
            while t.isDigit(j) { j += 1 }
            i = j
        }
        return (whole * 100 + fraction, i)
    }

    /// A whole number in digits or Chinese numerals at `start`.
    static func readInteger(_ t: EntityText, at start: Int) -> (value: Int, end: Int)? {
        if t.isDigit(start) {
            var i = start, value = 0
            while t.isDigit(i), value < 100_000 { value = value * 10 + Int(t.scalars[i] - 0x30); i += 1 }
            return t.isDigit(i) ? nil : (value, i)
        }
        var i = start
        while i < t.count, ChineseNumerals.isNumeral(t.scalars[i]) { i += 1 }
        guard i > start, let value = ChineseNumerals.parse(t.scalars[start..<i]) else { return nil }
        return (value, i)
    }

}

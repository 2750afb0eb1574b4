/// Finds phone numbers and gives them in E.164: US (10 digits, optional +1 or 1),
/// HK (8 digits starting 4–9, optional +852), mainland China (11 digits starting 13–19,
/// optional +86) and UK mobiles (07… or +44 7…), with any spaces, dashes, dots or brackets.
/// Digit runs of other lengths, dates and numbers marked as orders, codes or money are not phones.
enum PhoneNumberExtractor {
    private static let contextWords: [[UInt32]] = ["订单", "单号", "编号", "order", "ref", "pin", "验证码", "code", "#"].map(\.scalarValues)
    private static let moneySuffixes: [[UInt32]] = ["元", "块", "蚊", "港币", "港元", "美元", "美金", "刀", "镑", "dollar", "usd", "hkd"].map(\.scalarValues)

    static func extract(_ t: EntityText) -> [Entity] {
        var found: [Entity] = []
        var i = 0
        while i < t.count {
            let startsWithPlus = t.scalars[i] == 0x2B && t.isDigit(i + 1)
            let startsWithParen = t.scalars[i] == 0x28 && t.isDigit(i + 1)
            guard (t.isDigit(i) || startsWithPlus || startsWithParen), !t.isDigit(i - 1), !t.isLetter(i - 1) else {
                i += 1
                continue
            }
            var j = startsWithPlus || startsWithParen ? i + 1 : i
            var digits: [UInt8] = []
            var separatorAfterFirstDigit = false
            var separators: [UInt32] = []
            while j < t.count {
                if t.isDigit(j) {
                    digits.append(UInt8(t.scalars[j] - 0x30))
                    j += 1
                } else if isSeparator(t.scalars[j]), (t.isDigit(j + 1) || (isSeparator(t.scalars[min(j + 1, t.count - 1)]) && t.isDigit(j + 2))) {
                    if digits.count == 1 { separatorAfterFirstDigit = true }
                    separators.append(t.scalars[j])
                    j += 1
                } else {
                    break
                }
            }
            defer { i = max(j, i + 1) }
            if t.isLetter(j) || digits.count < 8 || digits.count > 13 { continue }
            if isDateShaped(t, i, j) || precededByContext(t, i) || followedByMoney(t, j) || precededByMoney(t, i) { continue }
            if let (e164, region) = classify(digits, plus: startsWithPlus, separatorAfterFirstDigit: separatorAfterFirstDigit) {
                found.append(Entity(value: .phoneNumber(e164: e164, region: region), range: i..<j, text: t.text(i..<j)))
            }
        }
        return found
    }

    /// E.164 and region for a digit string, or nil when it is no number we serve.
    static func classify(_ d: [UInt8], plus: Bool, separatorAfterFirstDigit: Bool) -> (String, String)? {
        func s(_ digits: ArraySlice<UInt8>) -> String { String(digits.map { Character(Unicode.Scalar($0 + 0x30)) }) }
        func nanp(_ ten: ArraySlice<UInt8>) -> Bool {
            let a = ten[ten.startIndex], e = ten[ten.startIndex + 3]
            return ten.count == 10 && a >= 2 && e >= 2
        }
        let n = d.count
        if plus {
            if n == 11, d[0] == 1, nanp(d[1...]) { return ("+" + s(d[...]), "US") }
            if n == 11, d[0] == 8, d[1] == 5, d[2] == 2, d[3] >= 4 { return ("+" + s(d[...]), "HK") }
            if n == 13, d[0] == 8, d[1] == 6, d[2] == 1, d[3] >= 3 { return ("+" + s(d[...]), "CN") }
            if n == 12, d[0] == 4, d[1] == 4, d[2] == 7 { return ("+" + s(d[...]), "UK") }
            return nil
        }
        if n == 8, d[0] >= 4 { return ("+852" + s(d[...]), "HK") }
        if n == 10, nanp(d[...]) { return ("+1" + s(d[...]), "US") }
        if n == 11, d[0] == 0, d[1] == 7 { return ("+44" + s(d[1...]), "UK") }
        if n == 11, d[0] == 1 {
            let mainland = d[1] >= 3
            if nanp(d[1...]), separatorAfterFirstDigit || !mainland { return ("+" + s(d[...]), "US") }
            if mainland { return ("+86" + s(d[...]), "CN") }
        }
        if n == 11, d[0] == 8, d[1] == 5, d[2] == 2, d[3] >= 4 { return ("+" + s(d[...]), "HK") }
        if n == 13, d[0] == 8, d[1] == 6, d[2] == 1, d[3] >= 3 { return ("+" + s(d[...]), "CN") }
        return nil
    }

    private static func isSeparator(_ v: UInt32) -> Bool { v == 0x20 || v == 0x2D || v == 0x2E || v == 0x28 || v == 0x29 }

    /// 2026-12-05, 2026.12.05, 2026/12/05: a year from 1900 to 2100, a separator, a month.
    private static func isDateShaped(_ t: EntityText, _ i: Int, _ j: Int) -> Bool {
        guard j - i >= 8, (i..<(i + 4)).allSatisfy(t.isDigit) else { return false }
        let year = t.scalars[i..<(i + 4)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let sep = t.scalars[i + 4]
        guard (1900...2100).contains(year), sep == 0x2D || sep == 0x2E || sep == 0x2F, t.isDigit(i + 5) else { return false }
        let month = Int(t.scalars[i + 5] - 0x30) * (t.isDigit(i + 6) ? 10 : 1) + (t.isDigit(i + 6) ? Int(t.scalars[i + 6] - 0x30) : 0)
        return (1...12).contains(month)
    }

    private static func precededByContext(_ t: EntityText, _ i: Int) -> Bool {
        let windowStart = max(0, i - 8)
        for k in windowStart..<i where contextWords.contains(where: { t.matches($0, at: k) }) { return true }
        return false
    }

    private static func followedByMoney(_ t: EntityText, _ j: Int) -> Bool {
        let k = t.skipSpaces(j)
        return moneySuffixes.contains { t.matches($0, at: k) }
    }

    private static func precededByMoney(_ t: EntityText, _ i: Int) -> Bool {
        var k = i - 1
        while k >= 0, t.scalars[k] == 0x20 { k -= 1 }
        return k >= 0 && (t.scalars[k] == 0x24 || t.scalars[k] == 0xA3 || t.scalars[k] == 0xA5)
    }
}

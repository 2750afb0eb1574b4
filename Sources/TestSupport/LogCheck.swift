import Foundation

/// What must never be in a log line: a secret, or a customer's full phone number however it
/// is written (`+852 9123 4567`, `12125550142`, `(212) 555-0142`, `07700 900123`). Pure, so
/// the check itself is tested; every end-to-end test runs it over the logs it captured or the
/// stderr of the bots it spawned.
public enum LogCheck {
    /// One finding per offending line: what was found, and the line.
    public static func problems(in lines: some Sequence<String>, secrets: [String]) -> [String] {
        var found: [String] = []
        for line in lines {
            if let secret = secrets.first(where: { !$0.isEmpty && line.contains($0) }) {
                found.append("a secret (\(secret.count) characters) in: \(line.replacingOccurrences(of: secret, with: "<secret>"))")
            } else if let number = phoneNumbers(in: line).first {
                found.append("a full phone number (\(number)) in: \(line)")
            }
        }
        return found
    }

    /// The runs of `line` that read as a full phone number: digits with the separators people
    /// write between them (space, '-', '.', parentheses), either after a '+' (8 or more
    /// digits), or bare in a shape a number of the regions served has: 1 + 10 digits (US),
    /// 852 + 8 (HK), 44 + 10 or 0 + 10 starting 07 (UK), 86 + 11 (mainland), or 10 digits
    /// written in the US groups (3-3-4 with separators). A bare run of digits with none of
    /// those shapes (an id, a count) is not one.
    public static func phoneNumbers(in line: String) -> [String] {
        let scalars = Array(line.unicodeScalars)
        var found: [String] = []
        var i = 0
        func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
        func isSeparator(_ c: Unicode.Scalar) -> Bool { c == " " || c == "-" || c == "." || c == "(" || c == ")" }
        while i < scalars.count {
            let startsHere = isDigit(scalars[i]) || ((scalars[i] == "+" || scalars[i] == "(") && i + 1 < scalars.count && isDigit(scalars[i + 1]))
            let afterWord = i > 0 && (isDigit(scalars[i - 1]) || scalars[i - 1].properties.isAlphabetic)
            guard startsHere, !afterWord else {
                i += 1
                continue
            }
            var j = i, digits = "", groups: [Int] = [], current = 0, separated = false
            let plus = scalars[i] == "+"
            if plus { j += 1 }
            while j < scalars.count {
                let c = scalars[j]
                if isDigit(c) {
                    digits.unicodeScalars.append(c)
                    current += 1
                } else if isSeparator(c), j + 1 < scalars.count, isDigit(scalars[j + 1]) || scalars[j + 1] == "(" {
                    if current > 0 { groups.append(current) }
                    current = 0
                    separated = true
                } else if c == ")" {
                    if current > 0 { groups.append(current) }
                    current = 0
                    separated = true
                } else {
                    break
                }
                j += 1
            }
            if current > 0 { groups.append(current) }
            let text = String(String.UnicodeScalarView(scalars[i..<j]))
            let usGroups = groups.suffix(3) == [3, 3, 4] && digits.count == 10
            let bare =
                (digits.count == 11 && digits.hasPrefix("1")) || (digits.count == 11 && digits.hasPrefix("852"))
                || (digits.count == 12 && digits.hasPrefix("44")) || (digits.count == 11 && digits.hasPrefix("07"))
                || (digits.count == 13 && digits.hasPrefix("86")) || (separated && usGroups)
            if (plus && digits.count >= 8) || bare { found.append(text) }
            i = max(j, i + 1)
        }
        return found
    }
}


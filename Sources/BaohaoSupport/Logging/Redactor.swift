/// Removes secrets from text bound for logs: given secrets (the bot token) and anything
/// shaped like a bot token become `[REDACTED]`; runs of 8 or more digits (phone numbers,
/// card numbers), with their usual separators, keep only their last 4 digits: `***0134`.
/// Calendar dates written `YYYY-MM-DD` are left alone.
public struct Redactor: Sendable {
    /// Exact strings that must never appear.
    public var secrets: [String]

    /// A redactor that also masks each of `secrets` (empty strings are ignored).
    public init(secrets: [String] = []) {
        self.secrets = secrets.filter { !$0.isEmpty }
    }

    /// `text` with every secret, token-shaped string and long digit run masked.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: "[REDACTED]")
        }
        return Self.maskNumbers(Self.maskTokenShapes(result))
    }

    /// Replaces `DIGITS:SECRET` bot-token shapes (5+ digits, 20+ URL-safe characters).
    static func maskTokenShapes(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: ":")) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if isDigit(bytes[i]), i == 0 || !isDigit(bytes[i - 1]) {
                var j = i
                while j < bytes.count, isDigit(bytes[j]) { j += 1 }
                if j - i >= 5, j < bytes.count, bytes[j] == UInt8(ascii: ":") {
                    var k = j + 1
                    while k < bytes.count, isTokenCharacter(bytes[k]) { k += 1 }
                    if k - j - 1 >= 20 {
                        out.append(contentsOf: Array("[REDACTED]".utf8))
                        i = k
                        continue
                    }
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Masks digit runs of 8+ digits (separators: space, '-', '.', '(', ')', after an optional '+').
    static func maskNumbers(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let startsRun = isDigit(bytes[i])
                || (bytes[i] == UInt8(ascii: "+") && i + 1 < bytes.count && isDigit(bytes[i + 1]))
                || (bytes[i] == UInt8(ascii: "(") && i + 1 < bytes.count && isDigit(bytes[i + 1]))
            guard startsRun else {
                out.append(bytes[i])
                i += 1
                continue
            }
            // Extend over digits and single separators that are followed by a digit.
            var j = i
            var digits: [UInt8] = []
            while j < bytes.count {
                let b = bytes[j]
                if isDigit(b) {
                    digits.append(b)
                    j += 1
                } else if j == i, b == UInt8(ascii: "+") || b == UInt8(ascii: "(") {
                    j += 1
                } else if isSeparator(b), j + 1 < bytes.count,
                    isDigit(bytes[j + 1])
                        || (isSeparator(bytes[j + 1]) && j + 2 < bytes.count && isDigit(bytes[j + 2]))
                {
                    j += 1
                } else {
                    break
                }
            }
            let run = Array(bytes[i..<j])
            if digits.count >= 8, !isCalendarDate(run) {
                out.append(contentsOf: Array("***".utf8))
                out.append(contentsOf: digits.suffix(4))
            } else {
                out.append(contentsOf: run)
            }
            i = j
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `YYYY-MM-DD` (or with '.' or '/'), possibly followed by more separators and digits.
    private static func isCalendarDate(_ run: [UInt8]) -> Bool {
        guard run.count >= 8, run[0..<4].allSatisfy(isDigit) else { return false }
        let separator = run[4]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: ".") || separator == UInt8(ascii: "/") else { return false }
        var groups: [Int] = [0]
        for b in run.dropFirst(5) {
            if isDigit(b) { groups[groups.count - 1] += 1 } else if b == separator { groups.append(0) } else { break }
        }
        return groups.count >= 2 && (1...2).contains(groups[0]) && (1...2).contains(groups[1])
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isSeparator(_ b: UInt8) -> Bool {
        b == 32 || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")
    }
    private static func isTokenCharacter(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}

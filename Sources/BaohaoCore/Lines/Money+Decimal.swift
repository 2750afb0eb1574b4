public import Understanding

/// Exact conversion between `Money` (integer minor units) and decimal text ("12.50").
extension Money {
    /// Minor-unit digits of the currencies the catalogue uses (ISO 4217).
    public static func minorDigits(of currency: String) -> Int? {
        switch currency {
        case "USD", "HKD", "GBP", "CNY", "EUR", "CAD", "AUD", "SGD", "MOP", "TWD": 2
        case "JPY", "KRW": 0
        default: nil
        }
    }

    /// Why a decimal amount was refused.
    public enum DecimalError: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownCurrency(String)
        case notANumber(String)
        case tooManyDecimals(String, allowed: Int)
        case negative(String)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .unknownCurrency(let c): "unknown currency '\(c)'"
            case .notANumber(let t): "'\(t)' is not an amount (write digits with an optional decimal point, such as 12.50)"
            case .tooManyDecimals(let t, let n): "'\(t)' has more than \(n) decimal places"
            case .negative(let t): "'\(t)' is negative"
            case .tooLarge(let t): "'\(t)' is too large"
            }
        }
    }

    /// Parses `text` ("12", "12.5", "12.50", "-3.00" when `allowNegative`) exactly, with no
    /// floating point. Thousands separators, currency signs and exponents are refused.
    public static func parse(decimal text: String, currency: String, allowNegative: Bool = false) throws(DecimalError) -> Money {
        guard let digits = minorDigits(of: currency) else { throw .unknownCurrency(currency) }
        let trimmed = text.trimmingSpaces
        var units = Array(trimmed.utf8)
        var negative = false
        if units.first == 0x2D { negative = true; units.removeFirst() }
        guard !units.isEmpty else { throw .notANumber(text) }
        var whole: Int64 = 0, fraction: Int64 = 0, fractionDigits = 0, seenPoint = false, seenDigit = false
        for u in units {
            if u == 0x2E {
                guard !seenPoint else { throw .notANumber(text) }
                seenPoint = true
            } else if u >= 0x30 && u <= 0x39 {
                seenDigit = true
                if seenPoint {
                    fractionDigits += 1
                    guard fractionDigits <= digits else { throw .tooManyDecimals(text, allowed: digits) }
                    fraction = fraction * 10 + Int64(u - 0x30)
                } else {
                    guard whole < 100_000_000_000 else { throw .tooLarge(text) }
                    whole = whole * 10 + Int64(u - 0x30)
                }
            } else {
                throw .notANumber(text)
            }
        }
        guard seenDigit else { throw .notANumber(text) }
        if negative && !allowNegative && (whole > 0 || fraction > 0) { throw .negative(text) }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        for _ in fractionDigits..<digits { fraction *= 10 }
        let minor = whole * scale + fraction
        return Money(minorUnits: negative ? -minor : minor, currency: currency)
    }

    /// The amount as decimal text with the currency's digits: "12.50", "-3.00", "1000".
    public var decimalString: String {
        let digits = Money.minorDigits(of: currency) ?? 2
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let magnitude = minorUnits.magnitude
        let whole = magnitude / UInt64(scale), fraction = magnitude % UInt64(scale)
        let sign = minorUnits < 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        let f = String(fraction)
        return "\(sign)\(whole).\(String(repeating: "0", count: digits - f.count))\(f)"
    }

    /// "US$12.50", "HK$50.00", "£3.00": how a customer reads it.
    public var display: String {
        let symbol: String =
            switch currency {
            case "USD": "US$"
            case "HKD": "HK$"
            case "GBP": "£"
            case "CNY": "¥"
            case "EUR": "€"
            default: currency + " "
            }
        let text = decimalString
        return text.hasPrefix("-") ? "-" + symbol + text.dropFirst() : symbol + text
    }

    /// The sum, or nil when the currencies differ or it overflows.
    public func adding(_ other: Money) -> Money? {
        guard other.currency == currency else { return nil }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        return overflow ? nil : Money(minorUnits: sum, currency: currency)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

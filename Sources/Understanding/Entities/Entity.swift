/// An amount of money: integer minor units (cents, pence, fen) and an ISO 4217 currency.
public struct Money: Sendable, Hashable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// `USD 10.50`.
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let units = abs(minorUnits)
        let cents = units % 100
        return "\(currency) \(sign)\(units / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}

/// A length of time as people say it: 3 months, 1 year, 30 days, 2 weeks.
public struct SpokenDuration: Sendable, Hashable, CustomStringConvertible {
    public enum Unit: String, Sendable { case day, week, month, year }
    public let count: Int
    public let unit: Unit

    public init(count: Int, unit: Unit) {
        self.count = count
        self.unit = unit
    }

    /// The duration in whole months, when it is a whole number of months or years.
    public var months: Int? {
        switch unit {
        case .month: count
        case .year: count * 12
        default: nil
        }
    }

    public var description: String { "\(count) \(unit.rawValue)\(count == 1 ? "" : "s")" }
}

/// A calendar date as written in a message; the year is nil when the customer left it out.
public struct MentionedDate: Sendable, Hashable, CustomStringConvertible {
    public let year: Int?
    public let month: Int
    public let day: Int

    public init(year: Int?, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    public var description: String {
        let md = (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
        return year.map { String($0) + "-" + md } ?? "--" + md
    }
}

/// Something recognised in a message, with where it was.
public struct Entity: Sendable, Hashable, CustomStringConvertible {
    public enum Value: Sendable, Hashable {
        /// A phone number in E.164 (`+14155550134`) with its region (US, HK, CN, UK).
        case phoneNumber(e164: String, region: String)
        /// A carrier id from the catalogue.
        case carrier(String)
        case amount(Money)
        case duration(SpokenDuration)
        case date(MentionedDate)
    }

    public let value: Value
    /// Position in the message, in Unicode scalars.
    public let range: Range<Int>
    /// The text as written.
    public let text: String

    public init(value: Value, range: Range<Int>, text: String) {
        self.value = value
        self.range = range
        self.text = text
    }

    /// `phone +14155550134 (US)` and the like, for `classify`.
    public var description: String {
        switch value {
        case .phoneNumber(let e164, let region): "phone \(e164) (\(region)) «\(text)»"
        case .carrier(let id): "carrier \(id) «\(text)»"
        case .amount(let money): "amount \(money) «\(text)»"
        case .duration(let duration): "duration \(duration) «\(text)»"
        case .date(let date): "date \(date) «\(text)»"
        }
    }
}

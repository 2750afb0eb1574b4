/// A line's number in E.164 (`+12125550142`), with its region. Parsing is strict: the whole
/// text must be one number, and a national number needs the region to say which country.
public struct PhoneNumber: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let e164: String

    public init?(e164: String) {
        guard let parsed = try? PhoneNumber.parse(e164, region: nil) else { return nil }
        self = parsed
    }

    private init(validated: String) { e164 = validated }

    /// A number read back from the database, where only validated numbers are written.
    init(stored: String) { e164 = stored }

    public var description: String { e164 }

    /// The number with all but its last four digits hidden, for logs and for chats that
    /// should not see it whole: `+1******0142`.
    public var masked: String {
        let digits = Array(e164.dropFirst())
        let code = countryCode
        let rest = digits.count - code.count
        return "+" + code + String(repeating: "*", count: max(0, rest - 4)) + String(digits.suffix(4))
    }

    /// "US", "HK", "UK" or "CN".
    public var region: String {
        if e164.hasPrefix("+1") { return "US" }
        if e164.hasPrefix("+852") { return "HK" }
        if e164.hasPrefix("+44") { return "UK" }
        return "CN"
    }

    var countryCode: String {
        switch region {
        case "US": "1"
        case "HK": "852"
        case "UK": "44"
        default: "86"
        }
    }

    public static func < (a: PhoneNumber, b: PhoneNumber) -> Bool { a.e164 < b.e164 }

    /// Why a number was refused.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "'\(text)' is not a phone number: \(reason)" }
    }

    /// Parses `text`: E.164 with `+` (US +1, HK +852, UK +44, mainland China +86), or a
    /// national number of `region` ("US": 10 digits, optionally with a leading 1; "HK": 8
    /// digits starting 4–9; "UK": 11 digits starting 07). Spaces, dashes, dots and
    /// parentheses between digits are allowed.
    public static func parse(_ text: String, region: String?) throws(ParseError) -> PhoneNumber {
        var digits: [UInt8] = []
        var plus = false
        for (i, u) in text.trimmingSpaces.utf8.enumerated() {
            switch u {
            case 0x30...0x39: digits.append(u - 0x30)
            case 0x2B where i == 0: plus = true
            case 0x20, 0x2D, 0x2E, 0x28, 0x29: continue
            default: throw ParseError(text: text, reason: "unexpected character")
            }
        }
        guard !digits.isEmpty else { throw ParseError(text: text, reason: "no digits") }
        func s(_ d: ArraySlice<UInt8>) -> String { String(d.map { Character(Unicode.Scalar($0 + 0x30)) }) }
        func nanp(_ ten: ArraySlice<UInt8>) -> Bool { ten.count == 10 && ten[ten.startIndex] >= 2 && ten[ten.startIndex + 3] >= 2 }
        let n = digits.count
        if plus {
            if digits[0] == 1 {
                guard n == 11, nanp(digits[1...]) else { throw ParseError(text: text, reason: "a +1 number has 10 digits after +1, area code and exchange not starting with 0 or 1") }
                return PhoneNumber(validated: "+" + s(digits[...]))
            }
            if n >= 3, digits[0] == 8, digits[1] == 5, digits[2] == 2 {
                guard n == 11, digits[3] >= 4 else { throw ParseError(text: text, reason: "a +852 number has 8 digits starting 4 to 9") }
                return PhoneNumber(validated: "+" + s(digits[...]))
            }
            if n >= 2, digits[0] == 4, digits[1] == 4 {
                guard n == 12, digits[2] == 7 else { throw ParseError(text: text, reason: "a +44 mobile number has 10 digits after +44, starting with 7") }
                return PhoneNumber(validated: "+" + s(digits[...]))
            }
            if n >= 2, digits[0] == 8, digits[1] == 6 {
                guard n == 13, digits[2] == 1 else { throw ParseError(text: text, reason: "a +86 mobile number has 11 digits starting with 1") }
                return PhoneNumber(validated: "+" + s(digits[...]))
            }
            throw ParseError(text: text, reason: "only +1, +852, +44 and +86 numbers are supported")
        }
        switch region {
        case "US":
            if n == 10, nanp(digits[...]) { return PhoneNumber(validated: "+1" + s(digits[...])) }
            if n == 11, digits[0] == 1, nanp(digits[1...]) { return PhoneNumber(validated: "+" + s(digits[...])) }
            throw ParseError(text: text, reason: "a US number has 10 digits (area code and exchange not starting with 0 or 1)")
        case "HK":
            if n == 8, digits[0] >= 4 { return PhoneNumber(validated: "+852" + s(digits[...])) }
            throw ParseError(text: text, reason: "a Hong Kong number has 8 digits starting 4 to 9")
        case "UK":
            if n == 11, digits[0] == 0, digits[1] == 7 { return PhoneNumber(validated: "+44" + s(digits[1...])) }
            throw ParseError(text: text, reason: "a UK mobile number has 11 digits starting 07")
        default:
            throw ParseError(text: text, reason: "write it in international form with + and the country code")
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try PhoneNumber.parse(text, region: nil) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}

extension PhoneNumber {
    /// How a customer sees a number in a chat: `+1 ••• 0142`, `+852 ••• 4567`.
    public var maskedForDisplay: String { "+\(countryCode) ••• \(e164.suffix(4))" }
}

import Testing
@testable import BaohaoCore

@Suite struct PhoneNumberTests {
    private static func e164(_ text: String, _ region: String?) throws -> String {
        try PhoneNumber.parse(text, region: region).e164
    }

    /// The refusal's reason, or nil (with an issue) when the text parsed.
    private static func reason(_ text: String, _ region: String?) -> String? {
        do {
            let number = try PhoneNumber.parse(text, region: region)
            Issue.record("'\(text)' parsed as \(number.e164) but should have been refused")
            return nil
        } catch {
            #expect(error.text == text)
            return error.reason
        }
    }

    @Test func internationalFormWithSeparators() throws {
        #expect(try Self.e164("+1 (212) 555-0142", nil) == "+12125550142")
        #expect(try Self.e164("+1.212.555.0142", "HK") == "+12125550142")
        #expect(try Self.e164("  +12125550142 ", nil) == "+12125550142")
        #expect(try Self.e164("+852 9123 4567", nil) == "+85291234567")
        #expect(try Self.e164("+44 7700 900123", nil) == "+447700900123")
        #expect(try Self.e164("+86 138-0013-8000", nil) == "+8613800138000")
        #expect(PhoneNumber(e164: "+12125550142")?.e164 == "+12125550142")
        #expect(PhoneNumber(e164: "2125550142") == nil)
    }

    @Test func nationalFormNeedsTheRegion() throws {
        #expect(try Self.e164("2125550142", "US") == "+12125550142")
        #expect(try Self.e164("(212) 555-0142", "US") == "+12125550142")
        #expect(try Self.e164("1 212 555 0142", "US") == "+12125550142")
        #expect(try Self.e164("9123 4567", "HK") == "+85291234567")
        #expect(try Self.e164("41234567", "HK") == "+85241234567")
        #expect(try Self.e164("07700 900123", "UK") == "+447700900123")
        #expect(Self.reason("2125550142", nil) == "write it in international form with + and the country code")
    }

    @Test func refusalsSayWhy() {
        #expect(Self.reason("3123 4567", "HK") == "a Hong Kong number has 8 digits starting 4 to 9")
        #expect(Self.reason("912345678", "HK") == "a Hong Kong number has 8 digits starting 4 to 9")
        #expect(Self.reason("1125550142", "US") == "a US number has 10 digits (area code and exchange not starting with 0 or 1)")
        #expect(Self.reason("2121550142", "US") == "a US number has 10 digits (area code and exchange not starting with 0 or 1)")
        #expect(Self.reason("212555014", "US") == "a US number has 10 digits (area code and exchange not starting with 0 or 1)")
        #expect(Self.reason("+1 112 555 0142", nil) == "a +1 number has 10 digits after +1, area code and exchange not starting with 0 or 1")
        #expect(Self.reason("212-555-CALL", "US") == "unexpected character")
        #expect(Self.reason("2125550142x", "US") == "unexpected character")
        #expect(Self.reason("1+2125550142", "US") == "unexpected character")
        #expect(Self.reason("", "US") == "no digits")
        #expect(Self.reason(" - ", "US") == "no digits")
        #expect(Self.reason("+", nil) == "no digits")
        #expect(Self.reason("+999 1234 5678", nil) == "only +1, +852, +44 and +86 numbers are supported")
        #expect(Self.reason("+852 3123 4567", nil) == "a +852 number has 8 digits starting 4 to 9")
        #expect(Self.reason("+44 20 7946 0018", nil) == "a +44 mobile number has 10 digits after +44, starting with 7")
        #expect(Self.reason("+86 238 0013 8000", nil) == "a +86 mobile number has 11 digits starting with 1")
        #expect(Self.reason("0207 946 0018", "UK") == "a UK mobile number has 11 digits starting 07")
        let error = PhoneNumber.ParseError(text: "abc", reason: "unexpected character")
        #expect(error.description == "'abc' is not a phone number: unexpected character")
    }

    @Test func maskedKeepsOnlyTheLastFourDigits() throws {
        #expect(try PhoneNumber.parse("+12125550142", region: nil).masked == "+1******0142")
        #expect(try PhoneNumber.parse("+85291234567", region: nil).masked == "+852****4567")
        #expect(try PhoneNumber.parse("+447700900123", region: nil).masked == "+44******0123")
        #expect(try PhoneNumber.parse("+8613800138000", region: nil).masked == "+86*******8000")
    }

    @Test func region() throws {
        #expect(try PhoneNumber.parse("+12125550142", region: nil).region == "US")
        #expect(try PhoneNumber.parse("+85291234567", region: nil).region == "HK")
        #expect(try PhoneNumber.parse("+447700900123", region: nil).region == "UK")
        #expect(try PhoneNumber.parse("+8613800138000", region: nil).region == "CN")
    }

    @Test func ordersAndPrintsByE164() throws {
        let a = try PhoneNumber.parse("+12125550142", region: nil), b = try PhoneNumber.parse("+85291234567", region: nil)
        #expect(a < b)
        #expect(a.description == "+12125550142")
        #expect(a == (try PhoneNumber.parse("212 555 0142", region: "US")))
    }
}

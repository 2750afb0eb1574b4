import Testing
@testable import BaohaoSupport

@Suite struct RedactorTests {
    let redactor = Redactor(secrets: ["123456:AAH-secret_token_value_xyz"])

    @Test func removesTheTokenEverywhere() {
        let text = "POST https://api.telegram.org/bot123456:AAH-secret_token_value_xyz/getMe failed"
        let redacted = redactor.redact(text)
        #expect(!redacted.contains("secret_token"))
        #expect(redacted == "POST https://api.telegram.org/bot[REDACTED]/getMe failed")
    }

    @Test func removesTokenShapedStringsItWasNotTold() {
        let redacted = Redactor().redact("other 987654321:ABCdefGHIjklMNOpqrSTUvwxYZ012345 here")
        #expect(redacted == "other [REDACTED] here")
    }

    @Test(arguments: [
        ("call +1 415-555-0134 now", "call ***0134 now"),
        ("HK 5123 4567", "HK ***4567"),
        ("+852 9876-5432.", "***5432."),
        ("(415) 555-0134", "***0134"),
        ("mainland 13812345678", "mainland ***5678"),
        ("card 4111 1111 1111 1111", "card ***1111"),
        ("+14155550134", "***0134"),
    ])
    func masksPhoneNumbersToTheirLastFourDigits(input: String, expected: String) {
        #expect(Redactor().redact(input) == expected)
    }

    @Test(arguments: ["expiry 2026-12-05", "at 2026-11-22T00:31:02.123Z", "order 1234567", "HK$50 for 180 days", "5/12", ""])
    func leavesDatesAndShortNumbersAlone(text: String) {
        #expect(Redactor().redact(text) == text)
    }

    @Test func survivesOddUnicode() {
        let text = "號碼 +852 5123 4567 👩‍👩‍👧 \u{202E}\u{200D}\u{0301}"
        #expect(Redactor().redact(text) == "號碼 ***4567 👩‍👩‍👧 \u{202E}\u{200D}\u{0301}")
    }
}

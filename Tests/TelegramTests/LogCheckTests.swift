import Testing
import TestSupport

/// The log check finds numbers however they are written and leaves ids and counts alone.
@Suite struct LogCheckTests {
    @Test(arguments: [
        "sent to +85291234567", "sent to +852 9123 4567", "line 12125550142 renewed", "call (212) 555-0142 now", "number 212-555-0142",
        "uk 07700 900123", "uk +44 7700 900123", "cn 8613812345678", "hk 85291234567",
    ])
    func fullNumbersAreFound(_ line: String) {
        #expect(LogCheck.phoneNumbers(in: line).count == 1, "\(line)")
        #expect(LogCheck.problems(in: [line], secrets: []).count == 1)
    }

    @Test(arguments: [
        "chat=10042 update_id=123456789", "sent 2000 replies in 1.5 s", "masked +1 ••• 0117", "at 2026-12-04T21:57:51.123Z",
        "order R20261204-0001", "offset 4294967296", "v1.2.3", "HTTP 502 Bad Gateway",
    ])
    func idsCountsAndMaskedNumbersAreNot(_ line: String) {
        #expect(LogCheck.phoneNumbers(in: line).isEmpty, "\(line): \(LogCheck.phoneNumbers(in: line))")
    }

    @Test func secretsAreFoundAndNotRepeated() {
        let found = LogCheck.problems(in: ["GET /bot123:ABCdef/getUpdates", "fine"], secrets: ["123:ABCdef"])
        #expect(found.count == 1)
        #expect(found == ["a secret (10 characters) in: GET /bot<secret>/getUpdates"])
    }
}

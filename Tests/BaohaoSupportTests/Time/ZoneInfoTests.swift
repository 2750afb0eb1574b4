import Testing
@testable import BaohaoSupport

@Suite struct ZoneInfoTests {
    @Test func offsetsFollowTheDatabaseAcrossDaylightSaving() throws {
        let newYork = try #require(ZoneInfo.named("America/New_York"))
        // 2026-03-08 07:00 UTC is 02:00 EST, when New York springs forward.
        #expect(newYork.offset(at: 1_772_953_199) == -5 * 3600)
        #expect(newYork.offset(at: 1_772_953_200) == -4 * 3600)
        // 2026-11-01 06:00 UTC: back to EST.
        #expect(newYork.offset(at: 1_793_512_799) == -4 * 3600)
        #expect(newYork.offset(at: 1_793_512_800) == -5 * 3600)
        #expect(try #require(ZoneInfo.named("Asia/Hong_Kong")).offset(at: 1_790_000_000) == 8 * 3600)
        let london = try #require(ZoneInfo.named("Europe/London"))
        #expect(london.offset(at: 1_782_000_000) == 3600)  // June 2026: BST
        #expect(london.offset(at: 1_798_000_000) == 0)  // December 2026: GMT
    }

    @Test func unknownOrHostileNamesAreNotZones() {
        for name in ["Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/passwd", "America/New York", "Asia/../Asia/Tokyo"] {
            #expect(ZoneInfo.named(name) == nil, "\(name)")
        }
    }

    @Test func aTruncatedFileIsRefused() {
        #expect(ZoneInfo.parse(Array("TZif2".utf8), identifier: "x") == nil)
        #expect(ZoneInfo.parse([], identifier: "x") == nil)
    }
}

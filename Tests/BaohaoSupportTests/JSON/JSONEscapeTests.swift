import Testing
@testable import BaohaoSupport

/// One escape of a JSON string, decoded, or refused with the reason and where.
@Suite struct JSONEscapeTests {
    func decode(_ text: String) -> Result<(String, Int), JSONEscape.Failure> {
        var out: [UInt8] = []
        do {
            let end = try JSONEscape.decode(Array(text.utf8), letter: 1, into: &out)
            return .success((String(decoding: out, as: UTF8.self), end))
        } catch { return .failure(error) }
    }

    @Test(arguments: [
        (#"\n"#, "\n", 2), (#"\/"#, "/", 2), (#"\""#, "\"", 2), (#"\u00e9x"#, "é", 6), (#"\u4F60"#, "你", 6), (#"\ud83d\ude00"#, "😀", 12), (#"\u0000"#, "\u{0}", 6),
    ])
    func escapesDecode(text: String, expected: String, end: Int) throws {
        let (decoded, stop) = try decode(text).get()
        #expect(decoded == expected && stop == end)
    }

    @Test(arguments: [
        (#"\x"#, JSONEscape.Failure.Kind.unknownEscape, 2), (#"\"#, .unknownEscape, 1), (#"\u12"#, .truncatedHex, 2), (#"\u12g4"#, .badHex, 4),
        (#"\ud800x"#, .loneHighSurrogate, 6), (#"\ud800\u0041"#, .badLowSurrogate, 12), (#"\udc00"#, .loneLowSurrogate, 6),
    ])
    func badEscapesSayWhatAndWhere(text: String, kind: JSONEscape.Failure.Kind, offset: Int) {
        guard case .failure(let failure) = decode(text) else {
            Issue.record("\(text) decoded")
            return
        }
        #expect(failure == JSONEscape.Failure(kind: kind, offset: offset))
    }
}

import Foundation
import TestSupport
import Testing
@testable import BaohaoSupport

@Suite struct JSONValueParseTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5e3, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {}, "c": [], "n": 0, "big": 1e400} "#.replacing("1e400", with: "12345678901234567890"))
        #expect(value == .object([
            "a": .array([.integer(1), .number(-2500), .bool(true), .bool(false), .null, .string("x\"\\/\u{08}\u{0C}\n\r\té😀")]),
            "b": .object([:]), "c": .array([]), "n": .integer(0), "big": .number(Double("12345678901234567890")!),
        ]))
    }

    @Test(arguments: [
        ("", "unexpected end of input at byte 0"), ("{", "expected a key in quotes at byte 1"), ("[1,]", "unexpected character at byte 3"),
        ("{\"a\" 1}", "expected ':' at byte 5"), ("\"abc", "unterminated string at byte 4"), ("01", "unexpected text after the value at byte 1"),
        ("\"\\ud800\"", "lone high surrogate in \\u escape at byte 7"), ("\"\\x\"", "bad escape at byte 3"), ("1e999", "number out of range at byte 0"),
        ("tru", "unexpected end of input at byte 0"), ("\"a\nb\"", "control character in a string at byte 2"), ("-", "bad number at byte 1"),
    ])
    func badInputIsNamedWithItsOffset(_ text: String, _ message: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do { _ = try JSONValue.parse(text) } catch { #expect(error.description == message) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONValue.parse(ok)) != nil)
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }

    /// Seeded: random documents written by Foundation's encoder parse back to themselves, and
    /// random byte strings never crash (they parse or throw).
    @Test func randomDocumentsRoundTripAndRandomBytesNeverCrash() throws {
        var generator = SeededGenerator(seed: 20_261_122)
        func randomString() -> String {
            let pieces = ["a", "é", "保号", "😀", "\"", "\\", "\n", "\u{1}", "\u{2028}", " ", "e\u{301}", "🇭🇰"]
            return (0..<Int(generator.next() % 6)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
        }
        func randomValue(_ depth: Int) -> JSONValue {
            switch generator.next() % (depth > 3 ? 4 : 6) {
            case 0: return .string(randomString())
            case 1: return .integer(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 63))
            case 2: return .bool(generator.next() % 2 == 0)
            case 3: return .null
            case 4: return .array((0..<Int(generator.next() % 4)).map { _ in randomValue(depth + 1) })
            default:
                var object: [String: JSONValue] = [:]
                for _ in 0..<Int(generator.next() % 4) { object[randomString()] = randomValue(depth + 1) }
                return .object(object)
            }
        }
        for _ in 0..<2_000 {
            let value = randomValue(0)
            let data = try JSONEncoder().encode(value)
            #expect(try JSONValue.parse(Array(data)) == value, "\(String(decoding: data, as: UTF8.self))")
        }
        let alphabet = Array("{}[]\",:0123456789-.eE+truefalsn \\u\n".utf8) + [0xFF, 0xC3, 0x00]
        for _ in 0..<20_000 {
            let bytes = (0..<Int(generator.next() % 24)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            _ = try? JSONValue.parse(bytes)
        }
    }
}

import BaohaoCore
import Foundation
import TestSupport
import Testing
@testable import Telegram
import BaohaoSupport

@Suite struct MessageSplitterTests {
    @Test func shortMessagesStayWhole() {
        #expect(MessageSplitter.split("<b>hi</b> there") == ["<b>hi</b> there"])
    }

    @Test func longAnswersSplitAtLinesWithinTheLimitCountingCodePoints() {
        let paragraph = "<b>标题</b>\n" + String(repeating: "余额还有多少到期日是哪天😀", count: 20)  // 13 code points × 20
        let html = Array(repeating: paragraph, count: 40).joined(separator: "\n\n")
        let parts = MessageSplitter.split(html)
        #expect(parts.count >= 3)
        for part in parts {
            #expect(MessageSplitter.visibleLength(part) <= 4096)
            #expect(MessageSplitter.isBalanced(part))
        }
        // Nothing is lost: the visible text is the same.
        #expect(parts.map(MessageSplitter.visibleLength).reduce(0, +) >= MessageSplitter.visibleLength(html) - parts.count * 2)
    }

    @Test func aSingleHugeLineIsCutAndEscaped() {
        let html = String(repeating: "a&lt;b ", count: 2000)
        let parts = MessageSplitter.split(html)
        #expect(parts.count == 2)
        for part in parts { #expect(MessageSplitter.visibleLength(part) <= 4096) }
        #expect(parts.joined().contains("a&lt;b"))
    }

    @Test func visibleLengthCountsEntitiesAsOneAndTagsAsNothing() {
        #expect(MessageSplitter.visibleLength("<b>a&amp;b</b>") == 3)
        #expect(MessageSplitter.visibleLength("😀中") == 2)
    }
}

@Suite struct JSONTextTests {
    @Test func quotedTextIsValidJSONThatDecodesToTheSameString() throws {
        for text in ["plain", "引号\"和\\反斜杠", "line\nbreak\ttab\r", "\u{0}\u{1F}控制", "emoji 😀 and \u{2028}", "<b>html</b> & more"] {
            let json = "[" + JSONText.quoted(text) + "]"
            let decoded = try JSONDecoder().decode([String].self, from: Data(json.utf8))
            #expect(decoded == [text])
        }
    }

    /// The scalar-by-scalar quoting the byte walk replaced, as the oracle.
    static func quotedByScalars(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    @Test func randomTextsAreQuotedAsByScalarsAndDecodeBack() throws {
        var generator = SeededGenerator(seed: 0x0071)
        let pieces = ["a", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}", "\u{2027}", "\u{202A}", "余", "😀", "e\u{301}", "€", "/", "<b>", "&amp;"]
        for _ in 0..<2_000 {
            let text = (0..<Int(generator.next() % 12)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            let quoted = JSONText.quoted(text)
            #expect(quoted == Self.quotedByScalars(text), "\(text.debugDescription)")
            var bytes = Array("[".utf8)
            JSONText.appendQuoted(text, to: &bytes)
            bytes.append(UInt8(ascii: "]"))
            #expect(try JSONDecoder().decode([String].self, from: Data(bytes)) == [text])
        }
    }
}

import BaohaoCore
import Foundation
import TestSupport
import Testing
@testable import Telegram
import BaohaoSupport

@Suite struct MessageSplitterTests {
    /// The length Telegram counts for an accepted part; fails the test for a refused one.
    private static func acceptedLength(_ part: String) -> Int {
        switch TelegramHTMLCheck.check(part) {
        case .success(let length): return length
        case .failure(let problem):
            Issue.record("refused part \(part.debugDescription): \(problem)")
            return 0
        }
    }

    /// The text `html` shows (for parts, all of them in a row).
    private static func shown(_ html: [String]) -> String { html.map(HTML.plainText).joined() }

    @Test func shortMessagesStayWhole() {
        #expect(MessageSplitter.split("<b>hi</b> there") == ["<b>hi</b> there"])
    }

    @Test func longAnswersSplitAtLinesWithinTheLimitCountingUTF16() {
        let paragraph = "<b>标题</b>\n" + String(repeating: "余额还有多少到期日是哪天😀", count: 20)  // 14 UTF-16 units × 20
        let html = Array(repeating: paragraph, count: 40).joined(separator: "\n\n")
        let parts = MessageSplitter.split(html)
        #expect(parts.count >= 3)
        for part in parts {
            #expect(Self.acceptedLength(part) <= 4096)
            #expect(!part.hasPrefix("\n") && !part.hasSuffix("\n"))
        }
        // Nothing is lost: the same text, less the line breaks at the cuts.
        #expect(Self.shown(parts).filter { $0 != "\n" } == HTML.plainText(html).filter { $0 != "\n" })
    }

    @Test func aSingleHugeLineIsCutBetweenCharacters() {
        let html = String(repeating: "a&lt;b ", count: 2000)  // 8,000 units
        let parts = MessageSplitter.split(html)
        #expect(parts.count == 2)
        for part in parts { #expect(Self.acceptedLength(part) <= 4096) }
        #expect(Self.shown(parts) == HTML.plainText(html))
    }

    @Test func visibleLengthCountsEntitiesAsOneTagsAsNothingAndUTF16Units() {
        #expect(MessageSplitter.visibleLength("<b>a&amp;b</b>") == 3)
        #expect(MessageSplitter.visibleLength("😀中") == 3)
        // HTML Telegram refuses is sent as its plain text: that is what counts.
        #expect(MessageSplitter.visibleLength("<div>x</div>") == 1)
    }

    /// Found by FuzzMessageSplitter: emoji are two UTF-16 units each, and the limit was counted in code points.
    @Test func emojiCountTwoUnitsAndAreNeverCut() {
        let html = String(repeating: "😀", count: 3000)
        let parts = MessageSplitter.split(html)
        #expect(parts.count == 2)
        for part in parts { #expect(Self.acceptedLength(part) <= 4096) }
        #expect(parts.joined() == html)
        // A ZWJ family is one character: with a small limit it moves whole to the next part.
        let family = "👨‍👩‍👧‍👦"  // 11 units
        #expect(MessageSplitter.split(String(repeating: family + " ", count: 3), limit: 20) == Array(repeating: family + " ", count: 3))
    }

    /// Found by FuzzMessageSplitter: a lone `&` (which Telegram shows as itself) hid the rest of
    /// the text from the count, so the message went whole and Telegram refused it as too long.
    @Test func aLoneAmpersandDoesNotHideTheRestFromTheCount() {
        let html = "AT&T " + String(repeating: "x", count: 5000)
        #expect(MessageSplitter.visibleLength(html) == 5005)
        let parts = MessageSplitter.split(html)
        #expect(parts.count == 2)
        for part in parts { #expect(Self.acceptedLength(part) <= 4096) }
    }

    /// Found by FuzzMessageSplitter: a tag open across a cut made both parts unbalanced, and they
    /// went as plain text; the tags are now closed at the cut and opened again after it.
    @Test func tagsOpenAtACutAreClosedAndOpenedAgain() {
        let html = "<b>bold <i>both\nstill both</i> bold</b> plain"
        #expect(MessageSplitter.split(html, limit: 12) == ["<b>bold <i>both</i></b>", "<b><i>still both</i> </b>", "<b>bold</b> plain"])
    }

    /// Found by FuzzMessageSplitter: a line break inside a tag was taken for a place to cut, which
    /// showed the rest of the tag as text.
    @Test func noCutInsideATag() {
        let html = "ab <b\n>x y z w</b>\n<a\nhref=\"https://t.me/x\">link text</a>"
        let parts = MessageSplitter.split(html, limit: 5)
        for part in parts { #expect(Self.acceptedLength(part) <= 5) }
        #expect(Self.shown(parts).filter { !$0.isWhitespace } == "abxyzwlinktext")
    }

    /// Found by FuzzMessageSplitter: decomposed letters over the limit gave no part at all.
    @Test func lettersWithMarksStayWhole() {
        let html = String(repeating: "e\u{301}", count: 10) + " a\u{301}\u{302}\u{303} "
        let parts = MessageSplitter.split(html, limit: 6)
        #expect(!parts.isEmpty)
        for part in parts { #expect(Self.acceptedLength(part) <= 6) }
        #expect(Self.shown(parts).filter { !$0.isWhitespace } == html.filter { !$0.isWhitespace })
    }

    /// Found by FuzzMessageSplitter: "&lta" shows as typed, but cut after "&lt" it would show "<".
    @Test func noCutTurnsAnAmpersandShownAsTypedIntoAnEntity() {
        let parts = MessageSplitter.split("xxxxx&ltab &#0123456789 done", limit: 8)
        for part in parts { #expect(Self.acceptedLength(part) <= 8) }
        #expect(Self.shown(parts).filter { !$0.isWhitespace } == "xxxxx&ltab&#0123456789done")
        #expect(!parts.contains { $0.hasSuffix("&lt") || $0.hasSuffix("&#0123456") })
    }

    @Test func partsShowingOnlyWhitespaceAreLeftOut() {
        let html = "x" + String(repeating: " ", count: 30) + "\n\n\n" + "y"
        #expect(MessageSplitter.split(html, limit: 10).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } == ["x", "y"])
        // All whitespace: nothing to split (Telegram refuses it whole or in parts).
        #expect(MessageSplitter.split(String(repeating: " ", count: 30), limit: 10) == [String(repeating: " ", count: 30)])
    }

    @Test func refusedHTMLIsSplitAsItsPlainText() {
        let html = "<div>hello world</div> <b>unclosed &lt;"
        let parts = MessageSplitter.split(html, limit: 8)
        for part in parts { #expect(Self.acceptedLength(part) <= 8) }
        #expect(Self.shown(parts).filter { !$0.isWhitespace } == "helloworldunclosed<")
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

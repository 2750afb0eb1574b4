// libFuzzer harness for the splitting of long messages (`MessageSplitter`, `make fuzz`); a plain
// `swift build` makes it replay inputs instead (see FuzzDriver). The first byte of the input picks
// the limit (0: Telegram's 4,096; else 3 to 257, so that short inputs split), the rest is the HTML.
// On every input:
// - every part fits the limit as Telegram counts it: the UTF-16 length of the text it shows (for a
//   part Telegram would refuse, of the plain text the sender falls back to);
// - a message that fits is sent whole; parts of a split message are HTML the check accepts, and so
//   are all parts of HTML it accepts; no part of a split message shows only whitespace;
// - nothing is lost or added: the parts show the text the message shows (for HTML the check
//   refuses, its plain text), less the whitespace where a part ends;
// - no cut falls inside a character (a surrogate pair, a ZWJ emoji, a letter and its marks) unless
//   that character alone is over the limit, nor inside a tag or an entity (the text shown would
//   change).
import BaohaoCore
import BotAPIDouble
import FuzzDriver
import Telegram

@main enum Main {
    static func main() { FuzzDriver.main(name: "FuzzMessageSplitter", entry: fuzzMessageSplitter, seeds: "Tests/Fuzz/Seeds/message-splitter") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageSplitter(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var input = FuzzBytes(data, size)
    let first = input.byte()
    let limit = first == 0 ? MessageSplitter.limit : 2 + Int(first)
    let html = String(decoding: input.rest(), as: UTF8.self)
    let parts = MessageSplitter.split(html, limit: limit)
    let accepted = (try? TelegramHTMLCheck.check(html).get()) != nil
    // What the message shows: Telegram's text of accepted HTML, else the plain text the sender falls back to.
    let shown = accepted ? TelegramHTMLReference.shownText(Array(html.utf8)) ?? "" : HTML.plainText(html)
    func context() -> String { "limit \(limit), \(html.debugDescription) → \(parts.map(\.debugDescription))" }

    fuzzRequire(!parts.isEmpty, "no part: \(context())")
    if parts == [html] {
        // A text of only whitespace is not split: Telegram refuses it whole or in parts.
        fuzzRequire(shown.utf16.count <= limit || shown.unicodeScalars.allSatisfy(\.properties.isWhitespace), "sent whole, showing \(shown.utf16.count) units: \(context())")
        return 0
    }
    fuzzRequire(shown.utf16.count > limit, "split, though it fits: \(context())")
    var shownParts: [[Unicode.Scalar]] = []
    for part in parts {
        guard let partShown = TelegramHTMLReference.shownText(Array(part.utf8)), (try? TelegramHTMLCheck.check(part).get()) != nil else {
            fuzzRequire(false, "the part \(part.debugDescription) is refused: \(context())")
            return 0
        }
        fuzzRequire(partShown.utf16.count <= limit, "a part shows \(partShown.utf16.count) units: \(context())")
        fuzzRequire(!partShown.unicodeScalars.allSatisfy(\.properties.isWhitespace), "a part shows only whitespace: \(context())")
        shownParts.append(Array(partShown.unicodeScalars))
    }
    // The parts show consecutive stretches of the message's text, with only whitespace between them,
    // each starting where a character starts (unless some character alone is over the limit).
    let text = Array(shown.unicodeScalars)
    var startsCharacter = [Bool](repeating: false, count: text.count + 1)
    var offset = 0
    for character in shown {
        startsCharacter[offset] = true
        offset += character.unicodeScalars.count
    }
    startsCharacter[text.count] = true
    let checkCharacters = shown.allSatisfy { $0.utf16.count <= limit }
    var position = 0
    for (index, part) in shownParts.enumerated() {
        var start = position
        while !(start + part.count <= text.count && text[start..<(start + part.count)].elementsEqual(part)) {
            guard start < text.count, text[start].properties.isWhitespace else {
                fuzzRequire(false, "part \(index + 1) shows \(String(String.UnicodeScalarView(part)).debugDescription), not what follows in \(shown.debugDescription): \(context())")
                return 0
            }
            start += 1
        }
        fuzzRequire(!checkCharacters || startsCharacter[start], "part \(index + 1) starts inside a character of \(shown.debugDescription): \(context())")
        position = start + part.count
        fuzzRequire(!checkCharacters || startsCharacter[position], "part \(index + 1) ends inside a character of \(shown.debugDescription): \(context())")
    }
    fuzzRequire(text[position...].allSatisfy(\.properties.isWhitespace), "the parts leave out \(String(String.UnicodeScalarView(text[position...])).debugDescription): \(context())")
    return 0
}

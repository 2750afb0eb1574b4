// libFuzzer harness for the Telegram HTML check (`TelegramHTMLCheck`, which FAQ answers must pass)
// and the escape the bot puts every customer's text through (`make fuzz`); a plain `swift build`
// makes it replay inputs instead (see FuzzDriver). On every input, read as text:
// - escaped, it is HTML the check accepts, Telegram (the Bot API double's port of TDLib's
//   parse_html) shows as the text itself, and `HTML.plainText` reads back; its length is the
//   text's in UTF-16 units;
// - as HTML, the check agrees with Telegram: what it accepts Telegram shows with the length the
//   check gives, and has balanced tags; what it refuses and Telegram accepts falls under one of its
//   documented stricter rules; a problem is placed on a line and column of the text.
import BaohaoCore
import BotAPIDouble
import FuzzDriver

@main enum Main {
    static func main() { FuzzDriver.main(name: "FuzzTelegramHTML", entry: fuzzTelegramHTML, seeds: "Tests/Fuzz/Seeds/telegram-html") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTelegramHTML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    checkEscape(text)
    checkAgreement(text)
    return 0
}

private func checkEscape(_ text: String) {
    let escaped = HTML.escape(text)
    switch TelegramHTMLCheck.check(escaped) {
    case .success(let length): fuzzRequire(length == text.utf16.count, "\(text.debugDescription) escaped has length \(length), not \(text.utf16.count)")
    case .failure(let problem): fuzzRequire(false, "\(text.debugDescription) escaped is refused: \(problem)")
    }
    let shown = TelegramHTMLReference.shownText(Array(escaped.utf8))
    fuzzRequire(shown.map { Array($0.unicodeScalars) } == Array(text.unicodeScalars), "\(text.debugDescription) escaped shows as \(shown.debugDescription)")
    fuzzRequire(Array(HTML.plainText(escaped).unicodeScalars) == Array(text.unicodeScalars), "\(text.debugDescription) escaped reads back as \(HTML.plainText(escaped).debugDescription)")
}

/// The reasons of `TelegramHTMLCheck`'s rules that are stricter than Telegram.
private func isStricterRule(_ reason: String) -> Bool {
    reason.hasPrefix("unknown entity &") || reason.hasPrefix("invalid character reference &#") || (reason.hasPrefix("tag <") && reason.hasSuffix("> needs an href"))
}

private func checkAgreement(_ html: String) {
    let shown = TelegramHTMLReference.shownText(Array(html.utf8))
    switch TelegramHTMLCheck.check(html) {
    case .success(let length):
        guard let shown else { return fuzzRequire(false, "\(html.debugDescription) is accepted by the check, refused by Telegram") }
        fuzzRequire(shown.utf16.count == length, "\(html.debugDescription): the check says \(length) units, Telegram shows \(shown.utf16.count)")
        fuzzRequire(hasBalancedTags(Array(html.utf8)), "\(html.debugDescription) is accepted with unbalanced tags")
    case .failure(let problem):
        if shown != nil { fuzzRequire(isStricterRule(problem.reason), "\(html.debugDescription) is refused by the check (\(problem)), accepted by Telegram") }
        // Lines end at "\n" (a CR LF is one Character, so split the bytes); columns count Characters.
        let lines = html.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        fuzzRequire(problem.line >= 1 && problem.line <= lines.count, "\(html.debugDescription): \(problem) names no line of the text")
        if problem.line >= 1 && problem.line <= lines.count {
            let width = String(decoding: lines[problem.line - 1], as: UTF8.self).count
            fuzzRequire(problem.column >= 1 && problem.column <= width + 1, "\(html.debugDescription): \(problem) names no column of line \(problem.line)")
        }
        fuzzRequire(!problem.reason.isEmpty, "\(html.debugDescription): a problem without a reason")
    }
}

/// Whether every tag of `html`, which the check accepted (so every '<' starts a tag), is closed by
/// an end tag naming it, innermost first (`</>` closes whatever is open). Read independently of the
/// check: a start tag ends at the first '>' outside a quoted attribute value.
private func hasBalancedTags(_ html: [UInt8]) -> Bool {
    let lessThan = UInt8(ascii: "<"), greaterThan = UInt8(ascii: ">"), slash = UInt8(ascii: "/"), equals = UInt8(ascii: "=")
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
    func lowercased(_ bytes: ArraySlice<UInt8>) -> [UInt8] { bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
    var open: [[UInt8]] = []
    var i = 0
    while i < html.count {
        guard html[i] == lessThan else { i += 1; continue }
        let closing = i + 1 < html.count && html[i + 1] == slash
        var end = closing ? i + 2 : i + 1
        let nameBegin = end
        while end < html.count && !isSpace(html[end]) && html[end] != greaterThan { end += 1 }
        let name = lowercased(html[nameBegin..<end])
        // To the '>' that ends the tag, over quoted attribute values.
        while end < html.count && html[end] != greaterThan {
            if html[end] == equals {
                end += 1
                while end < html.count && isSpace(html[end]) { end += 1 }
                if end < html.count, html[end] == UInt8(ascii: "\"") || html[end] == UInt8(ascii: "'") {
                    let quote = html[end]
                    end += 1
                    while end < html.count && html[end] != quote { end += 1 }
                    end += 1
                }
            } else {
                end += 1
            }
        }
        guard end < html.count else { return false }
        if closing {
            guard let innermost = open.popLast(), name.isEmpty || name == innermost else { return false }
        } else {
            open.append(name)
        }
        i = end + 1
    }
    return open.isEmpty
}

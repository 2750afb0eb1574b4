/// Whether a text is HTML that the Telegram Bot API accepts with parse_mode HTML, and how long it is once sent.
///
/// The rules are those of TDLib's `parse_html`, which the Bot API runs: the same tags (`b strong i em
/// s strike del u ins tg-spoiler span a tg-emoji pre code blockquote`, any letter case), the same
/// attributes (quoted or bare, unknown ones ignored), the same entities (`&lt; &gt; &amp; &quot;` with or
/// without the `;`, and numeric references), the same nesting (any tags may nest; an end tag closes the
/// innermost open tag and must name it, `</>` closes whatever is open) and the same leniency (a `>` or a
/// lone `&` in text is fine). A text it accepts is a text Telegram accepts (checked against the Bot API
/// double's port of `parse_html` by a differential test in TelegramTests).
///
/// It is stricter than Telegram in three places, where Telegram would accept the text but show it
/// otherwise than its author meant (each is marked "Stricter than Telegram" below):
/// 1. a named entity Telegram does not know, such as `&nbsp;` or `&AMP;` (Telegram shows it as typed);
/// 2. a numeric reference Telegram does not decode, such as `&#0;`, `&#X41;`, `&#x110000;` or one of more
///    than 7 digits (Telegram shows it as typed);
/// 3. an `<a>` without a non-empty `href` (Telegram links the text to itself, or shows no link).
public enum TelegramHTMLCheck {
    /// The first thing in a text that Telegram would refuse (or, for the stricter rules, show as typed).
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// 1-based line and column (in characters) of the place the problem was found in the input.
        /// Lines end at "\n"; a column counts Characters as Swift does (an emoji, a flag or a letter
        /// with its combining marks is one column).
        public let line: Int
        public let column: Int
        /// What is wrong, in plain English, e.g. "unsupported tag <div>", "tag <b> is not closed", "closing tag </i> does not match the open <b>", "'<' must be written &lt;", "unknown entity &nbsp; (use &amp;nbsp; or the character itself)", "tag <a> needs an href".
        public let reason: String
        /// "line L, column C: reason".
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    /// Checks `html`; on success returns the visible length after entity parsing, in UTF-16 code units (what Telegram's 4096 limit counts).
    ///
    /// The length counts every character outside the tags, entities decoded, leading and trailing
    /// whitespace included (Telegram trims that before sending). On failure the problem is the first
    /// one met reading from the start; an unclosed tag is met at the end of the text and a bad
    /// emoji-id at its end tag, and both are placed at their start tag. Time linear in the length.
    public static func check(_ html: String) -> Result<Int, Problem> {
        var html = html
        return html.withUTF8 { bytes in
            var scanner = HTMLScanner(bytes)
            do throws(HTMLScanner.Failure) {
                return .success(try scanner.visibleLength())
            } catch {
                return .failure(Problem(at: error.offset, in: bytes, reason: error.reason))
            }
        }
    }
}

extension TelegramHTMLCheck.Problem {
    /// The problem found at byte `offset` of `bytes`, with its line and column.
    fileprivate init(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>, reason: String) {
        let end = min(offset, bytes.count)
        var line = 1, lineStart = 0
        for k in 0..<end where bytes[k] == 0x0A {
            line += 1
            lineStart = k + 1
        }
        let before = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<end]), as: UTF8.self)
        self.init(line: line, column: before.count + 1, reason: reason)
    }
}

/// The tags Telegram supports, by their lower-case names.
private enum Tag: Int, CaseIterable {
    case a, b, strong, i, em, s, strike, del, u, ins, tgSpoiler, tgEmoji, span, pre, code, blockquote

    static let names: [[UInt8]] = [
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    ].map { Array($0.utf8) }
}

/// One pass over the UTF-8 bytes of a text, scanning as TDLib's `parse_html` does: the same bytes end a
/// name, a value or a tag, so the same texts pass. A NUL byte inside a tag ends it as the end of the
/// input does (TDLib reads a C string there).
private struct HTMLScanner {
    struct Failure: Error {
        let offset: Int
        let reason: String
    }

    private struct OpenTag {
        let tag: Tag
        let begin: Int
        let nameEnd: Int
        let lengthBefore: Int
        let hasEmojiID: Bool
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let count: Int
    private var stack: [OpenTag] = []
    /// An attribute value with its entities decoded (reused).
    private var value: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        self.count = bytes.count
    }

    /// The byte at `index`, 0 past the end.
    @inline(__always) private func at(_ index: Int) -> UInt8 { index < count ? bytes[index] : 0 }

    /// The visible length in UTF-16 code units, or the first problem.
    mutating func visibleLength() throws(Failure) -> Int {
        var i = 0, length = 0
        while i < count {
            let byte = bytes[i]
            if byte == .lessThan {
                i = at(i + 1) == .slash ? try endTag(at: i, length: length) : try startTag(at: i, length: length)
            } else if byte == .ampersand {
                if let (code, next) = decodeReference(at: i) {
                    if code >= 0xD800 && code <= 0xDFFF {
                        let reference = text(i, next)
                        throw Failure(offset: i, reason: "\(reference) is half of a UTF-16 surrogate pair, not a character")
                    }
                    length += code > 0xFFFF ? 2 : 1
                    i = next
                } else {
                    try rejectUndecodedReference(at: i)
                    length += 1
                    i += 1
                }
            } else {
                // The input is valid UTF-8: one unit per scalar, two for a 4-byte one (outside the BMP).
                if byte & 0xC0 != 0x80 { length += byte >= 0xF0 ? 2 : 1 }
                i += 1
            }
        }
        if let open = stack.last {
            throw Failure(offset: open.begin, reason: "tag <\(text(open.begin + 1, open.nameEnd))> is not closed")
        }
        return length
    }

    // MARK: Tags

    /// A start tag at `begin` (a `<`); returns the offset after its `>`.
    private mutating func startTag(at begin: Int, length: Int) throws(Failure) -> Int {
        var i = begin + 1
        while !isSpace(at(i)) && at(i) != .greaterThan { i += 1 }
        let nameEnd = i
        guard let tag = tag(from: begin + 1, to: nameEnd) else {
            let name = text(begin + 1, nameEnd)
            if nameEnd == count || !isAlpha(at(begin + 1)) {
                throw Failure(offset: begin, reason: "'<' must be written &lt;")
            }
            throw Failure(offset: begin, reason: "unsupported tag <\(name)>")
        }
        func name() -> String { text(begin + 1, nameEnd) }
        func endOfInput(_ i: Int) -> Failure {
            i >= count
                ? Failure(offset: begin, reason: "tag <\(name())> is missing its '>'")
                : Failure(offset: i, reason: "tag <\(name())> contains a NUL character")
        }
        if at(i) == 0 { throw endOfInput(i) }

        var hasHref = false, isSpoiler = false, hasEmojiID = false
        while at(i) != .greaterThan {
            while at(i) != 0 && isSpace(at(i)) { i += 1 }
            if at(i) == .greaterThan { break }
            let attributeBegin = i
            while !isSpace(at(i)) && at(i) != .equals && at(i) != .greaterThan { i += 1 }
            let attributeEnd = i
            if attributeEnd == attributeBegin {
                if at(i) == 0 { throw endOfInput(i) }
                throw Failure(offset: i, reason: "attribute without a name in tag <\(name())>")
            }
            func attribute() -> String { text(attributeBegin, attributeEnd) }
            while at(i) != 0 && isSpace(at(i)) { i += 1 }
            if at(i) != .equals {
                if tag == .blockquote && equals(attributeBegin, attributeEnd, "expandable") { continue }
                if at(i) == 0 { throw endOfInput(i) }
                throw Failure(offset: attributeBegin, reason: "attribute \(attribute()) of tag <\(name())> needs a value")
            }
            i += 1
            while at(i) != 0 && isSpace(at(i)) { i += 1 }
            if at(i) == 0 { throw endOfInput(i) }

            value.removeAll(keepingCapacity: true)
            let valueBegin = i
            if at(i) != .quote && at(i) != .apostrophe {
                // A bare value: letters, digits, '.' and '-', lower-cased.
                while isAlphanumeric(at(i)) || at(i) == .period || at(i) == .hyphen {
                    value.append(lowercased(at(i)))
                    i += 1
                }
                if !isSpace(at(i)) && at(i) != .greaterThan {
                    throw Failure(offset: valueBegin, reason: "the value of \(attribute()) in tag <\(name())> must be in quotes")
                }
            } else {
                let quote = at(i)
                i += 1
                while at(i) != quote && at(i) != 0 {
                    if at(i) == .ampersand {
                        if let (code, next) = decodeReference(at: i) {
                            appendUTF8(code)
                            i = next
                            continue
                        }
                        try rejectUndecodedReference(at: i)
                    }
                    value.append(at(i))
                    i += 1
                }
                if at(i) == quote {
                    i += 1
                } else if i >= count {
                    throw Failure(offset: valueBegin, reason: "the value of \(attribute()) in tag <\(name())> has no closing quote")
                }
            }
            if at(i) == 0 { throw endOfInput(i) }

            switch tag {
            case .a where equals(attributeBegin, attributeEnd, "href"):
                hasHref = !value.isEmpty
            case .span where equals(attributeBegin, attributeEnd, "class") && value.starts(with: "tg-".utf8):
                isSpoiler = value.elementsEqual("tg-spoiler".utf8)
            case .tgEmoji where equals(attributeBegin, attributeEnd, "emoji-id"):
                hasEmojiID = Int64(String(decoding: value, as: UTF8.self)).map { $0 != 0 } ?? false
            default:
                break
            }
        }
        if tag == .span && !isSpoiler {
            throw Failure(offset: begin, reason: "tag <\(name())> needs class=\"tg-spoiler\"")
        }
        // Stricter than Telegram (3): Telegram takes the text of an <a> without an href as its address
        // (and shows no link when that is no address); that is never what the author of an FAQ meant.
        if tag == .a && !hasHref {
            throw Failure(offset: begin, reason: "tag <\(name())> needs an href")
        }
        stack.append(OpenTag(tag: tag, begin: begin, nameEnd: nameEnd, lengthBefore: length, hasEmojiID: hasEmojiID))
        return i + 1
    }

    /// An end tag at `begin` (a `<` followed by `/`); returns the offset after its `>`.
    private mutating func endTag(at begin: Int, length: Int) throws(Failure) -> Int {
        var i = begin + 1
        while !isSpace(at(i)) && at(i) != .greaterThan { i += 1 }
        let nameBegin = begin + 2, nameEnd = i
        func name() -> String { text(nameBegin, nameEnd) }
        guard let open = stack.last else {
            throw Failure(offset: begin, reason: "closing tag </\(name())> has no open tag")
        }
        while isSpace(at(i)) && at(i) != 0 { i += 1 }
        if at(i) != .greaterThan {
            if nameEnd == nameBegin && i < count && at(i) != 0 {
                throw Failure(offset: begin, reason: "'<' must be written &lt;")
            }
            if i >= count { throw Failure(offset: begin, reason: "closing tag </\(name())> is missing its '>'") }
            if at(i) == 0 { throw Failure(offset: i, reason: "closing tag </\(name())> contains a NUL character") }
            throw Failure(offset: i, reason: "closing tag </\(name())> cannot have attributes")
        }
        if nameEnd > nameBegin && !matches(nameBegin, nameEnd, open.tag) {
            let openName = text(open.begin + 1, open.nameEnd)
            throw Failure(offset: begin, reason: "closing tag </\(name())> does not match the open <\(openName)>")
        }
        // An empty <tg-emoji></tg-emoji> shows nothing, so Telegram does not look at its id.
        if open.tag == .tgEmoji && length > open.lengthBefore && !open.hasEmojiID {
            let openName = text(open.begin + 1, open.nameEnd)
            throw Failure(offset: open.begin, reason: "tag <\(openName)> needs a non-zero numeric emoji-id")
        }
        stack.removeLast()
        return i + 1
    }

    /// The supported tag named by bytes `start..<end` (any letter case).
    private func tag(from start: Int, to end: Int) -> Tag? {
        let length = end - start
        guard length >= 1 && length <= 10 else { return nil }
        for tag in Tag.allCases where matches(start, end, tag) { return tag }
        return nil
    }

    /// Whether bytes `start..<end` name `tag` (any letter case).
    private func matches(_ start: Int, _ end: Int, _ tag: Tag) -> Bool {
        let name = Tag.names[tag.rawValue]
        guard name.count == end - start else { return false }
        for k in 0..<name.count where lowercased(bytes[start + k]) != name[k] { return false }
        return true
    }

    /// Whether bytes `start..<end` are exactly `literal`.
    private func equals(_ start: Int, _ end: Int, _ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == end - start else { return false }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for k in 0..<expected.count where bytes[start + k] != expected[k] { return false }
        return true
    }

    // MARK: Entities

    /// The character an `&` at `start` stands for and the offset after it, as Telegram decodes it:
    /// `&lt` `&gt` `&amp` `&quot` (lower case) and `&#…` / `&#x…` of 1 to 0x10FFFE, written in fewer than
    /// 10 bytes; the `;` is optional. nil: the `&` is an ordinary character.
    private func decodeReference(at start: Int) -> (UInt32, Int)? {
        var end = start + 1
        var code: UInt32 = 0
        if at(end) == .hash {
            end += 1
            if at(end) == .x {
                end += 1
                while let digit = hexDigitValue(at(end)) {
                    code = code &* 16 &+ digit
                    end += 1
                }
            } else {
                while isDigit(at(end)) {
                    code = code &* 10 &+ UInt32(at(end) - 0x30)
                    end += 1
                }
            }
            if code == 0 || code >= 0x10FFFF || end - start >= 10 { return nil }
        } else {
            while isAlpha(at(end)) { end += 1 }
            if equals(start + 1, end, "lt") {
                code = 0x3C
            } else if equals(start + 1, end, "gt") {
                code = 0x3E
            } else if equals(start + 1, end, "amp") {
                code = 0x26
            } else if equals(start + 1, end, "quot") {
                code = 0x22
            } else {
                return nil
            }
        }
        return (code, at(end) == .semicolon ? end + 1 : end)
    }

    /// Stricter than Telegram (1 and 2): an `&` Telegram leaves as typed although it is written as an
    /// entity, `&name;` or `&#digits;` / `&#xhex;`. The author meant a character; the reader would see the code.
    private func rejectUndecodedReference(at start: Int) throws(Failure) {
        var end = start + 1
        if at(end) == .hash {
            end += 1
            let isHex = at(end) == .x || at(end) == .capitalX
            if isHex { end += 1 }
            let digitsBegin = end
            while isHex ? hexDigitValue(at(end)) != nil : isDigit(at(end)) { end += 1 }
            guard end > digitsBegin && at(end) == .semicolon else { return }
            let reference = text(start, end + 1)
            throw Failure(
                offset: start,
                reason: "invalid character reference \(reference) (use &amp;\(reference.dropFirst()) or the character itself)")
        }
        guard isAlpha(at(end)) else { return }
        while isAlphanumeric(at(end)) { end += 1 }
        guard at(end) == .semicolon else { return }
        let reference = text(start, end + 1)
        throw Failure(offset: start, reason: "unknown entity \(reference) (use &amp;\(reference.dropFirst()) or the character itself)")
    }

    /// Appends `code` to `value` in UTF-8. A surrogate (which Telegram lets through in a value) becomes
    /// an 0xFF byte: either way the value is not empty and is neither "tg-spoiler" nor a number.
    private mutating func appendUTF8(_ code: UInt32) {
        if let scalar = Unicode.Scalar(code) { value.append(contentsOf: String(scalar).utf8) } else { value.append(0xFF) }
    }

    /// Bytes `start..<end` as text (for messages).
    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<min(end, count)]), as: UTF8.self)
    }
}

// MARK: - Bytes

extension UInt8 {
    fileprivate static let lessThan = UInt8(ascii: "<"), greaterThan = UInt8(ascii: ">"), slash = UInt8(ascii: "/")
    fileprivate static let ampersand = UInt8(ascii: "&"), hash = UInt8(ascii: "#"), semicolon = UInt8(ascii: ";")
    fileprivate static let equals = UInt8(ascii: "="), quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'")
    fileprivate static let period = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
    fileprivate static let x = UInt8(ascii: "x"), capitalX = UInt8(ascii: "X")
}

/// Space as TDLib's tag scanner sees it: ASCII whitespace and NUL.
@inline(__always) private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) || byte == 0
}

@inline(__always) private func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

@inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

@inline(__always) private func isAlphanumeric(_ byte: UInt8) -> Bool { isAlpha(byte) || isDigit(byte) }

@inline(__always) private func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

@inline(__always) private func hexDigitValue(_ byte: UInt8) -> UInt32? {
    if isDigit(byte) { return UInt32(byte - 0x30) }
    let lower = byte | 0x20
    return lower >= 0x61 && lower <= 0x66 ? UInt32(lower - 0x61 + 10) : nil
}

/// HTML that `TelegramHTMLCheck` accepts, read as Telegram reads it into pieces: start tags, end
/// tags, and the characters it shows, each written as itself or as an entity. The message splitter
/// cuts only between pieces, so that no cut falls inside a tag, an entity or a UTF-8 sequence.
struct HTMLPieces {
    enum Kind {
        /// One Unicode scalar shown, written as itself or as an entity.
        case shown(Unicode.Scalar)
        /// A start tag, with its name in lower case (for the end tag that closes it).
        case start(name: String)
        /// An end tag: it closes the innermost open tag.
        case end
    }

    struct Piece {
        let kind: Kind
        /// Where it is written, in `bytes`.
        let range: Range<Int>
        /// For a character of the name or number after an '&' that Telegram shows as itself (the
        /// letters of "&lta", the '#' and digits of "&#0"): that '&'. A part that holds the '&' may
        /// not end inside them, where the cut could make an entity ("&lta" cut after "&lt" would
        /// show "<"); a cut right after the '&' is safe.
        var literalAmpersand: Int?

        /// Whether a part that starts at piece `partStart` may end right before this piece, `index`.
        func mayCutBefore(_ index: Int, partStart: Int) -> Bool {
            guard let ampersand = literalAmpersand else { return true }
            return ampersand < partStart || index == ampersand + 1
        }
    }

    /// The UTF-8 of the HTML.
    let bytes: [UInt8]
    /// Every byte of `bytes` belongs to exactly one piece, in order.
    private(set) var pieces: [Piece] = []

    /// Reads `html`, which `TelegramHTMLCheck` must accept (anything else is read, but not as
    /// Telegram would read it).
    init(accepted html: String) {
        bytes = Array(html.utf8)
        // The last '&' shown as itself, while what follows may still read as its name or number.
        var literalAmpersand: Int?
        var i = 0
        while i < bytes.count {
            let begin = i
            if bytes[i] == UInt8(ascii: "<") {
                let end = tagEnd(from: i)
                pieces.append(Piece(kind: tagKind(begin, end), range: begin..<end))
                i = end
            } else if bytes[i] == UInt8(ascii: "&"), let (code, next) = decodeReference(at: i) {
                pieces.append(Piece(kind: .shown(Unicode.Scalar(code) ?? "\u{FFFD}"), range: begin..<next))
                i = next
            } else {
                let (scalar, next) = decodeUTF8(at: i)
                var piece = Piece(kind: .shown(scalar), range: begin..<next)
                // Letters for a name; '#', 'x' and hex digits for a number (more than Telegram reads: safe).
                if let ampersand = literalAmpersand, scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "#" {
                    piece.literalAmpersand = ampersand
                } else {
                    literalAmpersand = scalar == "&" ? pieces.count : nil
                }
                pieces.append(piece)
                i = next
                continue
            }
            literalAmpersand = nil
        }
    }

    /// The offset after the tag that starts at `begin` (a `<`): after its first `>` outside a quoted
    /// attribute value (a value is quoted when a quote follows its `=` and any spaces).
    private func tagEnd(from begin: Int) -> Int {
        var i = begin + 1
        while i < bytes.count && bytes[i] != UInt8(ascii: ">") {
            if bytes[i] == UInt8(ascii: "=") {
                i += 1
                while i < bytes.count && isSpace(bytes[i]) { i += 1 }
                if i < bytes.count && (bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'")) {
                    let quote = bytes[i]
                    i += 1
                    while i < bytes.count && bytes[i] != quote { i += 1 }
                    i += 1
                }
            } else {
                i += 1
            }
        }
        return min(i + 1, bytes.count)
    }

    /// A start or an end tag, written at `begin..<end`.
    private func tagKind(_ begin: Int, _ end: Int) -> Kind {
        if begin + 1 < end && bytes[begin + 1] == UInt8(ascii: "/") { return .end }
        var nameEnd = begin + 1
        while nameEnd < end && !isSpace(bytes[nameEnd]) && bytes[nameEnd] != UInt8(ascii: ">") { nameEnd += 1 }
        let name = bytes[(begin + 1)..<nameEnd].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return .start(name: String(decoding: name, as: UTF8.self))
    }

    /// The character an `&` at `start` stands for and the offset after it, decoded as Telegram (and
    /// `TelegramHTMLCheck`) decode it: `&lt` `&gt` `&amp` `&quot` (lower case) and `&#…` / `&#x…` of 1
    /// to 0x10FFFE in fewer than 10 bytes, with an optional `;`. nil: the `&` is shown as itself.
    private func decodeReference(at start: Int) -> (UInt32, Int)? {
        func at(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }
        var end = start + 1
        var code: UInt32 = 0
        if at(end) == UInt8(ascii: "#") {
            end += 1
            if at(end) == UInt8(ascii: "x") {
                end += 1
                while let digit = hexDigitValue(at(end)) {
                    code = code &* 16 &+ digit
                    end += 1
                }
            } else {
                while at(end) >= 0x30 && at(end) <= 0x39 {
                    code = code &* 10 &+ UInt32(at(end) - 0x30)
                    end += 1
                }
            }
            if code == 0 || code >= 0x10FFFF || end - start >= 10 { return nil }
        } else {
            while (at(end) | 0x20) >= 0x61 && (at(end) | 0x20) <= 0x7A { end += 1 }
            switch String(decoding: bytes[(start + 1)..<end], as: UTF8.self) {
            case "lt": code = 0x3C
            case "gt": code = 0x3E
            case "amp": code = 0x26
            case "quot": code = 0x22
            default: return nil
            }
        }
        return (code, at(end) == UInt8(ascii: ";") ? end + 1 : end)
    }

    /// The scalar whose UTF-8 starts at `start` (the text is valid UTF-8) and the offset after it.
    private func decodeUTF8(at start: Int) -> (Unicode.Scalar, Int) {
        let lead = bytes[start]
        let count = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        var value = count == 1 ? UInt32(lead) : UInt32(lead) & (0xFF >> (count + 1))
        for k in 1..<max(count, 1) where start + k < bytes.count { value = value << 6 | UInt32(bytes[start + k] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", min(start + count, bytes.count))
    }
}

/// Space as Telegram's tag scanner sees it: ASCII whitespace (and NUL, which accepted HTML has in no tag).
private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) || byte == 0 }

private func hexDigitValue(_ byte: UInt8) -> UInt32? {
    if byte >= 0x30 && byte <= 0x39 { return UInt32(byte - 0x30) }
    let lower = byte | 0x20
    return lower >= 0x61 && lower <= 0x66 ? UInt32(lower - 0x61 + 10) : nil
}

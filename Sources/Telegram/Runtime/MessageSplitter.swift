import BaohaoCore

/// Splits a message over Telegram's 4096-character limit into parts that each fit, counting as
/// `TelegramHTMLCheck` counts: UTF-16 units of the text shown, tags left out and entities decoded
/// (never less than Telegram's own count, whether that is in code points, as the Bot API double
/// counts, or in UTF-16 units).
///
/// A part ends at the last line break that lets it fit (the break itself is dropped), else after
/// the last whitespace (either only when the part keeps at least half the limit), else before the
/// last character that fits. No cut falls inside a tag, an entity or a character (a surrogate
/// pair, a ZWJ emoji, a letter and its marks), unless that one character is over the limit. Tags
/// open at a cut are closed at the end of the part and opened again at the start of the next, so
/// each part is HTML Telegram accepts, formatted as in the whole. HTML Telegram would refuse is
/// split as its plain text (escaped), which the sender would fall back to. A part that would show
/// nothing but whitespace is left out: Telegram refuses an empty message.
public enum MessageSplitter {
    /// Telegram's limit for the text of one message.
    public static let limit = 4096

    /// The length Telegram counts for `html` (UTF-16 units of the text shown); for HTML Telegram
    /// would refuse, that of the plain text the sender then sends.
    public static func visibleLength(_ html: String) -> Int {
        switch TelegramHTMLCheck.check(html) {
        case .success(let length): length
        case .failure: HTML.plainText(html).utf16.count
        }
    }

    /// The parts, each within `limit`, as HTML that Telegram accepts; `[html]` when it fits, or
    /// shows nothing but whitespace.
    public static func split(_ html: String, limit: Int = limit) -> [String] {
        // Every UTF-16 unit shown takes at least one byte: a text of few bytes fits uncounted.
        guard html.utf8.count > limit, visibleLength(html) > limit else { return [html] }
        let source: String
        if case .success = TelegramHTMLCheck.check(html) { source = html } else { source = HTML.escape(HTML.plainText(html)) }
        let parts = PartCutter(HTMLPieces(accepted: source), limit: limit).parts()
        return parts.isEmpty ? [html] : parts
    }
}

/// Cuts the pieces of one message into parts (see `MessageSplitter`).
private struct PartCutter {
    private let html: HTMLPieces
    private let limit: Int
    /// For each piece that shows a scalar: whether a character of the text shown starts there.
    private let startsCharacter: [Bool]

    init(_ html: HTMLPieces, limit: Int) {
        self.html = html
        self.limit = max(limit, 2)
        var shown = String.UnicodeScalarView()
        for piece in html.pieces { if case .shown(let scalar) = piece.kind { shown.append(scalar) } }
        var starts = [Bool](repeating: false, count: html.pieces.count)
        var characters = String(shown).makeIterator()
        var left = 0
        for (index, piece) in html.pieces.enumerated() {
            guard case .shown = piece.kind else { continue }
            if left == 0, let character = characters.next() {
                starts[index] = true
                left = character.unicodeScalars.count
            }
            left -= 1
        }
        startsCharacter = starts
    }

    /// The parts, in order.
    func parts() -> [String] {
        let pieces = html.pieces
        var parts: [String] = []
        // The first piece of the part being filled, the start tags open before it, the units it shows.
        var partStart = 0, openAtPartStart: [Int] = []
        var units = 0
        // Where the part may end and the next begin: at the last line break, else after the last
        // whitespace (either only when the part keeps half the limit), else before the last character.
        var lineCut: (end: Int, next: Int)?
        var wordCut: Int?, characterCut: Int?
        let enough = limit / 2
        var previousShown: Unicode.Scalar?
        var index = 0
        while index < pieces.count {
            switch pieces[index].kind {
            case .start, .end: break
            case .shown(let scalar):
                let width = UTF16.width(scalar)
                if units > 0 && startsCharacter[index] && pieces[index].mayCutBefore(index, partStart: partStart) {
                    characterCut = cutBefore(index, partStart)
                    if previousShown?.properties.isWhitespace == true && units >= enough { wordCut = characterCut }
                }
                if units > 0 && units + width > limit {
                    let cut = wordCut ?? characterCut ?? forcedCut(index, partStart)
                    let (end, next) = lineCut ?? (cut, cut)
                    if let part = part(partStart..<end, openAtStart: openAtPartStart) { parts.append(part) }
                    openAtPartStart = replay(openAtPartStart, partStart..<next)
                    (partStart, index, units, previousShown) = (next, next, 0, nil)
                    (lineCut, wordCut, characterCut) = (nil, nil, nil)
                    continue
                }
                if scalar == "\n" && units >= enough {
                    // A CR LF is one character: cut before the CR.
                    let end = previousShown == "\r" ? lastShown(before: index) : index
                    lineCut = (end, index + 1)
                }
                units += width
                previousShown = scalar
            }
            index += 1
        }
        if let part = part(partStart..<pieces.count, openAtStart: openAtPartStart) { parts.append(part) }
        return parts
    }

    /// The cut before the shown piece `index`: before the start tags right in front of it, so they
    /// open in the next part.
    private func cutBefore(_ index: Int, _ partStart: Int) -> Int {
        var cut = index
        while cut > partStart, case .start = html.pieces[cut - 1].kind { cut -= 1 }
        return cut
    }

    /// A cut before `index` although no character starts there (one character is over the limit):
    /// the last place a part may end, or `index` when none is left in the part.
    private func forcedCut(_ index: Int, _ partStart: Int) -> Int {
        var cut = index
        while cut > partStart + 1 && !html.pieces[cut].mayCutBefore(cut, partStart: partStart) { cut -= 1 }
        return html.pieces[cut].mayCutBefore(cut, partStart: partStart) ? cutBefore(cut, partStart) : cutBefore(index, partStart)
    }

    /// The shown piece before `index`.
    private func lastShown(before index: Int) -> Int {
        var k = index - 1
        while k > 0 {
            if case .shown = html.pieces[k].kind { break }
            k -= 1
        }
        return k
    }

    /// The tags open after `range`, when `open` were open before it.
    private func replay(_ open: [Int], _ range: Range<Int>) -> [Int] {
        var open = open
        for index in range {
            switch html.pieces[index].kind {
            case .start: open.append(index)
            case .end: _ = open.popLast()
            case .shown: break
            }
        }
        return open
    }

    /// The pieces of `range` as a part: the tags open at its start opened again, those open at its
    /// end closed; nil when it shows only whitespace.
    private func part(_ range: Range<Int>, openAtStart: [Int]) -> String? {
        let pieces = html.pieces
        let showsSomething = pieces[range].contains { piece in
            if case .shown(let scalar) = piece.kind { !scalar.properties.isWhitespace } else { false }
        }
        guard showsSomething else { return nil }
        var bytes: [UInt8] = []
        for index in openAtStart { bytes += html.bytes[pieces[index].range] }
        bytes += html.bytes[pieces[range.lowerBound].range.lowerBound..<pieces[range.upperBound - 1].range.upperBound]
        for index in replay(openAtStart, range).reversed() {
            guard case .start(let name) = pieces[index].kind else { continue }
            bytes += Array("</\(name)>".utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

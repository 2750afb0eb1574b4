/// A libpq connection string (`postgres://user:secret@host:5432/db?sslmode=require` or
/// `host=db user=bot password='secret'`) and the means to show it without its password.
///
/// Nothing this module writes (errors, descriptions) holds the text given here: only
/// `redacted`, or a message passed through `redact(_:)`.
public struct PGConnectionString: Sendable, CustomStringConvertible {
    /// The string exactly as given, for libpq only. Never log or print it.
    public let raw: String

    /// Wraps `raw`, which is handed to libpq unchanged.
    public init(_ raw: String) { self.raw = raw }

    /// The string with every password replaced by `***`: the password part of a URL's
    /// user info, a `password=` URL parameter, and a `password=` keyword (quoted or not).
    public var redacted: String { Self.redacted(raw) }

    /// `redacted`, so that interpolating a connection string never shows its password.
    public var description: String { redacted }

    /// Every password the string sets, as written and as libpq decodes it (percent escapes in
    /// a URL, quotes and backslashes in a keyword value), for masking in messages that echo them.
    var passwords: [String] {
        var found: [String] = []
        Self.scan(raw) { value in
            found.append(value)
            if let decoded = Self.percentDecoded(value), decoded != value { found.append(decoded) }
            if let unquoted = Self.unquoted(value), unquoted != value { found.append(unquoted) }
        }
        return found.filter { !$0.isEmpty }
    }

    /// `message` with the connection string's passwords masked, wherever libpq echoed them
    /// (it quotes an invalid percent escape, for example, with the text around it).
    public func redact(_ message: String) -> String {
        var text = message
        for password in passwords.sorted(by: { $0.count > $1.count }) {
            text = text.replacing(password, with: "***")
        }
        return text
    }

    /// `text` with each password it sets replaced by `***`.
    public static func redacted(_ text: String) -> String {
        var ranges: [Range<String.Index>] = []
        scanRanges(text) { ranges.append($0) }
        var result = text
        for range in ranges.reversed() { result.replaceSubrange(range, with: "***") }
        return result
    }

    // MARK: - Scanning

    private static func scan(_ text: String, _ found: (String) -> Void) {
        scanRanges(text) { found(String(text[$0])) }
    }

    /// Calls `found` with the range of each password value in `text`, in order.
    private static func scanRanges(_ text: String, _ found: (Range<String.Index>) -> Void) {
        let trimmed = text.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            scanURL(text, from: trimmed.firstRange(of: "://")!.upperBound, found)
        } else {
            scanKeywords(text, found)
        }
    }

    /// `scheme://[user[:password]@]hosts[/db][?key=value&...]`: the password of the user info,
    /// and the value of any `password` parameter.
    private static func scanURL(_ text: String, from start: String.Index, _ found: (Range<String.Index>) -> Void) {
        let authorityEnd = text[start...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex
        let authority = text[start..<authorityEnd]
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            let password = text.index(after: colon)..<at
            if !password.isEmpty { found(password) }
        }
        guard let question = text[authorityEnd...].firstIndex(of: "?") else { return }
        var cursor = text.index(after: question)
        while cursor < text.endIndex {
            let end = text[cursor...].firstIndex(of: "&") ?? text.endIndex
            let pair = text[cursor..<end]
            if let equals = pair.firstIndex(of: "="),
                percentDecoded(String(pair[..<equals]))?.lowercased() == "password"
            {
                let value = text.index(after: equals)..<end
                if !value.isEmpty { found(value) }
            }
            cursor = end < text.endIndex ? text.index(after: end) : end
        }
    }

    /// `key = value key='quoted \' value' ...`: the value of every `password` keyword.
    private static func scanKeywords(_ text: String, _ found: (Range<String.Index>) -> Void) {
        var i = text.startIndex
        func skipSpaces() { while i < text.endIndex, text[i].isWhitespace { i = text.index(after: i) } }
        while true {
            skipSpaces()
            guard i < text.endIndex else { return }
            let keyStart = i
            while i < text.endIndex, text[i] != "=", !text[i].isWhitespace { i = text.index(after: i) }
            let key = text[keyStart..<i]
            skipSpaces()
            guard i < text.endIndex, text[i] == "=" else { return }  // malformed: libpq refuses it
            i = text.index(after: i)
            skipSpaces()
            let valueStart = i
            if i < text.endIndex, text[i] == "'" {
                i = text.index(after: i)
                while i < text.endIndex, text[i] != "'" {
                    if text[i] == "\\" { i = text.index(after: i); if i == text.endIndex { break } }
                    i = text.index(after: i)
                }
                if i < text.endIndex { i = text.index(after: i) }
            } else {
                while i < text.endIndex, !text[i].isWhitespace {
                    if text[i] == "\\" { i = text.index(after: i); if i == text.endIndex { break } }
                    i = text.index(after: i)
                }
            }
            if key == "password", valueStart < i { found(valueStart..<i) }
        }
    }

    /// `text` with `%XX` escapes decoded, or nil when it has none or a malformed one.
    static func percentDecoded(_ text: String) -> String? {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = utf8.next().flatMap(hexValue), let low = utf8.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A keyword value without its quotes and backslash escapes, or nil when it has neither.
    static func unquoted(_ value: String) -> String? {
        var text = Substring(value)
        if text.hasPrefix("'") { text = text.dropFirst(); if text.hasSuffix("'") { text = text.dropLast() } }
        guard text.count != value.count || text.contains("\\") else { return nil }
        var result = ""
        var escaped = false
        for character in text {
            if !escaped, character == "\\" { escaped = true; continue }
            escaped = false
            result.append(character)
        }
        return result
    }
}

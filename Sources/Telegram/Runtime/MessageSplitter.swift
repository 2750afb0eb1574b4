import BaohaoCore
/// Splits a message over Telegram's 4096-character limit (counted in Unicode code points of
/// the text as shown) at paragraph, then line, then character boundaries. A part whose
/// HTML tags would not balance is sent as escaped plain text.
public enum MessageSplitter {
    public static let limit = 4096

    /// Visible length: tags removed, entities decoded, in code points.
    public static func visibleLength(_ html: String) -> Int {
        var count = 0, inTag = false, inEntity = false
        for scalar in html.unicodeScalars {
            if inTag { if scalar == ">" { inTag = false }; continue }
            if inEntity { if scalar == ";" { inEntity = false; count += 1 }; continue }
            if scalar == "<" { inTag = true } else if scalar == "&" { inEntity = true } else { count += 1 }
        }
        return count
    }

    /// The parts, each within `limit`, as HTML that Telegram accepts.
    public static func split(_ html: String, limit: Int = limit) -> [String] {
        // Every code point shown takes at least one byte: a text of few bytes fits uncounted.
        guard html.utf8.count > limit, visibleLength(html) > limit else { return [html] }
        var parts: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { parts.append(current) }
            current = ""
        }
        for unit in units(html, limit: limit) {
            let joiner = current.isEmpty ? "" : "\n"
            if visibleLength(current) + visibleLength(unit) + joiner.count > limit { flush() }
            current += (current.isEmpty ? "" : joiner) + unit
        }
        flush()
        return parts.map { isBalanced($0) ? $0 : HTML.escape(HTML.plainText($0)) }
    }

    /// Lines, with any line over the limit cut into pieces.
    private static func units(_ html: String, limit: Int) -> [String] {
        html.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line -> [String] in
            let text = String(line)
            guard visibleLength(text) > limit else { return [text] }
            let plain = Array(HTML.plainText(text).unicodeScalars)
            return stride(from: 0, to: plain.count, by: limit - 16).map { start in
                var view = String.UnicodeScalarView()
                view.append(contentsOf: plain[start..<min(plain.count, start + limit - 16)])
                return HTML.escape(String(view))
            }
        }
    }

    /// True when every opened tag is closed in order.
    static func isBalanced(_ html: String) -> Bool {
        var stack: [String] = []
        var i = html.startIndex
        while let open = html[i...].firstIndex(of: "<") {
            guard let close = html[open...].firstIndex(of: ">") else { return false }
            let tag = html[html.index(after: open)..<close]
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0 == "-" }.lowercased()
            if tag.hasPrefix("/") {
                guard stack.last == name else { return false }
                stack.removeLast()
            } else {
                stack.append(name)
            }
            i = html.index(after: close)
        }
        return stack.isEmpty
    }
}

/// The outbox's storage form of an `Outbound`: one line of fields separated by control
/// characters that no label, payload or HTML the bot builds contains (they are removed
/// from labels and payloads). Several times cheaper than JSON on the hot path.
enum OutboxCodec {
    static let field: Character = "\u{1F}", button: Character = "\u{1E}", row: Character = "\u{1D}", pair: Character = "\u{1C}"

    struct DecodeError: Error, CustomStringConvertible {
        let description: String
    }

    static func encode(_ outbound: Outbound) -> String {
        switch outbound {
        case .send(let m): return "s" + String(field) + message(m)
        case .edit(let id, let m): return "e" + String(field) + String(id) + String(field) + message(m)
        case .answerButton(let id, let text): return "a" + String(field) + clean(id) + String(field) + (text.map { "1" + clean($0) } ?? "0")
        }
    }

    private static func message(_ m: OutboundMessage) -> String {
        let buttons = m.buttons.map { r in r.map { clean($0.label) + String(pair) + clean($0.payload) }.joined(separator: String(button)) }
            .joined(separator: String(row))
        return String(m.chatID) + String(field) + (m.answering.map(String.init) ?? "") + String(field) + buttons + String(field) + clean(m.html)
    }

    private static func clean(_ text: String) -> String {
        text.utf8.contains { (0x1C...0x1F).contains($0) }
            ? String(String.UnicodeScalarView(text.unicodeScalars.filter { !(0x1C...0x1F).contains($0.value) })) : text
    }

    /// The ranges between `separator` bytes in `range`, at most `maxSplits` splits (the last
    /// range keeps the rest). The separators are ASCII control characters, which never occur
    /// inside a multi-byte sequence, so splitting the bytes splits the text exactly.
    private static func ranges(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, on separator: Character, maxSplits: Int = .max) -> [Range<Int>] {
        let byte = separator.asciiValue!
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        for index in range where bytes[index] == byte && parts.count < maxSplits {
            parts.append(start..<index)
            start = index + 1
        }
        parts.append(start..<range.upperBound)
        return parts
    }

    static func decode(_ text: String) throws -> Outbound {
        var text = text
        return try text.withUTF8 { try decode(bytes: $0) }
    }

    private static func decode(bytes: UnsafeBufferPointer<UInt8>) throws -> Outbound {
        func string(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }
        func message(_ p: ArraySlice<Range<Int>>) throws -> OutboundMessage {
            let p = Array(p)
            guard p.count == 4, let chat = Int64(string(p[0])) else { throw DecodeError(description: "bad outbox message") }
            let buttons: [[OutboundButton]] =
                p[2].isEmpty
                ? []
                : ranges(bytes, p[2], on: row).map { r in
                    ranges(bytes, r, on: button).map { b in
                        let lp = ranges(bytes, b, on: pair, maxSplits: 1)
                        return OutboundButton(label: string(lp[0]), payload: lp.count > 1 ? string(lp[1]) : "")
                    }
                }
            return OutboundMessage(chatID: chat, html: string(p[3]), buttons: buttons, answering: Int64(string(p[1])))
        }
        let whole = 0..<bytes.count
        let parts = ranges(bytes, whole, on: field, maxSplits: 4)
        let kind = parts[0].count == 1 ? bytes[parts[0].lowerBound] : 0
        switch kind {
        case UInt8(ascii: "s"): return .send(try message(parts[1...]))
        case UInt8(ascii: "e"):
            // e <id> <chat> <answering> <buttons> <html>: re-split to keep the html whole.
            let all = ranges(bytes, whole, on: field, maxSplits: 5)
            guard all.count == 6, let id = Int64(string(all[1])) else { throw DecodeError(description: "bad outbox edit") }
            return .edit(messageID: id, try message(all[2...]))
        case UInt8(ascii: "a"):
            guard parts.count == 3 else { throw DecodeError(description: "bad outbox answer") }
            let text = parts[2]
            let hasText = !text.isEmpty && bytes[text.lowerBound] == UInt8(ascii: "1")
            return .answerButton(callbackID: string(parts[1]), text: hasText ? string(text.dropFirst()) : nil)
        default: throw DecodeError(description: "unknown outbox item")
        }
    }
}

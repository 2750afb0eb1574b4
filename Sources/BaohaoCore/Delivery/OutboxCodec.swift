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
        case .send(let m):
            guard let t = m.ticket else { return "s" + String(field) + message(m) }
            let link = [String(t.ticket), t.counterpart.map(String.init) ?? "", t.isCard ? "1" : "0", t.replyTo.map(String.init) ?? ""].joined(separator: ",")
            return "t" + String(field) + link + String(field) + message(m)
        case .copy(let c):
            return ["c", String(c.ticket), c.direction.rawValue, String(c.fromChat), c.messageIDs.map(String.init).joined(separator: ","), String(c.toChat),
                c.replyTo.map(String.init) ?? "", clean(c.reaction ?? ""), c.quoting.map(String.init) ?? ""].joined(separator: String(field))
        case .topic(let t): return ["o", String(t.chatID), String(t.ticket), t.action.rawValue].joined(separator: String(field))
        case .invoice(let i):
            return ["i", String(i.chatID), clean(i.reference), clean(i.title), clean(i.description), clean(i.label), clean(i.currency), String(i.amount)]
                .joined(separator: String(field))
        case .refundStars(let r):
            return ["r", String(r.userID), clean(r.chargeID), clean(r.reference), String(r.operatorChat), clean(r.reason)].joined(separator: String(field))
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
        case UInt8(ascii: "t"):
            // t <link> <chat> <answering> <buttons> <html>
            let all = ranges(bytes, whole, on: field, maxSplits: 5)
            let link = string(all[1]).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard all.count == 6, link.count == 4, let ticket = Int64(link[0]) else { throw DecodeError(description: "bad outbox ticket message") }
            var m = try message(all[2...])
            m.ticket = TicketLink(ticket: ticket, counterpart: Int64(link[1]), isCard: link[2] == "1", replyTo: Int64(link[3]))
            return .send(m)
        case UInt8(ascii: "c"):
            let all = ranges(bytes, whole, on: field).map(string)
            guard all.count == 9, let ticket = Int64(all[1]), let direction = MessageCopy.Direction(rawValue: all[2]), let from = Int64(all[3]),
                let to = Int64(all[5])
            else { throw DecodeError(description: "bad outbox copy") }
            let ids = all[4].split(separator: ",").compactMap { Int64($0) }
            guard !ids.isEmpty else { throw DecodeError(description: "bad outbox copy") }
            return .copy(
                MessageCopy(
                    ticket: ticket, direction: direction, fromChat: from, messageIDs: ids, toChat: to, replyTo: Int64(all[6]),
                    reaction: all[7].isEmpty ? nil : all[7], quoting: Int64(all[8])))
        case UInt8(ascii: "i"):
            let all = ranges(bytes, whole, on: field).map(string)
            guard all.count == 8, let chat = Int64(all[1]), let amount = Int64(all[7]) else { throw DecodeError(description: "bad outbox invoice") }
            return .invoice(InvoiceRequest(chatID: chat, reference: all[2], title: all[3], description: all[4], label: all[5], currency: all[6], amount: amount))
        case UInt8(ascii: "r"):
            let all = ranges(bytes, whole, on: field, maxSplits: 5).map(string)
            guard all.count == 6, let user = Int64(all[1]), let chat = Int64(all[4]) else { throw DecodeError(description: "bad outbox refund") }
            return .refundStars(StarRefund(userID: user, chargeID: all[2], reference: all[3], reason: all[5], operatorChat: chat))
        case UInt8(ascii: "o"):
            let all = ranges(bytes, whole, on: field).map(string)
            guard all.count == 4, let chat = Int64(all[1]), let ticket = Int64(all[2]), let action = TopicChange.Action(rawValue: all[3]) else {
                throw DecodeError(description: "bad outbox topic change")
            }
            return .topic(TopicChange(chatID: chat, ticket: ticket, action: action))
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

import FoundationEssentials
import Storage
import BaohaoSupport

/// What waits to be delivered, stored in the same transaction as the change that produced
/// it. Live replies go before bulk ones (alerts); one chat's items go in order.
public enum Outbox {
    public enum Priority: Int, Sendable { case live = 0, bulk = 1 }

    public struct Item: Sendable, Equatable {
        public let id: Int64
        /// The chat, or 0 for a button acknowledgement.
        public let chatID: Int64
        public let outbound: Outbound
        public let priority: Priority
        public let attempts: Int
        /// The newest message id the chat has sent (to quote an older one being answered).
        public var lastInbound: Int64 = 0

        /// The message, for a send or an edit.
        public var message: OutboundMessage? {
            switch outbound {
            case .send(let m), .edit(_, let m): m
            case .answerButton: nil
            }
        }
    }

    public static func enqueue(_ db: Connection, _ message: OutboundMessage, priority: Priority = .live, at now: Instant) throws {
        try enqueue(db, .send(message), priority: priority, at: now)
    }

    public static func enqueue(_ db: Connection, _ outbound: Outbound, priority: Priority = .live, at now: Instant) throws {
        let json = OutboxCodec.encode(outbound)
        try db.execute(
            "INSERT INTO outbox (chat_id, priority, message, created_at) VALUES (?, ?, ?, ?)", outbound.chatID ?? 0, priority.rawValue, json,
            now.description)
    }

    /// The next item of each chat with something pending (a chat's items go in order, so
    /// only its oldest can go), live first, oldest first.
    public static func nextPerChat(_ db: Connection, limit: Int) throws -> [Item] {
        try db.query(
            """
            SELECT o.id, o.chat_id, o.message, o.priority, o.attempts, coalesce(cs.last_inbound_message_id, 0) FROM outbox o
            JOIN (SELECT chat_id, min(id) AS id FROM outbox WHERE state = 'pending' GROUP BY chat_id) AS head ON head.id = o.id
            LEFT JOIN chat_state cs ON cs.chat_id = o.chat_id
            ORDER BY o.priority, o.id LIMIT ?
            """, limit
        ) { row in
            Item(
                id: row.int64(0), chatID: row.int64(1), outbound: try OutboxCodec.decode(row.string(2)),
                priority: Priority(rawValue: row.int(3)) ?? .bulk, attempts: row.int(4), lastInbound: row.int64(5))
        }
    }

    /// Pending items, live first, oldest first.
    public static func pending(_ db: Connection, limit: Int = 100) throws -> [Item] {
        try db.query("SELECT id, chat_id, message, priority, attempts FROM outbox WHERE state = 'pending' ORDER BY priority, id LIMIT ?", limit) { row in
            Item(
                id: row.int64(0), chatID: row.int64(1), outbound: try OutboxCodec.decode(row.string(2)),
                priority: Priority(rawValue: row.int(3)) ?? .bulk, attempts: row.int(4))
        }
    }

    public static func markSent(_ db: Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?", now.description, id)
    }

    /// Marks an item sent unless something else already settled it (crash recovery).
    public static func markSentIfPending(_ db: Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'", now.description, id)
    }

    /// Gives up on an item: it stays in the table with the reason, for operators.
    public static func markDead(_ db: Connection, id: Int64, reason: String, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'dead', sent_at = ?, attempts = attempts + 1, error = ? WHERE id = ?", now.description, reason, id)
    }

    /// Counts a failed attempt; the item stays pending.
    public static func countAttempt(_ db: Connection, id: Int64, error: String) throws {
        try db.execute("UPDATE outbox SET attempts = attempts + 1, error = ? WHERE id = ?", error, id)
    }

    /// A chat that blocked the bot: nothing more is sent to it, and its pending alerts are dropped.
    public static func markChatInactive(_ db: Connection, chat: Int64, reason: String, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO chat_state (chat_id, inactive_since, inactive_reason) VALUES (?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET inactive_since = excluded.inactive_since, inactive_reason = excluded.inactive_reason
            """, chat, now.description, reason)
        try db.execute(
            "UPDATE outbox SET state = 'dead', error = ?, sent_at = ? WHERE chat_id = ? AND state = 'pending' AND priority = ?", "chat inactive: \(reason)",
            now.description, chat, Priority.bulk.rawValue)
    }

    /// A message from the chat: it is active again, and later replies may need to quote.
    public static func noteInbound(_ db: Connection, chat: Int64, messageID: Int64) throws {
        try db.execute(
            """
            INSERT INTO chat_state (chat_id, last_inbound_message_id) VALUES (?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET last_inbound_message_id = max(last_inbound_message_id, excluded.last_inbound_message_id),
                inactive_since = NULL, inactive_reason = NULL
            """, chat, messageID)
    }

    public static func lastInboundMessage(_ db: Connection, chat: Int64) throws -> Int64 {
        try db.queryFirst("SELECT last_inbound_message_id FROM chat_state WHERE chat_id = ?", chat) { $0.int64(0) } ?? 0
    }

    /// Counts by state: pending, sent, dead.
    public static func counts(_ db: Connection) throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try db.query("SELECT state, count(*) FROM outbox GROUP BY state") { ($0.string(0), $0.int(1)) })
    }
}

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
                        return OutboundButton(string(lp[0]), lp.count > 1 ? string(lp[1]) : "")
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

public import Storage
public import BaohaoSupport

/// A customer's request for a person: who asked, its state and owner, and where it lives in
/// the operators' chat (its forum topic and the card that opens it).
public struct Ticket: Sendable, Equatable {
    public let id: Int64
    /// The customer's chat.
    public let chatID: Int64
    public let userID: Int64
    public let openedAt: Instant
    public var lifecycle: TicketLifecycle
    public var customerName: String
    public var customerUsername: String?
    /// The topic's name: the ticket, the customer's first name, their line masked.
    public var topicName: String
    /// The topic in the operators' chat: nil before it is made, 0 when that chat has no topics.
    public var threadID: Int64?
    /// The card the topic opens with (kept to open a recreated topic with it again).
    public var cardHTML: String
    public var cardMessageID: Int64?

    /// `T000042`.
    public var reference: String { Tickets.reference(id) }
}

/// Where a ticket's messages go in the operators' chat, as the sender needs it.
public struct TicketTopic: Sendable, Equatable {
    public let ticket: Int64
    /// nil: no topic yet (make one); 0: the chat has no topics (post in the chat itself).
    public var threadID: Int64?
    public let name: String
    public let cardHTML: String
    public let customerChatID: Int64
}

/// Owner of `tickets`.
public enum Tickets {
    /// `T000042`.
    public static func reference(_ id: Int64) -> String {
        let digits = String(id)
        return "T" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The id in `T000042` (or `42`); nil when it is neither.
    public static func id(_ reference: String) -> Int64? {
        let r = reference.uppercased()
        guard r.hasPrefix("T") else { return Int64(r) }
        return Int64(r.dropFirst())
    }

    private static let columns = """
        id, chat_id, user_id, opened_at, state, owner_id, owner_name, awaiting_since, first_response_at, flagged, closed_at,
        customer_name, customer_username, topic_name, thread_id, card_html, card_message_id
        """

    private static func ticket(_ row: Row) -> Ticket {
        Ticket(
            id: row.int64(0), chatID: row.int64(1), userID: row.int64(2), openedAt: Instant(iso: row.string(3)) ?? Instant(millisecondsSinceEpoch: 0),
            lifecycle: TicketLifecycle(
                state: TicketState(rawValue: row.string(4)) ?? .closed, ownerID: row.optionalInt64(5), ownerName: row.optionalString(6),
                awaitingSince: row.optionalString(7).flatMap(Instant.init(iso:)), firstResponseAt: row.optionalString(8).flatMap(Instant.init(iso:)),
                flagged: row.int(9), closedAt: row.optionalString(10).flatMap(Instant.init(iso:))),
            customerName: row.string(11), customerUsername: row.optionalString(12), topicName: row.string(13), threadID: row.optionalInt64(14),
            cardHTML: row.string(15), cardMessageID: row.optionalInt64(16))
    }

    public static func load(_ db: any Connection, id: Int64) throws -> Ticket? {
        try db.queryFirst("SELECT \(columns) FROM tickets WHERE id = ?", id, map: ticket)
    }

    /// The chat's newest ticket, whatever its state.
    public static func latest(_ db: any Connection, chat: Int64) throws -> Ticket? {
        try db.queryFirst("SELECT \(columns) FROM tickets WHERE chat_id = ? ORDER BY id DESC LIMIT 1", chat, map: ticket)
    }

    /// The ticket whose topic is `thread` in the operators' chat.
    public static func byThread(_ db: any Connection, thread: Int64) throws -> Ticket? {
        guard thread != 0 else { return nil }
        return try db.queryFirst("SELECT \(columns) FROM tickets WHERE thread_id = ? ORDER BY id DESC LIMIT 1", thread, map: ticket)
    }

    /// The chat's open (or waiting) ticket.
    public static func open(_ db: any Connection, chat: Int64) throws -> Int64? {
        try db.queryFirst("SELECT id FROM tickets WHERE chat_id = ? AND state != 'closed' ORDER BY id DESC LIMIT 1", chat) { $0.int64(0) }
    }

    /// A new open ticket, waiting for a person from `now`.
    public static func create(_ db: any Connection, chat: Int64, user: Int64, name: String, username: String?, at now: Instant) throws -> Ticket {
        let id = try db.queryFirst(
            """
            INSERT INTO tickets (chat_id, user_id, opened_at, state, awaiting_since, customer_name, customer_username) VALUES (?, ?, ?, 'open', ?, ?, ?)
            RETURNING id
            """, chat, user, now.description, now.description, name, username, map: { $0.int64(0) })!
        return try load(db, id: id)!
    }

    /// Stores the lifecycle part (state, owner, timer) and the names and card.
    public static func save(_ db: any Connection, _ t: Ticket) throws {
        let l = t.lifecycle
        try db.execute(
            """
            UPDATE tickets SET state = ?, owner_id = ?, owner_name = ?, awaiting_since = ?, first_response_at = ?, flagged = ?, closed_at = ?,
                topic_name = ?, card_html = ? WHERE id = ?
            """, l.state.rawValue, l.ownerID, l.ownerName, l.awaitingSince?.description, l.firstResponseAt?.description, l.flagged,
            l.closedAt?.description, t.topicName, t.cardHTML, t.id)
    }

    /// Where the ticket's messages go in the operators' chat (for the sender).
    public static func topic(_ db: any Connection, id: Int64) throws -> TicketTopic? {
        try db.queryFirst("SELECT id, thread_id, topic_name, card_html, chat_id FROM tickets WHERE id = ?", id) {
            TicketTopic(ticket: $0.int64(0), threadID: $0.optionalInt64(1), name: $0.string(2), cardHTML: $0.string(3), customerChatID: $0.int64(4))
        }
    }

    /// The topic the sender made (or found there is none: 0), or nil when it was deleted and
    /// must be made again.
    public static func setThread(_ db: any Connection, id: Int64, thread: Int64?) throws {
        try db.execute("UPDATE tickets SET thread_id = ? WHERE id = ?", thread, id)
    }

    /// The message the card was posted as (the card is edited there when the ticket changes).
    public static func setCardMessage(_ db: any Connection, id: Int64, messageID: Int64) throws {
        try db.execute("UPDATE tickets SET card_message_id = ? WHERE id = ?", messageID, id)
    }

    /// Open tickets waiting for a person, oldest wait first.
    public static func awaiting(_ db: any Connection) throws -> [Ticket] {
        try db.query("SELECT \(columns) FROM tickets WHERE state = 'open' AND awaiting_since IS NOT NULL ORDER BY awaiting_since, id", map: ticket)
    }

    /// How many tickets are open or waiting (a person holds the conversation).
    public static func openCount(_ db: any Connection) throws -> Int {
        try db.queryFirst("SELECT count(*) FROM tickets WHERE state != 'closed'") { $0.int(0) } ?? 0
    }
}

public import Storage
public import BaohaoSupport

/// Owner of `ticket_messages`: which message in the customer's chat and which in the
/// operators' chat are the same one (a copy either way, or a post and what it is about). A
/// reply on one side quotes its counterpart on the other, and in an operators' chat without
/// topics a reply to one of the bot's posts finds its ticket here.
public enum TicketMessages {
    /// Records that `customer` (in the customer's chat) and `operator` (in the operators'
    /// chat) belong together in `ticket`; either may be nil for a post with no counterpart.
    public static func record(_ db: any Connection, ticket: Int64, customer: Int64?, operator: Int64?, at now: Instant) throws {
        try db.execute(
            "INSERT INTO ticket_messages (ticket_id, customer_message_id, operator_message_id, at) VALUES (?, ?, ?, ?)", ticket, customer, `operator`,
            now.description)
    }

    /// The ticket a message in the operators' chat belongs to, and its counterpart in the customer's chat.
    public static func byOperatorMessage(_ db: any Connection, _ message: Int64) throws -> (ticket: Int64, customer: Int64?)? {
        try db.queryFirst("SELECT ticket_id, customer_message_id FROM ticket_messages WHERE operator_message_id = ? ORDER BY id DESC LIMIT 1", message) {
            ($0.int64(0), $0.optionalInt64(1))
        }
    }

    /// The message in the operators' chat that is the counterpart of the customer's `message`.
    public static func operatorCounterpart(_ db: any Connection, ticket: Int64, customer message: Int64) throws -> Int64? {
        try db.queryFirst(
            "SELECT operator_message_id FROM ticket_messages WHERE ticket_id = ? AND customer_message_id = ? AND operator_message_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            ticket, message
        ) { $0.int64(0) }
    }

    /// The message in the customer's chat that is the counterpart of the operators' `message`.
    public static func customerCounterpart(_ db: any Connection, ticket: Int64, operator message: Int64) throws -> Int64? {
        try db.queryFirst(
            "SELECT customer_message_id FROM ticket_messages WHERE ticket_id = ? AND operator_message_id = ? AND customer_message_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            ticket, message
        ) { $0.int64(0) }
    }
}

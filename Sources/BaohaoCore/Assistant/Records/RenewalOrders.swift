import FoundationEssentials
public import Storage
public import Understanding
public import BaohaoSupport

/// Owner of `renewal_orders`: the orders the assistant created, settled when the payment is confirmed.
public enum RenewalOrders {
    public struct Order: Sendable, Equatable {
        public let reference: String
        public let chatID: Int64
        public let number: PhoneNumber
        public let choice: RenewalChoice
        public let language: Language
        public let paid: Bool
    }

    /// Why an order's reference cannot be used for this top-up.
    public struct Mismatch: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Records an order for a quoted renewal; a reference already used keeps its first order.
    static func create(
        _ db: Connection, reference: String, chat: Int64, number: PhoneNumber, choice: RenewalChoice, price: Money, language: Language, at now: Instant
    ) throws {
        let choiceJSON = String(decoding: try JSONEncoder().encode(choice), as: UTF8.self)
        try db.execute(
            """
            INSERT INTO renewal_orders (reference, chat_id, number, choice, amount_minor, currency, language, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING
            """,
            reference, chat, number.e164, choiceJSON, price.minorUnits, price.currency, language.rawValue, now.description)
    }

    public static func order(_ db: Connection, reference: String) throws -> Order? {
        try db.queryFirst("SELECT chat_id, number, choice, language, paid_at FROM renewal_orders WHERE reference = ?", reference) { row in
            guard let number = PhoneNumber(e164: row.string(1)),
                let choice = try? JSONDecoder().decode(RenewalChoice.self, from: Data(row.string(2).utf8))
            else { return nil }
            return Order(
                reference: reference, chatID: row.int64(0), number: number, choice: choice,
                language: Language(rawValue: row.string(3)) ?? .zhHans, paid: !row.isNull(4))
        } ?? nil
    }

    /// Checks that a top-up with an order's reference is the order's; nil when the
    /// reference is not an order.
    public static func check(_ db: Connection, reference: String, number: PhoneNumber, choice: RenewalChoice) throws -> Order? {
        guard let order = try order(db, reference: reference) else { return nil }
        guard order.number == number else { throw Mismatch(description: "order \(reference) is for \(order.number.e164), not \(number.e164)") }
        guard order.choice == choice else { throw Mismatch(description: "order \(reference) is for \(order.choice), not \(choice)") }
        return order
    }

    /// Marks the order paid and queues the customer's confirmation with the new expiry, in
    /// the order's language; does nothing for an order already paid.
    public static func settle(_ db: Connection, _ order: Order, receipt: RenewalReceipt, replies: ReplyBook, at now: Instant) throws {
        guard !order.paid else { return }
        try db.execute("UPDATE renewal_orders SET paid_at = ? WHERE reference = ? AND paid_at IS NULL", now.description, order.reference)
        guard db.changes > 0 else { return }
        let html = replies.text(
            .renewConfirmed, order.language,
            ["number": receipt.number.maskedForDisplay, "expires": receipt.newExpiry.description, "reference": order.reference])
        try Outbox.enqueue(db, OutboundMessage(chatID: order.chatID, html: html), at: now)
    }
}

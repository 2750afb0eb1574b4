import FoundationEssentials
public import Storage
public import Understanding
public import BaohaoSupport

/// Owner of `renewal_orders`: the orders the assistant created for a renewal option, from the
/// invoice (or payment link) to the renewal applied, or refused, expired or refunded.
public enum RenewalOrders {
    public struct Order: Sendable, Equatable {
        public let reference: String
        public let chatID: Int64
        public let number: PhoneNumber
        public let choice: RenewalChoice
        public let language: Language
        /// The option's price in the line's currency.
        public let price: Money
        public let state: OrderState
        /// `link`, `provider` or `stars`.
        public let mode: String
        /// What the invoice asks: minor units of `invoiceCurrency`, or Stars for `XTR`.
        public let invoiceAmount: Int64?
        public let invoiceCurrency: String?
        /// Who pays (the user of the chat), for a Stars refund.
        public let userID: Int64?
        public let createdAt: Instant?
        public let expiresAt: Instant?
        public let telegramChargeID: String?
        public let providerChargeID: String?
        /// Why it was refused, expired or refunded.
        public let reason: String?
        public let invoiceMessageID: Int64?
        /// When each state was reached (nil: not reached).
        public let invoicedAt: Instant?, precheckedAt: Instant?, paidAt: Instant?, appliedAt: Instant?, refundedAt: Instant?

        /// Paid by any means (kept for `lines topup --ref`).
        public var paid: Bool { paidAt != nil || state == .applied }
    }

    /// Why an order's reference cannot be used for this top-up.
    public struct Mismatch: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Records an order for a quoted renewal; a reference already used keeps its first order.
    static func create(
        _ db: any Connection, reference: String, chat: Int64, user: Int64? = nil, number: PhoneNumber, choice: RenewalChoice, price: Money, language: Language,
        mode: String = "link", invoiceAmount: Int64? = nil, invoiceCurrency: String? = nil, expiresAt: Instant? = nil, at now: Instant
    ) throws {
        let choiceJSON = String(decoding: try JSONEncoder().encode(choice), as: UTF8.self)
        try db.execute(
            """
            INSERT INTO renewal_orders (reference, chat_id, number, choice, amount_minor, currency, language, created_at, updated_at, mode, invoice_amount,
                invoice_currency, user_id, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING
            """,
            reference, chat, number.e164, choiceJSON, price.minorUnits, price.currency, language.rawValue, now.description, now.description, mode, invoiceAmount,
            invoiceCurrency, user, expiresAt?.description)
    }

    private static let columns = """
        reference, chat_id, number, choice, language, amount_minor, currency, state, mode, invoice_amount, invoice_currency, user_id, created_at, expires_at,
        telegram_charge_id, provider_charge_id, reason, invoice_message_id, invoiced_at, prechecked_at, paid_at, applied_at, refunded_at
        """

    private static func order(_ row: Row) -> Order? {
        func instant(_ column: Int) -> Instant? { row.optionalString(column).flatMap(Instant.init(iso:)) }
        guard let number = PhoneNumber(e164: row.string(2)), let choice = try? JSONDecoder().decode(RenewalChoice.self, from: Data(row.string(3).utf8)) else {
            return nil
        }
        return Order(
            reference: row.string(0), chatID: row.int64(1), number: number, choice: choice, language: Language(rawValue: row.string(4)) ?? .zhHans,
            price: Money(minorUnits: row.int64(5), currency: row.string(6)), state: OrderState(rawValue: row.string(7)) ?? .created, mode: row.string(8),
            invoiceAmount: row.optionalInt64(9), invoiceCurrency: row.optionalString(10), userID: row.optionalInt64(11), createdAt: instant(12),
            expiresAt: instant(13), telegramChargeID: row.optionalString(14), providerChargeID: row.optionalString(15), reason: row.optionalString(16),
            invoiceMessageID: row.optionalInt64(17), invoicedAt: instant(18), precheckedAt: instant(19), paidAt: instant(20), appliedAt: instant(21),
            refundedAt: instant(22))
    }

    public static func order(_ db: any Connection, reference: String) throws -> Order? {
        try db.queryFirst("SELECT \(columns) FROM renewal_orders WHERE reference = ?", reference, map: order) ?? nil
    }

    /// The order a Telegram charge paid.
    public static func order(_ db: any Connection, charge: String) throws -> Order? {
        try db.queryFirst("SELECT \(columns) FROM renewal_orders WHERE telegram_charge_id = ?", charge, map: order) ?? nil
    }

    /// The newest orders first, of `state` when given.
    public static func list(_ db: any Connection, state: OrderState? = nil, limit: Int = 50) throws -> [Order] {
        if let state {
            return try db.query("SELECT \(columns) FROM renewal_orders WHERE state = ? ORDER BY created_at DESC, reference LIMIT ?", state.rawValue, limit, map: order)
                .compactMap { $0 }
        }
        return try db.query("SELECT \(columns) FROM renewal_orders ORDER BY created_at DESC, reference LIMIT ?", limit, map: order).compactMap { $0 }
    }

    /// Moves the order to `state` from one of `from`, stamping the state's time; false when
    /// it was not in one of them (nothing changed).
    @discardableResult
    public static func move(_ db: any Connection, _ reference: String, to state: OrderState, from: Set<OrderState>, reason: String? = nil, at now: Instant) throws -> Bool {
        // From no state: nothing can move (and `IN ()` is not SQL everywhere).
        guard !from.isEmpty else { return false }
        let stamp: String? =
            switch state {
            case .invoiced: "invoiced_at"
            case .prechecked: "prechecked_at"
            case .paid: "paid_at"
            case .applied: "applied_at"
            case .refunded: "refunded_at"
            case .created, .expired, .refused: nil
            }
        let states = from.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
        try db.execute(
            "UPDATE renewal_orders SET state = ?, updated_at = ?, reason = coalesce(?, reason)\(stamp.map { ", \($0) = coalesce(\($0), ?)" } ?? "") WHERE reference = ? AND state IN (\(states))",
            arguments: [state.rawValue, now.description, reason] + (stamp == nil ? [] : [now.description]) + [reference])
        return db.changes > 0
    }

    /// The invoice went out as message `messageID`.
    public static func markInvoiced(_ db: any Connection, _ reference: String, messageID: Int64, at now: Instant) throws {
        try move(db, reference, to: .invoiced, from: [.created], at: now)
        try db.execute("UPDATE renewal_orders SET invoice_message_id = ? WHERE reference = ?", messageID, reference)
    }

    /// Records the charge of a payment; false when this charge was recorded before (a
    /// duplicated update) — then nothing changed.
    public static func recordCharge(_ db: any Connection, _ reference: String, telegram: String, provider: String, at now: Instant) throws -> Bool {
        if try db.queryFirst("SELECT 1 FROM renewal_orders WHERE telegram_charge_id = ?", telegram, map: { _ in true }) == true { return false }
        try db.execute(
            "UPDATE renewal_orders SET telegram_charge_id = ?, provider_charge_id = ?, paid_at = coalesce(paid_at, ?), state = 'paid', updated_at = ? WHERE reference = ? AND telegram_charge_id IS NULL",
            telegram, provider, now.description, now.description, reference)
        return db.changes > 0
    }

    /// Checks that a top-up with an order's reference is the order's; nil when the
    /// reference is not an order.
    public static func check(_ db: any Connection, reference: String, number: PhoneNumber, choice: RenewalChoice) throws -> Order? {
        guard let order = try order(db, reference: reference) else { return nil }
        guard order.number == number else { throw Mismatch(description: "order \(reference) is for \(order.number.e164), not \(number.e164)") }
        guard order.choice == choice else { throw Mismatch(description: "order \(reference) is for \(order.choice), not \(choice)") }
        return order
    }

    /// Marks the order applied (an operator recorded the top-up for it) and queues the
    /// customer's confirmation with the new expiry, in the order's language; does nothing
    /// for an order already paid.
    public static func settle(_ db: any Connection, _ order: Order, receipt: RenewalReceipt, replies: ReplyBook, at now: Instant) throws {
        guard !order.paid else { return }
        try db.execute(
            "UPDATE renewal_orders SET paid_at = ?, applied_at = ?, state = 'applied', updated_at = ? WHERE reference = ? AND paid_at IS NULL", now.description,
            now.description, now.description, order.reference)
        guard db.changes > 0 else { return }
        let html = replies.text(
            .renewConfirmed, order.language,
            ["number": receipt.number.maskedForDisplay, "expires": receipt.newExpiry.description, "reference": order.reference])
        try Outbox.enqueue(db, OutboundMessage(chatID: order.chatID, html: html), at: now)
    }
}

public import BaohaoSupport

/// Where a renewal order stands. Paid in the chat: created → invoiced → prechecked → paid →
/// applied; or it ends expired (not paid in time), refused (pre-checkout said no, or the
/// invoice could not be sent) or refunded. An order paid by link goes created → applied when
/// an operator records the top-up.
public enum OrderState: String, Sendable, Equatable, CaseIterable {
    case created, invoiced, prechecked, paid, applied, expired, refused, refunded

    /// Whether the order may still be paid.
    public var isPayable: Bool { self == .created || self == .invoiced || self == .prechecked }
}

/// Why a pre-checkout is answered no (each has a text in the customer's language).
public enum PrecheckRefusal: String, Sendable, Equatable {
    /// No such order (a payload the bot never made).
    case unknownOrder = "unknown_order"
    /// Past `payments.order_ttl`.
    case expired
    /// Paid (or applied, or refunded) already.
    case alreadyPaid = "already_paid"
    /// The line was recycled, cancelled, is porting out, or is no longer the chat's.
    case lineUnavailable = "line_unavailable"
    /// The option's price is not what the invoice says any more (or the amount differs).
    case priceChanged = "price_changed"
    /// The order was refused before (its line or price changed, or its invoice failed).
    case closed
}

/// What is known when a pre-checkout or a payment comes: the order and the line now.
public struct OrderFacts: Sendable, Equatable {
    public var state: OrderState
    public var expiresAt: Instant?
    /// What the invoice asked: minor units of `invoiceCurrency`, or Stars for `XTR`.
    public var invoiceAmount: Int64?
    public var invoiceCurrency: String?
    /// The line's status now (nil: gone, or no longer bound to the chat).
    public var lineStatus: LineStatus?
    /// The option's price now, in the invoice's currency (nil: no longer offered).
    public var currentAmount: Int64?

    public init(state: OrderState, expiresAt: Instant?, invoiceAmount: Int64?, invoiceCurrency: String?, lineStatus: LineStatus?, currentAmount: Int64?) {
        self.state = state
        self.expiresAt = expiresAt
        self.invoiceAmount = invoiceAmount
        self.invoiceCurrency = invoiceCurrency
        self.lineStatus = lineStatus
        self.currentAmount = currentAmount
    }
}

/// The payment rules, without I/O: whether an order may be paid now, and what a payment
/// that arrived does.
public enum OrderRules {
    /// The answer to a pre-checkout query for `currency` `total` at `now`.
    public static func precheck(_ facts: OrderFacts?, currency: String, total: Int64, at now: Instant) -> PrecheckRefusal? {
        guard let facts else { return .unknownOrder }
        switch facts.state {
        case .created, .invoiced, .prechecked: break
        case .expired: return .expired
        case .refused: return .closed
        case .paid, .applied, .refunded: return .alreadyPaid
        }
        if let expires = facts.expiresAt, now >= expires { return .expired }
        guard let status = facts.lineStatus, isRenewable(status) else { return .lineUnavailable }
        guard facts.invoiceCurrency == currency, facts.invoiceAmount == total, facts.currentAmount == total else { return .priceChanged }
        return nil
    }

    /// A line that can be renewed: not recycled, cancelled or porting out.
    public static func isRenewable(_ status: LineStatus) -> Bool { !status.isTerminal && status != .portingOut }

    /// What a payment that arrived does.
    public enum PaymentAction: Sendable, Equatable {
        /// Renew the line, once.
        case apply
        /// The same charge was handled before: nothing.
        case duplicate
        /// Money was taken for what can no longer be given: ask the operators to refund.
        case refund(PrecheckRefusal)
    }

    /// `chargeSeen`: this telegram_payment_charge_id is recorded already.
    public static func afterPayment(_ facts: OrderFacts?, chargeSeen: Bool) -> PaymentAction {
        if chargeSeen { return .duplicate }
        guard let facts else { return .refund(.unknownOrder) }
        switch facts.state {
        case .applied, .paid, .refunded: return .refund(.alreadyPaid)
        case .created, .invoiced, .prechecked, .expired, .refused: break
        }
        // Telegram took the money after the pre-checkout said yes: an order that expired in
        // the meantime is still honoured; a line that can no longer be renewed is not.
        guard let status = facts.lineStatus, isRenewable(status) else { return .refund(.lineUnavailable) }
        return .apply
    }
}

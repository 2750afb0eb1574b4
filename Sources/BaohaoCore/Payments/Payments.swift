public import Storage
public import Understanding
public import BaohaoSupport

/// Payments in the chat, as the bot, the sender and the command line share them: what is
/// known of an order now, the pre-checkout answer, and recording a refund.
public enum Payments {
    /// The currency of Telegram Stars.
    public static let stars = "XTR"

    /// What the invoice of `quote` asks in `mode`: (currency, amount), or nil when the option
    /// cannot be sold that way (Stars mode and no Stars price for it).
    public static func invoiceAmount(_ quote: RenewalQuote, line: LineView, mode: PaymentSettings.Mode, catalogue: CarrierCatalogue) -> (currency: String, amount: Int64)? {
        switch mode {
        case .off: return nil
        case .provider: return (quote.price.currency, quote.price.minorUnits)
        case .stars:
            guard case .option(let id) = quote.choice,
                let stars = catalogue.carrier(line.carrier)?.plan(line.plan)?.renewalOptions.first(where: { $0.id == id })?.stars
            else { return nil }
            return (Self.stars, Int64(stars))
        }
    }

    /// The order's facts now: its state and invoice, the line's status and the option's price
    /// (in the invoice's currency) as the chat sees them.
    public static func facts(_ db: any Connection, _ order: RenewalOrders.Order, catalogue: CarrierCatalogue, at now: Instant) throws -> OrderFacts {
        let session = LineSession(db: db, catalogue: catalogue, now: now)
        let line = try? session.line(order.number, visibleTo: .chat(order.chatID))
        var current: Int64?
        if let line, let quote = try session.quote(order.number, visibleTo: .chat(order.chatID)).first(where: { $0.choice == order.choice }) {
            let mode: PaymentSettings.Mode = order.invoiceCurrency == stars ? .stars : .provider
            current = invoiceAmount(quote, line: line, mode: mode, catalogue: catalogue)?.amount
        }
        return OrderFacts(
            state: order.state, expiresAt: order.expiresAt, invoiceAmount: order.invoiceAmount, invoiceCurrency: order.invoiceCurrency, lineStatus: line?.status,
            currentAmount: current)
    }

    /// The answer to a pre-checkout query: nil for yes, else the refusal and its text in the
    /// order's language (the customer reads it in Telegram's payment form). Reads only.
    public static func precheck(
        _ db: any Connection, _ query: Inbound.PreCheckoutQuery, catalogue: CarrierCatalogue, replies: ReplyBook, defaultLanguage: Language, at now: Instant
    ) throws -> (refusal: PrecheckRefusal, text: String)? {
        let order = try RenewalOrders.order(db, reference: query.payload)
        let facts = try order.map { try Self.facts(db, $0, catalogue: catalogue, at: now) }
        guard let refusal = OrderRules.precheck(facts, currency: query.currency, total: query.totalAmount, at: now) else { return nil }
        return (refusal, replies.text(refusalKey(refusal), order?.language ?? defaultLanguage, ["reference": query.payload]))
    }

    static func refusalKey(_ refusal: PrecheckRefusal) -> ReplyKey {
        switch refusal {
        case .unknownOrder: .paymentRefusedUnknown
        case .expired: .paymentRefusedExpired
        case .alreadyPaid: .paymentRefusedPaid
        case .lineUnavailable: .paymentRefusedLine
        case .priceChanged: .paymentRefusedPrice
        case .closed: .paymentRefusedClosed
        }
    }

    /// Records that the payment of `order` was given back (`how`: Stars refunded, or refunded
    /// at the provider): the order refunded, a ledger row, the customer's notice. False when it
    /// was refunded before (nothing changed).
    @discardableResult
    public static func recordRefund(
        _ db: any Connection, _ order: RenewalOrders.Order, reason: String, how: String, by actor: LineActor, catalogue: CarrierCatalogue, replies: ReplyBook,
        at now: Instant
    ) throws -> Bool {
        guard try RenewalOrders.move(db, order.reference, to: .refunded, from: [.paid, .applied], reason: reason, at: now) else { return false }
        let amount = order.invoiceCurrency == stars ? "\(order.invoiceAmount ?? 0) ⭐" : order.price.display
        let detail = "refund of \(order.reference) (\(amount); telegram_payment_charge_id=\(order.telegramChargeID ?? "-"), provider_payment_charge_id=\(order.providerChargeID ?? "-")) \(how): \(reason)"
        _ = try LineSession(db: db, catalogue: catalogue, now: now).recordRefund(order.number, reference: "refund:" + order.reference, detail: detail, by: actor)
        let html = replies.text(.paymentRefundedCustomer, order.language, ["reference": order.reference, "amount": amount])
        try Outbox.enqueue(db, OutboundMessage(chatID: order.chatID, html: html), at: now)
        return true
    }
}

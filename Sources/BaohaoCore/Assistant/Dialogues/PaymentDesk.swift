import Storage
import Understanding
import BaohaoSupport

/// Renewals paid in the chat: the invoice for a picked option, the pre-checkout recorded, the
/// payment applied exactly once (or, when the line can no longer be renewed, handed to the
/// operators to refund with one tap).
struct PaymentDesk {
    let context: TurnContext

    var mode: PaymentSettings.Mode { context.settings.paymentMode }

    /// The invoice for `quote` as order `reference`; nil when payments are off, or the option
    /// cannot be sold in this mode (then the payment link is used).
    func invoice(line: LineView, quote: RenewalQuote, reference: String) throws -> Reply? {
        let c = context
        guard let (currency, amount) = Payments.invoiceAmount(quote, line: line, mode: mode, catalogue: c.catalogue) else { return nil }
        try RenewalOrders.create(
            c.db, reference: reference, chat: c.chat, user: c.inbound.userID, number: line.number, choice: quote.choice, price: quote.price, language: c.language,
            mode: mode.rawValue, invoiceAmount: amount, invoiceCurrency: currency, expiresAt: c.now.adding(seconds: c.settings.orderTTLSeconds), at: c.now)
        let title = String(c.t(.paymentInvoiceTitle, ["number": line.number.maskedForDisplay]).prefix(32))
        let description = String(
            c.t(.paymentInvoiceDescription, ["carrier": c.carrierName(line.carrier), "length": quote.length, "expires": quote.newExpiry.description]).prefix(255))
        var reply = Reply(html: "")
        reply.invoice = InvoiceRequest(
            chatID: c.chat, reference: reference, title: HTML.plainText(title), description: HTML.plainText(description), label: quote.length, currency: currency,
            amount: amount)
        return reply
    }

    /// The pre-checkout as the batch records it (the answer went out ahead of the batch, from
    /// the same rules): the order pre-checked, or refused with the reason; an expired order's
    /// customer is told in the chat as well.
    func recordPrecheck(_ query: Inbound.PreCheckoutQuery) throws -> Reply? {
        let c = context
        guard let order = try RenewalOrders.order(c.db, reference: query.payload) else { return nil }
        let facts = try Payments.facts(c.db, order, catalogue: c.catalogue, at: c.now)
        guard let refusal = OrderRules.precheck(facts, currency: query.currency, total: query.totalAmount, at: c.now) else {
            try RenewalOrders.move(c.db, order.reference, to: .prechecked, from: [.created, .invoiced], at: c.now)
            return nil
        }
        switch refusal {
        case .expired:
            try RenewalOrders.move(c.db, order.reference, to: .expired, from: [.created, .invoiced, .prechecked], reason: "expired", at: c.now)
            return Reply(html: c.t(.paymentExpiredChat, ["reference": order.reference]), buttons: c.mainMenu())
        case .lineUnavailable, .priceChanged:
            try RenewalOrders.move(c.db, order.reference, to: .refused, from: [.created, .invoiced, .prechecked], reason: refusal.rawValue, at: c.now)
            return nil
        case .alreadyPaid, .unknownOrder, .closed:
            return nil
        }
    }

    /// A payment Telegram confirmed, in the update's own transaction: recorded by its charge
    /// (a duplicate changes nothing), then the renewal applied once with both charge ids in its
    /// ledger row, or the operators asked to refund.
    func applyPayment(_ payment: Inbound.SuccessfulPayment) throws -> Reply? {
        let c = context
        let order = try RenewalOrders.order(c.db, reference: payment.payload)
        let chargeSeen = try RenewalOrders.order(c.db, charge: payment.telegramChargeID) != nil
        let facts = try order.map { try Payments.facts(c.db, $0, catalogue: c.catalogue, at: c.now) }
        let amount = payment.currency == Payments.stars ? "\(payment.totalAmount) ⭐" : Money(minorUnits: payment.totalAmount, currency: payment.currency).display
        let charges = "telegram_payment_charge_id=\(payment.telegramChargeID), provider_payment_charge_id=\(payment.providerChargeID)"
        switch OrderRules.afterPayment(facts, chargeSeen: chargeSeen) {
        case .duplicate:
            return Reply(html: "", silent: true)
        case .apply:
            guard let order, try RenewalOrders.recordCharge(c.db, order.reference, telegram: payment.telegramChargeID, provider: payment.providerChargeID, at: c.now)
            else { return Reply(html: "", silent: true) }
            do {
                let receipt = try c.lines.renew(order.number, order.choice, reference: order.reference, by: .chat(order.chatID), paymentNote: "paid in Telegram \(amount): \(charges)")
                try RenewalOrders.move(c.db, order.reference, to: .applied, from: [.paid], at: c.now)
                c.notifyOperators(.paymentOperatorPaid, ["number": order.number.maskedForDisplay, "amount": amount, "reference": order.reference, "expires": receipt.newExpiry.description])
                return Reply(
                    html: c.replies.text(.renewConfirmed, order.language, ["number": receipt.number.maskedForDisplay, "expires": receipt.newExpiry.description, "reference": order.reference]))
            } catch let error as LineError {
                return try refundNeeded(order, amount: amount, why: "\(error)")
            }
        case .refund(let why):
            guard let order else {
                c.notifyOperators(.paymentOperatorUnknown, ["reference": payment.payload, "amount": amount, "charge": payment.telegramChargeID])
                return Reply(html: "", silent: true)
            }
            // A second charge for an order that has one is not the order's: it is named, to be refunded by hand.
            let recorded = try RenewalOrders.recordCharge(c.db, order.reference, telegram: payment.telegramChargeID, provider: payment.providerChargeID, at: c.now)
            return try refundNeeded(order, amount: amount, why: recorded ? why.rawValue : "\(why.rawValue); another charge: \(charges)")
        }
    }

    /// Money was taken for a renewal that cannot be given: the operators get a one-tap refund
    /// button, the customer is told a refund is coming.
    private func refundNeeded(_ order: RenewalOrders.Order, amount: String, why: String) throws -> Reply {
        let c = context
        try c.db.execute("UPDATE renewal_orders SET reason = ? WHERE reference = ?", "needs refund: " + why, order.reference)
        if let chat = c.settings.operatorChatID {
            c.notices.append(
                OutboundMessage(
                    chatID: chat,
                    html: c.replies.text(
                        .paymentOperatorRefundNeeded, c.settings.defaultLanguage, ["reference": order.reference, "amount": amount, "number": order.number.maskedForDisplay, "why": why]),
                    buttons: [[OutboundButton(c.replies.label(.paymentRefundButton, c.settings.defaultLanguage, ["reference": order.reference]), .refundOrder(reference: order.reference))]]))
        }
        return Reply(html: c.replies.text(.paymentCustomerRefundPending, order.language, ["reference": order.reference, "number": order.number.maskedForDisplay]))
    }

    /// An operator's tap on "refund": Stars go back through Telegram (the sender records the
    /// refund when Telegram confirms it); a provider's payment is recorded as refunded, with
    /// what to do at the provider.
    func refund(_ reference: String) throws -> Reply {
        let c = context
        guard let order = try RenewalOrders.order(c.db, reference: reference), let charge = order.telegramChargeID else {
            return Reply(html: c.t(.paymentRefundUnknown, ["reference": reference]), editsPressedMessage: true)
        }
        guard order.state == .paid || order.state == .applied else {
            return Reply(html: c.t(.paymentRefundDone, ["reference": reference, "how": order.state.rawValue]), editsPressedMessage: true)
        }
        let reason = "refund requested by \(c.author)"
        if order.invoiceCurrency == Payments.stars {
            c.ticketOutputs.append(
                .refundStars(StarRefund(userID: order.userID ?? order.chatID, chargeID: charge, reference: reference, reason: reason, operatorChat: c.chat)))
            return Reply(html: c.t(.paymentRefundStarted, ["reference": reference]), editsPressedMessage: true)
        }
        try Payments.recordRefund(c.db, order, reason: reason, how: "to be refunded at the provider", by: .operator(c.author), catalogue: c.catalogue, replies: c.replies, at: c.now)
        return Reply(html: c.t(.paymentRefundAtProvider, ["reference": reference, "charge": order.providerChargeID ?? "-"]), editsPressedMessage: true)
    }
}

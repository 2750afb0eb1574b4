public import BaohaoCore
import Storage
import BaohaoSupport

/// What the sender needs for payments: the provider's token (added to each invoice as it
/// goes, never stored in the outbox) and the catalogue (a refund's ledger row).
public struct PaymentContext: Sendable {
    let providerToken: PaymentToken?
    let catalogue: CarrierCatalogue

    public init(providerToken: PaymentToken?, catalogue: CarrierCatalogue) {
        self.providerToken = providerToken
        self.catalogue = catalogue
    }
}

/// Delivering payment items: invoices, and Stars refunds.
extension OutboxSender {
    static func isPaymentItem(_ item: Outbox.Item) -> Bool {
        switch item.outbound {
        case .invoice, .refundStars: true
        default: false
        }
    }

    /// Sends an invoice (with the provider's token, or none for Stars) or refunds Stars.
    nonisolated(nonsending) static func deliverPaymentItem(_ item: Outbox.Item, api: BotAPI, payments: PaymentContext?) async -> SenderState.Attempt {
        do {
            switch item.outbound {
            case .invoice(let invoice):
                let token = invoice.currency == Payments.stars ? "" : payments?.providerToken?.secret ?? ""
                let id = try await api.sendInvoice(
                    chatID: invoice.chatID, title: invoice.title, description: invoice.description, payload: invoice.reference, providerToken: token,
                    currency: invoice.currency, prices: [(invoice.label, invoice.amount)])
                var attempt = SenderState.Attempt(item, .success(()))
                attempt.posted = [id]
                return attempt
            case .refundStars(let refund):
                try await api.refundStarPayment(userID: refund.userID, chargeID: refund.chargeID)
                return SenderState.Attempt(item, .success(()))
            default:
                return SenderState.Attempt(item, .failure(.malformedResponse("not a payment item")))
            }
        } catch {
            return SenderState.Attempt(item, .failure(error as? BotAPIError ?? .malformedResponse("\(error)")))
        }
    }

    /// A payment item's aftermath, in the round's transaction: the order invoiced (or refused,
    /// with the payment link instead), a Stars refund recorded (or its failure reported).
    static func recordPaymentAttempt(
        _ attempt: SenderState.Attempt, outcome: DeliveryOutcome, notices: DeliveryNotices?, payments: PaymentContext?, db: any Connection, at now: Instant
    ) throws {
        guard let notices else { return }
        switch attempt.item.outbound {
        case .invoice(let invoice):
            switch outcome {
            case .delivered:
                if let id = attempt.posted.first { try RenewalOrders.markInvoiced(db, invoice.reference, messageID: id, at: now) }
            case .dead(let reason), .chatInactive(let reason):
                try RenewalOrders.move(db, invoice.reference, to: .refused, from: [.created], reason: "invoice not sent: " + reason, at: now)
            default: break
            }
        case .refundStars(let refund):
            switch outcome {
            case .delivered:
                guard let payments, let order = try RenewalOrders.order(db, reference: refund.reference) else { return }
                try Payments.recordRefund(
                    db, order, reason: refund.reason, how: "Stars refunded through Telegram", by: .system("payments"), catalogue: payments.catalogue,
                    replies: notices.replies, at: now)
                try Outbox.enqueue(
                    db, OutboundMessage(chatID: refund.operatorChat, html: notices.replies.text(.paymentRefundedOperator, notices.defaultLanguage, ["reference": refund.reference])),
                    at: now)
            case .dead(let reason), .chatInactive(let reason):
                try Outbox.enqueue(
                    db,
                    OutboundMessage(
                        chatID: refund.operatorChat,
                        html: notices.replies.text(.paymentRefundFailed, notices.defaultLanguage, ["reference": refund.reference, "reason": reason])),
                    at: now)
            default: break
            }
        default: return
        }
    }
}

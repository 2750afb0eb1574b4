import Understanding
import BaohaoSupport

/// Renewing a line: its channels, payment methods and priced options, and an order for the
/// option the customer picks.
extension LineDialogue {
    func renewal(_ line: LineView) throws -> Reply {
        let c = context
        guard let carrier = c.catalogue.carrier(line.carrier) else { return Reply(html: c.card(line)) }
        if line.status.isTerminal || line.status == .portingOut {
            return Reply(html: c.t(.renewTerminal, ["number": line.number.maskedForDisplay, "status": c.statusText(line)]))
        }
        let channels = carrier.topUpChannels.map { channel -> String in
            let kind = c.label(ReplyKey(rawValue: "channel.\(channel.kind.rawValue)") ?? .channelWeb)
            if let url = channel.url { return "<a href=\"\(HTML.escape(url))\">\(HTML.escape(kind))</a>" }
            return HTML.escape(kind)
        }
        var parts = [
            c.t(.renewIntro, ["number": line.number.maskedForDisplay, "carrier": c.carrierName(line.carrier), "expires": line.expiresOn.description]),
            c.t(.renewChannels, ["channels": c.listed(channels)], html: ["channels"]),
            c.t(.renewMethods, ["methods": c.paymentMethodNames(carrier)]),
            c.t(.renewActivation, ["text": carrier.activationText.text(for: c.language.rawValue)]),
        ]
        let quotes = try c.lines.quote(line.number, visibleTo: c.me)
        let buttons = quotes.prefix(6).map { [c.replies.renewalButton($0, number: line.number, c.language)] }
        if !buttons.isEmpty { parts.append(c.t(.renewOptions)) }
        return Reply(html: parts.joined(separator: "\n"), buttons: buttons)
    }

    /// A renewal order for an option button: a reference, the amount and the payment link.
    func order(number: PhoneNumber, pick: ButtonPayload.RenewalPick) throws -> Reply {
        let c = context
        guard let line = try? c.lines.line(number, visibleTo: c.me) else { return Reply(html: c.t(.balanceNotYours)) }
        let choice: RenewalChoice =
            switch pick {
            case .option(let id): .option(id)
            case .amount(let minor): .amount(Money(minorUnits: minor, currency: line.currency))
            }
        guard let quote = try c.lines.quote(number, visibleTo: c.me).first(where: { $0.choice == choice }) else { return try renewal(line) }
        var reference = "R\(c.inbound.messageID)-\(String(UInt64(bitPattern: c.chat) % 1_000_000_007, radix: 36))-\(Self.tag(choice))"
        // The same button pressed again after its order ended (expired, refused, paid): a new order.
        var attempt = 1
        while let existing = try RenewalOrders.order(c.db, reference: reference), !existing.state.isPayable || existing.expiresAt.map({ c.now >= $0 }) == true {
            attempt += 1
            reference = "R\(c.inbound.messageID)-\(String(UInt64(bitPattern: c.chat) % 1_000_000_007, radix: 36))-\(Self.tag(choice))-\(attempt)"
        }
        if let invoice = try PaymentDesk(context: c).invoice(line: line, quote: quote, reference: reference) { return invoice }
        try RenewalOrders.create(c.db, reference: reference, chat: c.chat, number: number, choice: choice, price: quote.price, language: c.language, at: c.now)
        let link = c.settings.paymentLinkTemplate.replacingAll("{ref}", with: reference)
        return Reply(html: c.t(.renewOrder, ["reference": reference, "amount": quote.price.display, "link": link, "number": number.maskedForDisplay]))
    }

    static func tag(_ choice: RenewalChoice) -> String {
        switch choice {
        case .option(let id): id
        case .amount(let money): "A\(money.minorUnits)"
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        // The template is short and `target` (a placeholder) plain: split and join.
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

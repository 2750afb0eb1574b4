import Storage
import Understanding
import BaohaoSupport

/// The card a ticket's topic opens with: its state and owner, who the customer is, their
/// lines, their last messages with what the bot answered, and the classifier's guess.
extension SupportDesk {
    /// The first line: ticket, state, owner (rebuilt when they change).
    func cardHeader(_ ticket: Ticket) -> String {
        let state: ReplyKey =
            switch ticket.lifecycle.state {
            case .open: .ticketStateOpen
            case .waiting: .ticketStateWaiting
            case .closed: .ticketStateClosed
            }
        let owner = ticket.lifecycle.ownerName.map(HTML.escape) ?? "—"
        return op(.ticketCardHeader, ["ticket": ticket.reference, "state": context.replies.label(state, operatorsLanguage), "owner": owner], html: ["owner"])
    }

    /// Everything below the first line, as it stood when the ticket opened.
    func cardBody(_ ticket: Ticket, lines: [LineView]) throws -> String {
        let c = context, language = operatorsLanguage
        var parts: [String] = []
        let username = ticket.customerUsername.map { "@" + $0 } ?? ""
        parts.append(
            op(.ticketCardCustomer, [
                "name": HTML.escape(ticket.customerName.isEmpty ? "—" : ticket.customerName), "username": HTML.escape(username), "chat": String(ticket.chatID),
                "language": TurnContext.languageName(c.language),
            ], html: ["name", "username"]))
        if lines.isEmpty {
            parts.append(op(.ticketCardNoLines))
        } else {
            for line in lines.prefix(5) {
                let status = c.replies.label(TurnContext.statusKey(line.status), language)
                parts.append(
                    op(.ticketCardLine, [
                        "number": line.number.maskedForDisplay, "carrier": c.catalogue.carrier(line.carrier)?.names.text(for: language.rawValue) ?? line.carrier,
                        "status": status, "expires": line.expiresOn.description, "balance": line.balance.display,
                    ]))
            }
        }
        let recent = try RecentMessages.recent(c.db, chat: ticket.chatID).suffix(5)
        if !recent.isEmpty {
            parts.append(op(.ticketCardMessages))
            for message in recent {
                let said = "• " + HTML.escape(String(message.text.prefix(200)))
                parts.append(said + (message.answer.map { " → 🤖 " + HTML.escape(String($0.prefix(120))) } ?? ""))
            }
        }
        if let last = recent.last(where: { !$0.media && !$0.text.hasPrefix("/") }) {
            let decision = c.knowledge.classifier.classify(last.text)
            if let best = decision.candidates.first {
                parts.append(op(.ticketCardGuess, ["label": HTML.escape(best.label), "confidence": String(Int((best.score * 100).rounded()))]))
            }
        }
        parts.append(op(.ticketCardHelp))
        return parts.joined(separator: "\n")
    }

    /// Rebuilds the card's first line; the card message is edited when it was posted already.
    func refreshCard(_ ticket: inout Ticket) {
        let body = ticket.cardHTML.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
        let card = cardHeader(ticket) + "\n" + body
        guard card != ticket.cardHTML else { return }
        ticket.cardHTML = card
        if let chat = operatorChat, let message = ticket.cardMessageID {
            context.ticketOutputs.append(.edit(messageID: message, OutboundMessage(chatID: chat, html: card)))
        }
    }
}

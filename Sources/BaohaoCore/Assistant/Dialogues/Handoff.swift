import Understanding

/// Hand-off to a person: a ticket with the customer's last messages for the operators,
/// later messages forwarded while it is open, and the operators' `/reply` and `/close`.
struct Handoff {
    let context: TurnContext

    func humanAgent() throws -> Reply {
        let c = context
        if let open = try Tickets.open(c.db, chat: c.chat) {
            return Reply(html: c.t(.agentAlready, ["ticket": Tickets.reference(open)]))
        }
        let id = try Tickets.create(c.db, chat: c.chat, user: c.inbound.userID, at: c.now)
        let reference = Tickets.reference(id)
        let recent = try RecentMessages.texts(c.db, chat: c.chat).suffix(5).map { "• " + HTML.escape(String($0.prefix(300))) }.joined(separator: "\n")
        c.notifyOperators(.operatorTicket, ["ticket": reference, "chat": String(c.chat), "messages": recent], html: ["messages"])
        return Reply(html: c.t(.agentOpened, ["ticket": reference]))
    }

    /// A customer's text while their ticket is open also goes to the operators.
    func forwardToOpenTicket(_ text: String, label: String) throws {
        let c = context
        guard label != ActionIntent.humanAgent.rawValue, let ticket = try Tickets.open(c.db, chat: c.chat) else { return }
        c.notifyOperators(.agentForwarded, ["ticket": Tickets.reference(ticket), "chat": String(c.chat), "text": String(text.prefix(500))])
    }

    /// An operator's `/reply TICKET text` or `/close TICKET`.
    func operatorReply(ticket reference: String, text: String?) throws -> Reply {
        let c = context
        guard let id = Tickets.id(reference), let customer = try Tickets.chat(c.db, id: id) else {
            return Reply(html: c.t(.operatorUnknownTicket, ["ticket": reference]))
        }
        let ticket = Tickets.reference(id)
        let customerLanguage = try Conversation.load(c.db, chat: customer).language ?? c.settings.defaultLanguage
        guard let text else {
            try Tickets.close(c.db, id: id, at: c.now)
            c.notices.append(OutboundMessage(chatID: customer, html: c.replies.text(.agentClosed, customerLanguage, ["ticket": ticket])))
            return Reply(html: c.t(.operatorClosed, ["ticket": ticket]))
        }
        guard !text.isEmpty else { return Reply(html: c.t(.operatorUnknownTicket, ["ticket": reference])) }
        c.notices.append(OutboundMessage(chatID: customer, html: c.replies.text(.agentReply, customerLanguage, ["ticket": ticket, "text": text])))
        return Reply(html: c.t(.operatorReplySent, ["ticket": ticket]))
    }
}

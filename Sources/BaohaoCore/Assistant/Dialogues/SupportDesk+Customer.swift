import Storage
import Understanding
import BaohaoSupport

/// The customer's side of a ticket: asking for a person, and everything they send while a
/// person has the conversation.
extension SupportDesk {
    /// "A person, please": a new ticket (its card and the pictures just sent go to the
    /// operators), the closed one brought back, or the open one named again.
    func humanAgent() throws -> Reply {
        let c = context
        if let latest = try Tickets.latest(c.db, chat: c.chat) {
            var ticket = latest
            if ticket.lifecycle.state != .closed { return Reply(html: c.t(.agentAlready, ["ticket": ticket.reference])) }
            if ticket.lifecycle.takesCustomerMessages(at: c.now, reopenWithinSeconds: reopenWithinSeconds) {
                let effects = ticket.lifecycle.apply(.customerWrote, at: c.now)
                post(ticket, op(.ticketReopened, ["ticket": ticket.reference]))
                try settle(&ticket, effects)
                return Reply(html: c.t(.agentOpened, ["ticket": ticket.reference]))
            }
        }
        let lines = try c.chatLinesForAnswers()
        let name = c.inbound.firstName.map { String($0.prefix(64)) } ?? ""
        var ticket = try Tickets.create(c.db, chat: c.chat, user: c.inbound.userID, name: name, username: c.inbound.username, at: c.now)
        let line = lines.first.map { " · " + $0.number.maskedForDisplay } ?? ""
        ticket.topicName = String((ticket.reference + (name.isEmpty ? "" : " · " + name) + line).prefix(128))
        ticket.cardHTML = cardHeader(ticket) + "\n" + (try cardBody(ticket, lines: lines))
        try Tickets.save(c.db, ticket)
        if let chat = operatorChat {
            c.ticketOutputs.append(.send(OutboundMessage(chatID: chat, html: ticket.cardHTML, ticket: TicketLink(ticket: ticket.id, isCard: true))))
            // The screenshot the customer just sent is what the person needs to see.
            let since = c.now.adding(seconds: -Self.mediaTakenAlongSeconds)
            let media = try RecentMessages.recent(c.db, chat: c.chat).filter { $0.media && ($0.at.map { $0 >= since } ?? false) }.map(\.messageID)
            if !media.isEmpty {
                c.ticketOutputs.append(.copy(MessageCopy(ticket: ticket.id, direction: .toOperators, fromChat: c.chat, messageIDs: Array(media.suffix(10)), toChat: chat)))
            }
        }
        return Reply(html: c.t(.agentOpened, ["ticket": ticket.reference]))
    }

    var reopenWithinSeconds: Int64 { Int64(context.settings.tickets.reopenWithinHours) * 3600 }

    /// A customer's message while a person has the conversation (the ticket is open or
    /// waiting, or was closed a little while ago): copied into the ticket's topic, an edit
    /// shown as one. Returns what the customer is told (silence, unless the ticket came
    /// back or they asked for a person again), or nil when no person has the conversation.
    func relayFromCustomer(text: String?, asksForAPerson: Bool) throws -> Reply? {
        let c = context
        guard let chat = operatorChat, !c.inbound.isGroup, let latest = try Tickets.latest(c.db, chat: c.chat),
            latest.lifecycle.takesCustomerMessages(at: c.now, reopenWithinSeconds: reopenWithinSeconds)
        else { return nil }
        var ticket = latest
        let wasClosed = ticket.lifecycle.state == .closed
        let effects = ticket.lifecycle.apply(.customerWrote, at: c.now)
        if wasClosed { post(ticket, op(.ticketReopened, ["ticket": ticket.reference])) }
        let inbound = c.inbound
        if inbound.isEdit {
            let copy = try TicketMessages.operatorCounterpart(c.db, ticket: ticket.id, customer: inbound.messageID)
            post(ticket, op(.ticketEdited, ["text": HTML.escape(String((text ?? "").prefix(1000)))], html: ["text"]), replyTo: copy, counterpart: inbound.messageID)
        } else if inbound.albumMessageIDs.isEmpty || inbound.albumMessageIDs.first == inbound.messageID {
            let ids = inbound.albumMessageIDs.isEmpty ? [inbound.messageID] : inbound.albumMessageIDs
            let quote = try inbound.replyToMessageID.flatMap { try TicketMessages.operatorCounterpart(c.db, ticket: ticket.id, customer: $0) }
            c.ticketOutputs.append(
                .copy(
                    MessageCopy(
                        ticket: ticket.id, direction: .toOperators, fromChat: c.chat, messageIDs: ids, toChat: chat, replyTo: quote, reaction: Self.customerReceipt,
                        quoting: quote == nil ? inbound.replyToMessageID : nil)))
        }
        try settle(&ticket, effects)
        if wasClosed { return Reply(html: c.t(.agentReopened, ["ticket": ticket.reference])) }
        if asksForAPerson { return Reply(html: c.t(.agentAlready, ["ticket": ticket.reference])) }
        return Reply(html: "", silent: true)
    }

    /// The customer blocked the bot (or allowed it again): the operators learn it in the topic.
    func membershipChanged(active: Bool) throws {
        let c = context
        if active {
            try Outbox.noteChatActive(c.db, chat: c.chat)
        } else {
            try Outbox.markChatInactive(c.db, chat: c.chat, reason: "the user blocked the bot", at: c.now)
        }
        guard let ticket = try Tickets.latest(c.db, chat: c.chat), ticket.lifecycle.state != .closed else { return }
        post(ticket, op(active ? .ticketCustomerBack : .ticketCustomerBlocked, ["ticket": ticket.reference]))
    }
}

import Storage
import Understanding
import BaohaoSupport

/// The operators' side of a ticket: what they write in its topic reaches the customer (`!`
/// starts a note that stays), and the ticket commands: `/close`, `/assign`, `/c NAME`,
/// `/canned`, `/ban`, `/unban`, `/reply`.
extension SupportDesk {
    /// A message in the operators' chat. Returns nil when it is not a ticket matter (then the
    /// console handles it as before); otherwise what the operator is told (usually nothing:
    /// the bot's answers about a ticket are posted in its topic).
    func operatorMessage(command: ChatCommand?, text: String?) throws -> Reply? {
        let c = context
        if let command {
            switch command {
            case .close(let reference): return try close(reference)
            case .assign: return try assign()
            case .cannedSend(let name): return try sendCanned(name)
            case .canned(let words): return try canned(words)
            case .ban(let target): return try ban(target, banned: true)
            case .unban(let target): return try ban(target, banned: false)
            case .reply(let reference, let words):
                // `/reply T000042 text`, or `/reply text` in a ticket's topic or in reply to one of its posts.
                if let id = Tickets.id(reference), let ticket = try Tickets.load(c.db, id: id), !words.isEmpty {
                    return try answer(ticket, html: HTML.escape(words))
                }
                let all = words.isEmpty ? reference : reference + " " + words
                guard let ticket = try ticketInOperatorsChat(), !all.isEmpty else { return Reply(html: c.t(.operatorUnknownTicket, ["ticket": reference])) }
                return try answer(ticket, html: HTML.escape(all))
            default: return nil
            }
        }
        guard let ticket = try ticketInOperatorsChat() else { return nil }
        // `!` starts a note for the other operators: it stays in the topic.
        if let text, text.hasPrefix("!") || text.hasPrefix("！") { return Reply(html: "", silent: true) }
        if c.inbound.isEdit {
            guard let copy = try TicketMessages.customerCounterpart(c.db, ticket: ticket.id, operator: c.inbound.messageID), let text else {
                return Reply(html: "", silent: true)
            }
            c.ticketOutputs.append(.edit(messageID: copy, OutboundMessage(chatID: ticket.chatID, html: HTML.escape(text))))
            return Reply(html: "", silent: true)
        }
        // The rest of an album went with its first picture.
        guard c.inbound.albumMessageIDs.isEmpty || c.inbound.albumMessageIDs.first == c.inbound.messageID else { return Reply(html: "", silent: true) }
        return try relayToCustomer(ticket)
    }

    /// Copies the operator's message (an album as one) to the customer, quoting across.
    private func relayToCustomer(_ ticket: Ticket) throws -> Reply {
        let c = context
        guard let chat = operatorChat else { return Reply(html: "", silent: true) }
        if try ChatBans.isBanned(c.db, chat: ticket.chatID) {
            post(ticket, op(.ticketBannedNotSent, ["chat": String(ticket.chatID)]), replyTo: c.inbound.messageID)
            return Reply(html: "", silent: true)
        }
        let ids = c.inbound.albumMessageIDs.isEmpty ? [c.inbound.messageID] : c.inbound.albumMessageIDs
        let quote = try c.inbound.replyToMessageID.flatMap { try TicketMessages.customerCounterpart(c.db, ticket: ticket.id, operator: $0) }
        c.ticketOutputs.append(
            .copy(
                MessageCopy(
                    ticket: ticket.id, direction: .toCustomer, fromChat: chat, messageIDs: ids, toChat: ticket.chatID, replyTo: quote, reaction: Self.operatorReceipt,
                    quoting: quote == nil ? try unmappedReply() : nil)))
        var ticket = ticket
        try settle(&ticket, ticket.lifecycle.apply(.operatorAnswered(id: c.inbound.userID, name: operatorName), at: c.now))
        return Reply(html: "", silent: true)
    }

    /// The message the operator replied to, when the map knows nothing of it yet (its
    /// counterpart may be recorded by the time the copy goes): nil for the bot's own posts.
    private func unmappedReply() throws -> Int64? {
        guard let replied = context.inbound.replyToMessageID, try TicketMessages.byOperatorMessage(context.db, replied) == nil else { return nil }
        return replied
    }

    /// A text from the operators to the customer (`/reply`, `/c`), shown in the topic as sent.
    private func answer(_ ticket: Ticket, html: String) throws -> Reply {
        let c = context
        if try ChatBans.isBanned(c.db, chat: ticket.chatID) {
            post(ticket, op(.ticketBannedNotSent, ["chat": String(ticket.chatID)]), replyTo: c.inbound.messageID)
            return Reply(html: "", silent: true)
        }
        c.ticketOutputs.append(.send(OutboundMessage(chatID: ticket.chatID, html: html, ticket: TicketLink(ticket: ticket.id, counterpart: c.inbound.messageID))))
        post(ticket, op(.ticketSent, ["text": html], html: ["text"]), replyTo: c.inbound.messageID)
        var ticket = ticket
        try settle(&ticket, ticket.lifecycle.apply(.operatorAnswered(id: c.inbound.userID, name: operatorName), at: c.now))
        return Reply(html: "", silent: true)
    }

    var operatorName: String { context.inbound.firstName ?? context.inbound.username ?? String(context.inbound.userID) }

    /// Where a ticket command's answer goes: its topic when there is a ticket, else the chat.
    private func respond(_ ticket: Ticket?, _ html: String) -> Reply {
        guard let ticket else { return Reply(html: html) }
        post(ticket, html, replyTo: context.inbound.messageID)
        return Reply(html: "", silent: true)
    }

    // MARK: - Commands

    private func close(_ reference: String) throws -> Reply {
        let c = context
        guard var ticket = try ticket(named: reference) else {
            return Reply(html: reference.isEmpty ? op(.ticketCommandNeedsTopic) : c.t(.operatorUnknownTicket, ["ticket": reference]))
        }
        guard ticket.lifecycle.state != .closed else { return respond(ticket, op(.operatorClosed, ["ticket": ticket.reference])) }
        let effects = ticket.lifecycle.apply(.closed, at: c.now)
        // Said in the topic before it closes, and to the customer.
        post(ticket, op(.ticketClosedBy, ["ticket": ticket.reference, "operator": HTML.escape(operatorName)]), replyTo: c.inbound.messageID)
        if !(try ChatBans.isBanned(c.db, chat: ticket.chatID)) { try tellCustomer(ticket, .agentClosed, ["ticket": ticket.reference]) }
        try settle(&ticket, effects)
        return Reply(html: "", silent: true)
    }

    private func assign() throws -> Reply {
        let c = context
        guard var ticket = try ticketInOperatorsChat() else { return Reply(html: op(.ticketCommandNeedsTopic)) }
        try settle(&ticket, ticket.lifecycle.apply(.assigned(id: c.inbound.userID, name: operatorName), at: c.now))
        return respond(ticket, op(.ticketAssigned, ["ticket": ticket.reference, "operator": HTML.escape(operatorName)]))
    }

    private func sendCanned(_ raw: String) throws -> Reply {
        let c = context
        guard let ticket = try ticketInOperatorsChat() else { return Reply(html: op(.ticketCommandNeedsTopic)) }
        guard let name = CannedReplies.normalizedName(raw), let text = try CannedReplies.text(c.db, name: name) else {
            return respond(ticket, op(.cannedUnknown, ["name": HTML.escape(raw), "names": try cannedNames()]))
        }
        let line = try c.lines.lines(visibleTo: .chat(ticket.chatID)).first?.number.maskedForDisplay ?? "—"
        let filled = CannedReplies.fill(text, name: ticket.customerName.isEmpty ? "—" : ticket.customerName, line: line)
        return try answer(ticket, html: HTML.escape(filled))
    }

    private func cannedNames() throws -> String {
        let names = try CannedReplies.all(context.db).map(\.name)
        return names.isEmpty ? "—" : names.map(HTML.escape).joined(separator: ", ")
    }

    /// `/canned` lists, `/canned add NAME` (in reply to the message to keep), `/canned remove NAME`.
    private func canned(_ words: String) throws -> Reply {
        let c = context
        let parts = words.split(separator: " ", maxSplits: 1).map(String.init)
        let ticket = try ticketInOperatorsChat()
        switch (parts.first?.lowercased(), parts.count > 1 ? parts[1].trimmingWhitespace : nil) {
        case ("add", let raw?):
            guard let name = CannedReplies.normalizedName(raw) else { return respond(ticket, op(.cannedBadName, ["name": HTML.escape(raw)])) }
            guard let text = c.inbound.replyToText?.trimmingWhitespace, !text.isEmpty else { return respond(ticket, op(.cannedUsage)) }
            try CannedReplies.save(c.db, name: name, text: String(text.prefix(3000)), author: c.author, at: c.now)
            return respond(ticket, op(.cannedSaved, ["name": HTML.escape(name)]))
        case ("remove", let raw?):
            guard let name = CannedReplies.normalizedName(raw), try CannedReplies.remove(c.db, name: name) else {
                return respond(ticket, op(.cannedUnknown, ["name": HTML.escape(raw), "names": try cannedNames()]))
            }
            return respond(ticket, op(.cannedRemoved, ["name": HTML.escape(name)]))
        case (nil, _), ("list", _):
            let all = try CannedReplies.all(c.db)
            guard !all.isEmpty else { return respond(ticket, op(.cannedUsage)) }
            let list = all.map { "• <code>/c \(HTML.escape($0.name))</code> " + HTML.escape(String($0.text.prefix(80))) }.joined(separator: "\n")
            return respond(ticket, op(.cannedList, ["list": list], html: ["list"]))
        default:
            return respond(ticket, op(.cannedUsage))
        }
    }

    /// `/ban` (in a ticket's topic, or `/ban CHAT`) and `/unban`.
    private func ban(_ target: String, banned: Bool) throws -> Reply {
        let c = context
        let ticket = try ticketInOperatorsChat()
        guard let chat = Int64(target) ?? (target.isEmpty ? ticket?.chatID : nil), chat != operatorChat else {
            return Reply(html: op(.ticketCommandNeedsTopic))
        }
        if banned {
            try ChatBans.ban(c.db, chat: chat, author: c.author, at: c.now)
            // The ticket ends with the ban (the customer is not told).
            if var open = try Tickets.latest(c.db, chat: chat), open.lifecycle.state != .closed {
                try settle(&open, open.lifecycle.apply(.closed, at: c.now))
            }
            return respond(ticket, op(.ticketBanned, ["chat": String(chat)]))
        }
        let was = try ChatBans.unban(c.db, chat: chat)
        return respond(ticket, op(was ? .ticketUnbanned : .ticketNotBanned, ["chat": String(chat)]))
    }
}

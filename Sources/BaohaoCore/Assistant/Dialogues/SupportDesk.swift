import Storage
import Understanding
import BaohaoSupport

/// Hand-off to a person, both sides of it. A ticket lives in the operators' chat as a forum
/// topic (or, in a chat without topics, as a thread of replies to the bot's posts): it opens
/// with a card, the customer's messages are copied in, and what an operator writes there is
/// copied to the customer. While a ticket is open the bot leaves the customer to the person.
struct SupportDesk {
    let context: TurnContext

    /// The receipts set on relayed messages: the customer's seen by the desk, the operator's delivered.
    static let customerReceipt = "👀", operatorReceipt = "👌"
    /// Pictures and files sent this long before a ticket opens go to the operators with it.
    static let mediaTakenAlongSeconds: Int64 = 30 * 60

    var operatorChat: Int64? { context.settings.operatorChatID }
    var operatorsLanguage: Language { context.settings.defaultLanguage }

    /// A text for the operators, in their language.
    func op(_ key: ReplyKey, _ values: [String: String] = [:], html: Set<String> = []) -> String {
        context.replies.text(key, operatorsLanguage, values, html: html)
    }

    // MARK: - Posting

    /// A post in the ticket's topic (the operators' chat itself when it has no topics).
    func post(_ ticket: Ticket, _ html: String, replyTo: Int64? = nil, counterpart: Int64? = nil) {
        guard let chat = operatorChat else { return }
        context.ticketOutputs.append(.send(OutboundMessage(chatID: chat, html: html, ticket: TicketLink(ticket: ticket.id, counterpart: counterpart, replyTo: replyTo))))
    }

    /// A message to the ticket's customer, in their language; a failure is reported in the topic.
    func tellCustomer(_ ticket: Ticket, _ key: ReplyKey, _ values: [String: String] = [:], counterpart: Int64? = nil) throws {
        let language = try Conversation.load(context.db, chat: ticket.chatID).language ?? context.settings.defaultLanguage
        let html = ticket.chatID == context.chat ? context.t(key, values) : context.replies.text(key, language, values)
        context.ticketOutputs.append(.send(OutboundMessage(chatID: ticket.chatID, html: html, ticket: TicketLink(ticket: ticket.id, counterpart: counterpart))))
    }

    /// Stores the ticket and carries out what its event means around it.
    func settle(_ ticket: inout Ticket, _ effects: [TicketLifecycle.Effect]) throws {
        if effects.contains(.refreshCard) { refreshCard(&ticket) }
        try Tickets.save(context.db, ticket)
        guard let chat = operatorChat else { return }
        if effects.contains(.reopenTopic) { context.ticketOutputs.append(.topic(TopicChange(chatID: chat, ticket: ticket.id, action: .reopen))) }
        if effects.contains(.closeTopic) { context.ticketOutputs.append(.topic(TopicChange(chatID: chat, ticket: ticket.id, action: .close))) }
    }

    // MARK: - Which ticket

    /// The ticket an operators' chat message is about: the topic it was posted in, or (in a
    /// chat without topics) the bot's post it replies to.
    func ticketInOperatorsChat() throws -> Ticket? {
        let inbound = context.inbound
        guard inbound.chatID == operatorChat else { return nil }
        if let thread = inbound.threadID, let ticket = try Tickets.byThread(context.db, thread: thread) { return ticket }
        if let replied = inbound.replyToMessageID, let (id, _) = try TicketMessages.byOperatorMessage(context.db, replied) {
            return try Tickets.load(context.db, id: id)
        }
        return nil
    }

    /// `T000042` in a command, or the ticket in context.
    func ticket(named reference: String) throws -> Ticket? {
        if !reference.isEmpty { return try Tickets.id(reference).flatMap { try Tickets.load(context.db, id: $0) } }
        return try ticketInOperatorsChat()
    }
}

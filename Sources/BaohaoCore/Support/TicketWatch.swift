public import Storage
public import BaohaoSupport

/// The response timers of open tickets: a ticket that has waited for a person longer than
/// `tickets.flag_after_minutes` is flagged in its topic, and after
/// `tickets.escalate_after_minutes` in the operators' general topic. First response (nobody
/// answered yet) and next response (the customer wrote again) are timed alike.
public struct TicketWatch: Sendable {
    let settings: AssistantSettings
    let replies: ReplyBook

    public init(settings: AssistantSettings, replies: ReplyBook) {
        self.settings = settings
        self.replies = replies
    }

    /// Queues the flags due at `now` and records them (each level once per wait), in the
    /// caller's transaction. Returns how many were queued.
    public func tick(_ db: any Connection, now: Instant) throws -> Int {
        guard let chat = settings.operatorChatID else { return 0 }
        let flagAfter = Int64(settings.tickets.flagAfterMinutes) * 60, escalateAfter = Int64(settings.tickets.escalateAfterMinutes) * 60
        let language = settings.defaultLanguage
        var queued = 0
        for var ticket in try Tickets.awaiting(db) {
            guard let flag = ticket.lifecycle.dueFlag(at: now, flagAfter: flagAfter, escalateAfter: escalateAfter) else { continue }
            let message: OutboundMessage
            switch flag {
            case .topic(let waited, let first):
                let kind = replies.label(first ? .ticketFlagFirst : .ticketFlagNext, language)
                message = OutboundMessage(
                    chatID: chat, html: replies.text(.ticketFlagTopic, language, ["kind": kind, "minutes": String(waited / 60)]), ticket: TicketLink(ticket: ticket.id))
            case .general(let waited, let first):
                let kind = replies.label(first ? .ticketFlagFirst : .ticketFlagNext, language)
                message = OutboundMessage(
                    chatID: chat,
                    html: replies.text(.ticketFlagGeneral, language, [
                        "ticket": ticket.reference, "name": ticket.customerName.isEmpty ? "—" : ticket.customerName, "kind": kind, "minutes": String(waited / 60),
                    ]))
            }
            try Outbox.enqueue(db, message, priority: .live, at: now)
            ticket.lifecycle.flagged = flag.level
            try Tickets.save(db, ticket)
            queued += 1
        }
        return queued
    }
}

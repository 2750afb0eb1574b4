import BaohaoCore
import BaohaoSupport

/// What happened to a ticket's topic while an item was delivered.
enum TopicOutcome: Sendable, Equatable {
    /// A topic was made (its thread id); `card` is the card posted to open it again after the
    /// old one was deleted.
    case made(thread: Int64, card: Int64?)
    /// The operators' chat is not a forum, or the bot may not manage its topics: the
    /// ticket's messages go to the chat itself (thread 0).
    case noTopics
    /// The topic is gone (deleted): the next message makes a new one.
    case gone
}

/// Where a ticket's items go in the operators' chat, read before a round.
struct TicketRoute: Sendable {
    var topic: TicketTopic
    /// Leads the card in a topic made again after the old one was deleted.
    let recreatedNotice: String
}

/// Delivering a ticket's traffic: posts and copies in its topic (made when missing, made
/// again when deleted, reopened when closed), copies to the customer, topic changes.
extension OutboxSender {
    /// Errors that mean the topic itself is gone.
    static func isTopicGone(_ description: String) -> Bool {
        description.contains("message thread not found") || description.contains("TOPIC_DELETED") || description.contains("TOPIC_ID_INVALID")
    }

    /// Errors that mean the chat cannot have the bot's topics.
    static func cannotHaveTopics(_ description: String) -> Bool {
        description.contains("not a forum") || description.contains("not enough rights")
    }

    /// Runs `body` with the ticket's thread (nil: the chat itself), making the topic first
    /// when it has none, making it again (with the card) when it was deleted, and reopening
    /// it when it was closed. `change` collects what happened to the topic.
    nonisolated(nonsending) static func inTopic<T>(
        _ route: inout TicketRoute, chatID: Int64, api: BotAPI, change: inout TopicOutcome?,
        _ body: nonisolated(nonsending) (Int64?) async throws -> T
    ) async throws -> T {
        func make(withCard: Bool) async throws -> Int64? {
            do {
                let thread = try await api.createForumTopic(chatID: chatID, name: route.topic.name.isEmpty ? Tickets.reference(route.topic.ticket) : route.topic.name)
                route.topic.threadID = thread
                var card: Int64?
                if withCard {
                    card = try await api.sendMessage(chatID: chatID, text: route.recreatedNotice + "\n\n" + route.topic.cardHTML, thread: thread, returningID: true)
                }
                change = .made(thread: thread, card: card)
                return thread
            } catch BotAPIError.badRequest(let d) where cannotHaveTopics(d) {
                route.topic.threadID = 0
                change = .noTopics
                return nil
            }
        }
        var thread: Int64? = route.topic.threadID
        if thread == nil { thread = try await make(withCard: false) }
        if thread == 0 { thread = nil }
        do {
            return try await body(thread)
        } catch BotAPIError.badRequest(let d) where thread != nil && isTopicGone(d) {
            change = .gone
            return try await body(try await make(withCard: true))
        } catch BotAPIError.badRequest(let d) where thread != nil && d.contains("TOPIC_CLOSED") {
            try await api.reopenForumTopic(chatID: chatID, thread: thread!)
            return try await body(thread)
        }
    }

    /// One ticket item (`route` for those that go to the operators' chat).
    nonisolated(nonsending) static func deliverTicketItem(_ item: Outbox.Item, api: BotAPI, route: TicketRoute?) async -> SenderState.Attempt {
        var route = route
        var change: TopicOutcome?
        var posted: [Int64] = []
        do {
            switch item.outbound {
            case .send(let message):
                let link = message.ticket
                let parts = MessageSplitter.split(message.html)
                func send(_ thread: Int64?) async throws -> [Int64] {
                    var ids: [Int64] = []
                    for (i, part) in parts.enumerated() {
                        let last = i == parts.count - 1
                        try await withPlainTextFallback(part) { text, isHTML in
                            ids.append(
                                try await api.sendMessage(
                                    chatID: message.chatID, text: text, html: isHTML, keyboard: last ? keyboard(message) : nil, replyTo: i == 0 ? link?.replyTo : nil,
                                    thread: thread, returningID: true))
                        }
                    }
                    return ids
                }
                if route != nil {
                    posted = try await inTopic(&route!, chatID: message.chatID, api: api, change: &change, send)
                } else {
                    posted = try await send(nil)
                }
            case .copy(let copy):
                func copyAll(_ thread: Int64?) async throws -> [Int64] {
                    try await api.copyMessages(chatID: copy.toChat, fromChat: copy.fromChat, messageIDs: copy.messageIDs, thread: thread, replyTo: copy.replyTo)
                }
                if route != nil {
                    posted = try await inTopic(&route!, chatID: copy.toChat, api: api, change: &change, copyAll)
                } else {
                    posted = try await copyAll(nil)
                }
                // The receipt on the source message; it failing changes nothing.
                if let reaction = copy.reaction {
                    try? await api.setMessageReaction(chatID: copy.fromChat, messageID: copy.messageIDs[0], emoji: reaction)
                }
            case .topic(let topicChange):
                if let thread = route?.topic.threadID, thread != 0 {
                    do {
                        switch topicChange.action {
                        case .close: try await api.closeForumTopic(chatID: topicChange.chatID, thread: thread)
                        case .reopen: try await api.reopenForumTopic(chatID: topicChange.chatID, thread: thread)
                        }
                    } catch BotAPIError.badRequest(let d) where d.contains("TOPIC_NOT_MODIFIED") {
                        // Already so.
                    } catch BotAPIError.badRequest(let d) where isTopicGone(d) {
                        change = .gone
                    } catch BotAPIError.badRequest(let d) where cannotHaveTopics(d) {
                        // Topics are there but not ours to change: nothing to do.
                    }
                }
            case .answerButton, .edit, .invoice, .refundStars:
                return SenderState.Attempt(item, .failure(.malformedResponse("not a ticket item")))
            }
            var attempt = SenderState.Attempt(item, .success(()))
            attempt.posted = posted
            attempt.topicChange = change
            return attempt
        } catch {
            var attempt = SenderState.Attempt(item, .failure(error as? BotAPIError ?? .malformedResponse("\(error)")))
            attempt.topicChange = change
            return attempt
        }
    }

    /// Whether `item` is a ticket's (delivered by `deliverTicketItem`), and the ticket whose
    /// topic it goes to when it goes to the operators' chat.
    static func ticketTarget(_ item: Outbox.Item, operatorChat: Int64?) -> (isTicketItem: Bool, topicOf: Int64?) {
        switch item.outbound {
        case .send(let m):
            guard let link = m.ticket else { return (false, nil) }
            return (true, m.chatID == operatorChat ? link.ticket : nil)
        case .copy(let c): return (true, c.direction == .toOperators ? c.ticket : nil)
        case .topic(let t): return (true, t.ticket)
        case .edit, .answerButton, .invoice, .refundStars: return (false, nil)
        }
    }
}

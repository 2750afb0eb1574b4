public import Storage
public import Understanding
public import BaohaoSupport

/// What the sender says about delivery itself: the notice that leads a reply delivered
/// late (in the customer's language, quoting the question), and the operators' notice
/// after an outage. Texts come from the reply book (`delivery.*`, `operator.outage`).
public struct DeliveryNotices: Sendable {
    /// A live reply queued longer ago than this is led by the late-reply notice.
    public static let lateAfterSeconds: Int64 = 120

    public let replies: ReplyBook
    /// The language of chats that never chose one, and of the operators' notices.
    public let defaultLanguage: Language
    /// Where outage notices go; none without an operators' chat.
    public let operatorChatID: Int64?

    public init(replies: ReplyBook, defaultLanguage: Language, operatorChatID: Int64?) {
        self.replies = replies
        self.defaultLanguage = defaultLanguage
        self.operatorChatID = operatorChatID
    }

    /// The notice leading a reply to `chat`'s message `question`, `delaySeconds` late: in
    /// the chat's language, quoting the question's text while the chat's recent messages
    /// still hold it (the notice is sent as a reply to the question in any case).
    public func lateReply(_ db: any Connection, chat: Int64, question: Int64, delaySeconds: Int64) throws -> String {
        let language = try Conversation.load(db, chat: chat).language ?? defaultLanguage
        let asked = try RecentMessages.text(db, chat: chat, messageID: question)
        let quote = asked.map { text in
            replies.text(.deliveryLateQuestion, language, ["text": text.count > 80 ? String(text.prefix(79)) + "…" : text])
        }
        return replies.text(.deliveryLate, language, ["delay": delay(delaySeconds, language), "question": quote ?? ""], html: ["delay", "question"])
    }

    /// "7 分钟", "3 hours": whole minutes below two hours, whole hours beyond.
    public func delay(_ seconds: Int64, _ language: Language) -> String {
        seconds >= 7_200
            ? replies.text(.deliveryHours, language, ["n": String(seconds / 3600)])
            : replies.text(.deliveryMinutes, language, ["n": String(max(1, seconds / 60))])
    }

    /// The operators' notice after the API was unreachable from `since` to `until`, during
    /// which `waited` messages waited and `expired` were given up; nil without an operators' chat.
    public func outage(since: Instant, until: Instant, waited: Int, expired: Int) -> OutboundMessage? {
        guard let chat = operatorChatID else { return nil }
        func minute(_ i: Instant) -> String { String(i.description.prefix(16)).replacing("T", with: " ") }
        let seconds = (until.millisecondsSinceEpoch - since.millisecondsSinceEpoch) / 1000
        let html = replies.text(
            .operatorOutage, defaultLanguage,
            ["duration": String(delay(seconds, defaultLanguage).drop(while: { $0 == " " })), "since": minute(since), "until": minute(until),
             "waited": String(waited), "expired": String(expired)],
            html: ["duration"])
        return OutboundMessage(chatID: chat, html: html)
    }

    /// Leads the card in a topic made again after the old one was deleted.
    public func topicRecreated(ticket: Int64) -> String {
        replies.text(.ticketTopicRecreated, defaultLanguage, ["ticket": Tickets.reference(ticket)])
    }

    /// Said in the ticket's topic when a message for its customer cannot be delivered (the
    /// customer blocked the bot, or Telegram refused it), replying to the operator's message.
    public func unreachable(ticket: Int64, reason: String, replyTo: Int64?) -> OutboundMessage? {
        guard let operatorChatID else { return nil }
        return OutboundMessage(
            chatID: operatorChatID, html: replies.text(.ticketUnreachable, defaultLanguage, ["reason": reason]),
            ticket: TicketLink(ticket: ticket, replyTo: replyTo))
    }
}

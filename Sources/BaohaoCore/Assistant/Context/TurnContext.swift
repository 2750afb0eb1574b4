import Storage
import Understanding
import BaohaoSupport

/// What every dialogue of one turn shares: the inbound event, its instant and connection,
/// the chat's conversation and language, the knowledge answering it, and the notices for
/// other chats that the turn produces.
///
/// A class so that the router and the dialogues it calls see one conversation: a turn
/// runs on one thread inside one transaction and is never shared beyond it.
final class TurnContext {
    let inbound: Inbound
    let now: Instant
    let db: any Connection
    let knowledge: AssistantKnowledge
    let lines: LineSession
    unowned let assistant: Assistant
    var conversation: Conversation
    var language: Language
    /// Messages for other chats (operators, a ticket's customer).
    var notices: [OutboundMessage] = []
    /// A ticket's traffic, in order: its card and posts, copies both ways, topic changes, card edits.
    var ticketOutputs: [Outbound] = []
    /// The chat's lines as the FAQ answer read them (once per turn; answering changes no line).
    private var linesForAnswers: [LineView]?

    init(inbound: Inbound, now: Instant, db: any Connection, knowledge: AssistantKnowledge, assistant: Assistant, conversation: Conversation, language: Language) {
        self.inbound = inbound
        self.now = now
        self.db = db
        self.knowledge = knowledge
        self.assistant = assistant
        self.conversation = conversation
        self.language = language
        lines = LineSession(db: db, catalogue: assistant.catalogue, now: now)
    }

    var chat: Int64 { inbound.chatID }

    /// The lines this chat sees, read once per turn for whose-answer decisions: an FAQ
    /// answer reads them to choose the variant, to personalise it and to route renew,
    /// cancel and balance questions. Only for paths that change no line.
    func chatLinesForAnswers() throws -> [LineView] {
        if let linesForAnswers { return linesForAnswers }
        let read = try lines.lines(visibleTo: me)
        linesForAnswers = read
        return read
    }
    /// Who an operator action is recorded as.
    var author: String { "user:\(inbound.userID)" }
    var me: LineActor { .chat(inbound.chatID) }
    var replies: ReplyBook { knowledge.replies }
    var settings: AssistantSettings { assistant.settings }
    var catalogue: CarrierCatalogue { assistant.catalogue }

    /// A reply text in the chat's language.
    func t(_ key: ReplyKey, _ values: [String: String] = [:], html: Set<String> = []) -> String {
        replies.text(key, language, values, html: html)
    }

    /// A button label in the chat's language.
    func label(_ key: ReplyKey, _ values: [String: String] = [:]) -> String { replies.label(key, language, values) }

    func mainMenu() -> [[OutboundButton]] {
        [
            [OutboundButton(label(.menuBalance), .menu(.balance)), OutboundButton(label(.menuRenew), .menu(.renew)), OutboundButton(label(.menuCancel), .menu(.cancel))],
            [OutboundButton(label(.menuFaq), .menu(.faq)), OutboundButton(label(.menuAgent), .menu(.agent))],
        ]
    }

    // MARK: - Flows

    /// Starts waiting for an answer to `flow`; returns the id its buttons carry.
    func startFlow(_ flow: Flow) -> String {
        var generator = SystemRandomNumberGenerator()
        let id = String(generator.next() % 1_000_000_000, radix: 36)
        conversation.flow = flow
        conversation.flowID = id
        conversation.flowExpiresAt = now.adding(seconds: settings.flowTimeoutSeconds)
        return id
    }

    /// The pending flow, when `id` is the one its buttons carry and it has not expired.
    func pendingFlow(_ id: String) -> Flow? {
        guard conversation.flowID == id else { return nil }
        return conversation.activeFlow(at: now)
    }

    // MARK: - Other chats

    /// A notice for the operators' chat, in the default language (none when there is no such chat).
    func notifyOperators(_ key: ReplyKey, _ values: [String: String], html: Set<String> = []) {
        guard let chatID = settings.operatorChatID else { return }
        notices.append(OutboundMessage(chatID: chatID, html: replies.text(key, settings.defaultLanguage, values, html: html)))
    }

    // MARK: - Names

    /// An FAQ entry's question in the chat's language.
    func question(_ entry: FAQEntry) -> String { entry.question[language] ?? entry.question[.zhHans] ?? entry.id }

    func topicName(_ topic: String) -> String {
        ReplyKey(rawValue: "topic.\(topic)").map { label($0) } ?? topic
    }

    func carrierName(_ id: String) -> String { catalogue.carrier(id)?.names.text(for: language.rawValue) ?? id }

    /// Items of a list as the chat's language writes them: "a, b" or "a、b".
    func listed(_ items: [String]) -> String { items.joined(separator: language == .en ? ", " : "、") }

    static func languageName(_ language: Language) -> String {
        switch language {
        case .zhHans: "简体中文"
        case .zhHant: "繁體中文"
        case .en: "English"
        }
    }
}

/// One reply: HTML and button rows.
struct Reply {
    var html: String
    var buttons: [[OutboundButton]] = []
    /// For a button press: replace the message that carried the button.
    var editsPressedMessage = false
    /// Nothing goes to the chat (a person has the conversation).
    var silent = false
    /// An invoice goes instead of the text (a renewal paid in the chat).
    var invoice: InvoiceRequest?

    /// The same reply as a new message.
    var sent: Reply {
        var copy = self
        copy.editsPressedMessage = false
        return copy
    }

    /// The same reply, replacing the message whose button was pressed.
    var editing: Reply {
        var copy = self
        copy.editsPressedMessage = true
        return copy
    }
}

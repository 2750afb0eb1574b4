import Storage
import Synchronization
import Understanding

/// The conversation: takes what a chat sent and returns what to send back, whatever the
/// platform. Each call runs on the caller's connection inside the caller's transaction, so
/// the message, the line changes it causes, the conversation state and the replies commit
/// together (or not at all).
public final class Assistant: Sendable {
    private let knowledgeBox: Mutex<AssistantKnowledge>
    public let catalogue: CarrierCatalogue
    public let settings: AssistantSettings
    public let clock: any WallClock

    public init(knowledge: AssistantKnowledge, catalogue: CarrierCatalogue, settings: AssistantSettings = AssistantSettings(), clock: any WallClock = SystemWallClock()) {
        knowledgeBox = Mutex(knowledge)
        self.catalogue = catalogue
        self.settings = settings
        self.clock = clock
    }

    /// The knowledge answering now.
    public var knowledge: AssistantKnowledge { knowledgeBox.withLock { $0 } }

    /// Swaps in new knowledge (after an FAQ edit); messages already being answered finish
    /// with the old one.
    public func replaceKnowledge(_ knowledge: AssistantKnowledge) { knowledgeBox.withLock { $0 = knowledge } }

    /// The replies to `inbound`: exactly one message for the chat (or an edit of the message
    /// whose button was pressed), the acknowledgement of a button press, and any notices
    /// for other chats (the operators, the customer of a ticket).
    public func handle(_ inbound: Inbound, in db: Connection) throws -> [Outbound] {
        let now = clock.now()
        var turn = Turn(
            inbound: inbound, now: now, db: db, conversation: try Conversation.load(db, chat: inbound.chatID), language: settings.defaultLanguage,
            knowledge: knowledge, lines: LineSession(db: db, catalogue: catalogue, now: now), assistant: self)
        turn.language = turn.conversation.language ?? LanguageDetector.language(forCode: inbound.languageHint) ?? settings.defaultLanguage
        var outputs: [Outbound] = []
        switch inbound.kind {
        case .text(let text):
            try AssistantRecords.rememberMessage(db, chat: inbound.chatID, messageID: inbound.messageID, text: text, at: now)
            if !turn.conversation.languageFixed, !text.hasPrefix("/"), let detected = turn.knowledge.detector.detect(text) { turn.language = detected }
            let reply = try turn.respond(to: text)
            outputs.append(.send(OutboundMessage(chatID: inbound.chatID, html: reply.html, buttons: reply.buttons, answering: inbound.messageID)))
        case .button(let payload, let callbackID):
            let reply = try turn.press(payload)
            outputs.append(.answerButton(callbackID: callbackID, text: nil))
            let message = OutboundMessage(chatID: inbound.chatID, html: reply.html, buttons: reply.buttons)
            outputs.append(reply.editsPressedMessage ? .edit(messageID: inbound.messageID, message) : .send(message))
        }
        turn.conversation.language = turn.language
        try turn.conversation.save(db, at: now)
        outputs += turn.notices.map { .send($0) }
        return outputs
    }
}

/// One reply: HTML and button rows.
struct Reply {
    var html: String
    var buttons: [[OutboundButton]] = []
    /// For a button press: replace the message that carried the button.
    var editsPressedMessage = false
}

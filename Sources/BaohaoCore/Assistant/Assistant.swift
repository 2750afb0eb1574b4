public import Storage
import Synchronization
public import Understanding
public import BaohaoSupport

/// The conversation: takes what a chat sent and returns what to send back, whatever the
/// platform. Each call runs on the caller's connection inside the caller's transaction, so
/// the message, the line changes it causes, the conversation state and the replies commit
/// together (or not at all).
public final class Assistant: Sendable {
    private let knowledgeBox: Mutex<(knowledge: AssistantKnowledge, generation: Int)>
    public let catalogue: CarrierCatalogue
    public let settings: AssistantSettings
    public let clock: any WallClock
    /// Validation, regression gate and versions for operators' FAQ changes.
    public let faqEditor: FAQEditor

    public init(knowledge: AssistantKnowledge, catalogue: CarrierCatalogue, settings: AssistantSettings = AssistantSettings(configuration: BotConfiguration()), clock: any WallClock = SystemWallClock()) {
        knowledgeBox = Mutex((knowledge, 0))
        self.catalogue = catalogue
        self.settings = settings
        self.clock = clock
        faqEditor = FAQEditor(
            validator: FAQValidator(catalogue: catalogue),
            regressionSetFile: settings.regressionSetFile)
    }

    /// The knowledge answering now.
    public var knowledge: AssistantKnowledge { knowledgeBox.withLock { $0.knowledge } }

    /// Swaps in new knowledge (after an FAQ edit); messages already being answered finish
    /// with the old one, and every message handled after this call uses the new one, even if
    /// it was prepared before.
    public func replaceKnowledge(_ knowledge: AssistantKnowledge) { knowledgeBox.withLock { $0 = (knowledge, $0.generation + 1) } }

    /// The FAQ as the database holds it, when it is not what the assistant answers from (an
    /// edit from chat or the command line); nil when nothing changed. A cheap read.
    public func staleFAQ(_ db: any Connection) throws -> FAQSnapshot? {
        let generation = try FAQStore.generation(db)
        guard generation != knowledge.faqGeneration else { return nil }
        return FAQSnapshot(entries: try FAQStore.current(db), generation: generation)
    }

    /// Builds the index for `snapshot` (on the calling thread, not the database's) and swaps it
    /// in, unless newer knowledge is already installed.
    public func install(_ snapshot: FAQSnapshot) {
        let base = knowledge
        guard snapshot.generation > base.faqGeneration else { return }
        let rebuilt = base.replacingFAQ(snapshot.entries, generation: snapshot.generation)
        knowledgeBox.withLock { current in
            if snapshot.generation > current.knowledge.faqGeneration { current = (rebuilt, current.generation + 1) }
        }
    }

    /// What can be worked out of `inbound` without the database: the classification of a
    /// text, its entities and language. Pure and safe on any thread, so a batch can be
    /// prepared in parallel before its serial database transaction.
    public func prepare(_ inbound: Inbound) -> PreparedInbound {
        let (knowledge, generation) = knowledgeBox.withLock { $0 }
        return PreparedInbound(inbound: inbound, knowledge: knowledge, generation: generation)
    }

    /// The replies to `inbound`: exactly one message for the chat (or an edit of the message
    /// whose button was pressed), the acknowledgement of a button press, and any notices
    /// for other chats (the operators, the customer of a ticket).
    public func handle(_ inbound: Inbound, in db: any Connection) throws -> [Outbound] {
        try handle(prepare(inbound), in: db)
    }

    /// `handle(_:in:)` for a message prepared ahead (prepared again if the knowledge changed since).
    public func handle(_ prepared: PreparedInbound, in db: any Connection) throws -> [Outbound] {
        let prepared = prepared.generation == knowledgeBox.withLock({ $0.generation }) ? prepared : prepare(prepared.inbound)
        let inbound = prepared.inbound
        let now = clock.now()
        let conversation = try Conversation.load(db, chat: inbound.chatID)
        let context = TurnContext(
            inbound: inbound, now: now, db: db, knowledge: prepared.knowledge, assistant: self, conversation: conversation,
            language: conversation.language ?? LanguageDetector.language(forCode: inbound.languageHint) ?? settings.defaultLanguage)
        let turn = Turn(context: context, prepared: prepared.understanding)
        var outputs: [Outbound] = []
        func send(_ reply: Reply) {
            guard !reply.silent else { return }
            outputs.append(.send(OutboundMessage(chatID: inbound.chatID, html: reply.html, buttons: reply.buttons, answering: inbound.messageID)))
        }
        let desk = SupportDesk(context: context)
        let operatorChat = settings.operatorChatID
        // A banned chat gets nothing (a press is only acknowledged, so its spinner stops).
        if operatorChat != nil, inbound.chatID != operatorChat, try ChatBans.isBanned(db, chat: inbound.chatID) {
            if case .button(_, let callbackID) = inbound.kind { return [.answerButton(callbackID: callbackID, text: nil)] }
            return []
        }
        // An album is one message: its first picture is answered, the rest only remembered.
        let restOfAlbum = inbound.mediaGroup != nil && inbound.mediaGroup == conversation.mediaGroup
        if let group = inbound.mediaGroup { context.conversation.mediaGroup = group }
        if inbound.chatID == operatorChat, inbound.chatID != 0 {
            // The operators' chat: a ticket's topic (or a reply to a ticket's post) is the
            // desk's; a command is the console's; other talk among the operators is theirs.
            let command: ChatCommand? = if case .text = inbound.kind { prepared.command } else { nil }
            let text: String? = if case .text(let t) = inbound.kind { t } else { nil }
            switch inbound.kind {
            case .text, .attachment:
                // Commands go through the router (which checks and audits the operator).
                if let text, command != nil {
                    send(try turn.respond(to: text))
                } else if let reply = try desk.operatorMessage(command: nil, text: text) {
                    send(reply)
                } else if let text, conversation.activeFlow(at: now) != nil {
                    send(try turn.respond(to: text))
                }
            case .button(let payload, let callbackID):
                let reply = try turn.press(payload)
                outputs.append(.answerButton(callbackID: callbackID, text: nil))
                let message = OutboundMessage(chatID: inbound.chatID, html: reply.html, buttons: reply.buttons)
                outputs.append(reply.editsPressedMessage ? .edit(messageID: inbound.messageID, message) : .send(message))
            case .membership, .preCheckout, .payment: break
            }
            try context.conversation.save(db, at: now)
            outputs += context.notices.map { .send($0) }
            outputs += context.ticketOutputs
            return outputs
        }
        switch inbound.kind {
        case .membership(let active):
            try desk.membershipChanged(active: active)
        case .text(let text) where inbound.isEdit:
            // An edit of the last question whose answer left it open is answered again;
            // any other edit is kept (and shown to a person who has the conversation).
            try RecentMessages.remember(db, chat: inbound.chatID, messageID: inbound.messageID, text: "[edited] " + text, at: now)
            if let reply = try desk.relayFromCustomer(text: text, asksForAPerson: false) {
                send(reply)
            } else if conversation.lastQuestionID == inbound.messageID, conversation.lastQuestionOpen {
                context.conversation.lastQuestionOpen = false
                send(try turn.respond(to: text))
            }
        case .text(let text):
            try RecentMessages.remember(
                db, chat: inbound.chatID, messageID: inbound.messageID, text: inbound.attachment.map { "[\($0.rawValue)] " + text } ?? text,
                media: inbound.attachment != nil, at: now)
            guard !restOfAlbum else {
                if let reply = try desk.relayFromCustomer(text: text, asksForAPerson: false) { send(reply) }
                break
            }
            context.conversation.lastQuestionID = inbound.messageID
            context.conversation.lastQuestionOpen = false
            if !conversation.languageFixed, prepared.command == nil, let detected = prepared.understanding?.language { context.language = detected }
            var reply = try turn.respond(to: text)
            // A screenshot or receipt with a caption about a payment problem, or one the bot
            // cannot place: a person can look at the picture.
            if inbound.attachment != nil, !reply.silent, prepared.understanding.map(Self.mayNeedAPerson) ?? false,
                !reply.buttons.joined().contains(where: { $0.payload == ButtonPayload.menu(.agent).encoded })
            {
                reply.buttons.append([OutboundButton(context.label(.menuAgent), .menu(.agent))])
            }
            if !reply.silent, operatorChat != nil {
                try RecentMessages.noteAnswer(db, chat: inbound.chatID, messageID: inbound.messageID, answer: HTML.plainText(reply.html))
            }
            send(reply)
        case .attachment(let attachment):
            try RecentMessages.remember(db, chat: inbound.chatID, messageID: inbound.messageID, text: "[\(attachment.rawValue)]", media: true, at: now)
            // While a person has the conversation, the picture goes to them.
            if let reply = try desk.relayFromCustomer(text: nil, asksForAPerson: false) {
                send(reply)
                break
            }
            guard !restOfAlbum else { break }
            let person = [[OutboundButton(context.label(.menuAgent), .menu(.agent))]]
            let (key, buttons): (ReplyKey, [[OutboundButton]]) =
                switch attachment {
                case .photo, .document, .video: (.mediaPicture, person)
                case .voice: (.mediaVoice, person)
                case .sticker: (.mediaSticker, context.mainMenu())
                case .location: (.mediaLocation, [])
                case .contact: (.mediaContact, [])
                case .other: (.mediaOther, context.mainMenu())
                }
            outputs.append(.send(OutboundMessage(chatID: inbound.chatID, html: context.t(key), buttons: buttons, answering: inbound.messageID)))
        case .button(let payload, let callbackID):
            let reply = try turn.press(payload)
            outputs.append(.answerButton(callbackID: callbackID, text: nil))
            if let invoice = reply.invoice {
                outputs.append(.invoice(invoice))
            } else {
                let message = OutboundMessage(chatID: inbound.chatID, html: reply.html, buttons: reply.buttons)
                outputs.append(reply.editsPressedMessage ? .edit(messageID: inbound.messageID, message) : .send(message))
            }
        case .preCheckout(let query):
            if let reply = try PaymentDesk(context: context).recordPrecheck(query) {
                outputs.append(.send(OutboundMessage(chatID: inbound.chatID, html: reply.html, buttons: reply.buttons)))
            }
        case .payment(let payment):
            if let reply = try PaymentDesk(context: context).applyPayment(payment), !reply.silent {
                outputs.append(.send(OutboundMessage(chatID: inbound.chatID, html: reply.html, buttons: reply.buttons, answering: inbound.messageID)))
            }
        }
        context.conversation.language = context.language
        try context.conversation.save(db, at: now)
        outputs += context.notices.map { .send($0) }
        outputs += context.ticketOutputs
        return outputs
    }
}

extension Assistant {
    /// FAQ topics about money that went wrong: a picture sent with such a question is worth a person's look.
    static let paymentProblemTopics: Set<String> = ["refund", "renewal_failed", "missed_renewal", "payment_methods", "auto_renew"]

    /// Whether a caption's understanding points at a payment problem, or at nothing the bot can place.
    static func mayNeedAPerson(_ understood: Understood) -> Bool {
        switch understood.decision.outcome {
        case .outOfScope, .clarify: return true
        case .answer(let candidate): return paymentProblemTopics.contains(candidate.label)
        }
    }
}

/// The FAQ entries of one database generation.
public struct FAQSnapshot: Sendable {
    public let entries: [FAQEntry]
    public let generation: Int64

    public init(entries: [FAQEntry], generation: Int64) {
        self.entries = entries
        self.generation = generation
    }
}

/// An inbound message with the work that needs no database done ahead.
public struct PreparedInbound: Sendable {
    public let inbound: Inbound
    let knowledge: AssistantKnowledge
    let generation: Int
    /// For a text that is not a command.
    let understanding: Understood?
    /// For a text that is a command.
    let command: ChatCommand?
    /// True when preparing it ran the classifier (a text that is not a command).
    public var isClassified: Bool { understanding != nil }
    /// An operator command or button that may change the FAQ: what follows it in a batch
    /// must be answered with the FAQ it leaves behind.
    public var mayChangeKnowledge: Bool {
        switch inbound.kind {
        case .text: command?.mayChangeKnowledge ?? false
        case .button(let payload, _): ButtonPayload(encoded: payload)?.mayChangeKnowledge ?? false
        case .attachment, .membership, .preCheckout, .payment: false
        }
    }

    init(inbound: Inbound, knowledge: AssistantKnowledge, generation: Int) {
        self.inbound = inbound
        self.knowledge = knowledge
        self.generation = generation
        guard case .text(let raw) = inbound.kind else {
            understanding = nil
            command = nil
            return
        }
        command = ChatCommand(text: raw)
        if command == nil {
            let text = raw.trimmingWhitespace
            let decision = knowledge.classifier.classify(text)
            understanding = Understood(text: text, decision: decision, context: MessageContext(decision: decision), language: knowledge.detector.detect(raw))
        } else {
            understanding = nil
        }
    }
}

/// A text's classification and what the conversation reads off it.
struct Understood: Sendable {
    let text: String
    let decision: Decision
    let context: MessageContext
    let language: Language?
}

import Understanding

/// Routing what a text asks: an answer, a clarifying question, a follow-up of the last
/// answer, or the answer to a question the assistant is waiting for.
extension Turn {
    /// Routes a decision; remembers what was answered for follow-ups.
    func answer(_ decision: Decision, text: String, context message: MessageContext? = nil) throws -> Reply {
        let message = message ?? MessageContext(decision: decision)
        let c = context
        if message.hasFollowUpMarker, let followUp = try followUp(message, text: text) { return followUp }
        switch decision.outcome {
        case .answer(let candidate):
            return try route(candidate.label, target: candidate.target, context: message, text: text)
        case .clarify(let options):
            if let followUp = try followUp(message, text: text) { return followUp }
            c.conversation.lastQuestionOpen = true
            return try faq.clarify(options, text: text, message: message)
        case .outOfScope:
            if let followUp = try followUp(message, text: text) { return followUp }
            c.conversation.lastQuestionOpen = true
            try MissGroups.record(c.db, chat: c.chat, text: text, language: c.language, at: c.now)
            c.conversation.lastLabel = nil
            return Reply(html: c.t(.fallback), buttons: c.mainMenu())
        }
    }

    /// A short message naming only a region, carrier or number ("那香港号呢", "what about
    /// HK?") continues the previous answer.
    func followUp(_ message: MessageContext, text: String) throws -> Reply? {
        let conversation = context.conversation
        guard let last = conversation.lastLabel, message.isFollowUpShaped, Self.followUpLabels.contains(last) || Labels.faqEntryTopics.contains(last) else {
            return nil
        }
        // The same question for the carrier or region the follow-up names.
        if let id = conversation.lastEntry, let entry = context.knowledge.faqAnswer(id)?.entry { return try faq.answer(matched: entry, message: message, question: text) }
        return try route(last, target: nil, context: message, text: text)
    }

    /// Answers a short follow-up can continue: those about a line or a topic.
    static let followUpLabels: Set<String> = [ActionIntent.checkBalance.rawValue, ActionIntent.renew.rawValue, ActionIntent.cancel.rawValue]

    /// `text`: the question, asked again once the customer says which carrier it is about.
    func route(_ label: String, target: MatchTarget?, context message: MessageContext, text: String) throws -> Reply {
        let c = context
        c.conversation.lastLabel = label
        c.conversation.lastEntry = nil
        if let intent = ActionIntent(rawValue: label) {
            if c.inbound.isGroup, [.checkBalance, .renew, .cancel, .bindNumber, .alertsSubscribe, .humanAgent].contains(intent) {
                // The how-to answers everyone may read; anything about the asker's own line is for a private chat.
                if case .faq(let id)? = target, let entry = c.knowledge.faqByID[id] { return try faq.answer(matched: entry, message: message, question: text) }
                return privately()
            }
            // FAQ entries about renewing, cancelling or the balance answer from live data
            // when the chat has a line; otherwise with the entry's text.
            if case .faq(let id)? = target, let entry = c.knowledge.faqByID[id], [.renew, .cancel, .checkBalance].contains(intent),
                try c.chatLinesForAnswers().isEmpty
            {
                return try faq.answer(matched: entry, message: message, question: text)
            }
            switch intent {
            case .checkBalance: return try lines.balance(message)
            case .renew: return try lines.renew(message)
            case .cancel: return try lines.cancel(message)
            case .bindNumber: return try binding.overview()
            case .alertsSubscribe: return try alerts.show()
            case .humanAgent: return try desk.humanAgent()
            case .greeting: return Reply(html: c.t(.greeting), buttons: c.mainMenu())
            case .thanks: return Reply(html: c.t(.thanks))
            case .help: return Reply(html: c.t(.help), buttons: c.mainMenu())
            }
        }
        if case .faq(let id)? = target, let entry = c.knowledge.faqByID[id] { return try faq.answer(matched: entry, message: message, question: text) }
        return Reply(html: c.t(.fallback), buttons: c.mainMenu())
    }

    /// A text answer to a pending question, or nil when the text is about something else.
    func continueFlow(_ flow: Flow, text: String) throws -> Reply? {
        switch flow {
        case .confirmCancel(let number): return try lines.answerCancelQuestion(number: number, text: text)
        case .pickLine(let purpose): return try lines.pickLine(purpose, text: text)
        case .pickCarrier(let question):
            // A typed answer naming one carrier works like its button; one naming a region
            // like the region's button.
            let named = MessageContext(decision: context.knowledge.classifier.classify(text))
            guard let id = context.conversation.flowID else { return nil }
            if named.carriers.count == 1, let carrier = named.carriers.first, faq.choose(carrier: carrier, flowID: id) != nil { return try answerAgain(question) }
            if named.carriers.isEmpty, named.regions.count == 1, let region = named.regions.first { return faq.carriers(of: region, flowID: id).sent }
            return nil
        case .faqDraft:
            guard try isOperator() else {
                context.conversation.flow = nil
                return nil
            }
            return try console.continueDraft(text)
        }
    }

    /// Answers `question` again, now that the conversation's carrier is known.
    func answerAgain(_ question: String) throws -> Reply {
        try answer(context.knowledge.classifier.classify(question), text: question)
    }
}

import Understanding
import BaohaoSupport

/// Clarifying questions: when the two best answers are close, the customer picks one (or
/// none); the pick is stored as a labelled question for the regression gate.
extension FAQDialogue {
    /// What a tap on a clarifying question's button comes to.
    enum ClarifyOutcome {
        /// Answer this (the question expired, or none of the options fitted).
        case reply(Reply)
        /// Route the chosen option as if the text had matched it.
        case chosen(label: String, target: MatchTarget?, MessageContext, text: String)
    }

    /// An option's button: the FAQ entry's question when the chat may be shown that entry,
    /// otherwise its topic (the tap then gets the variant the chat's carrier allows).
    func optionLabel(_ candidate: Candidate, allowed: (FAQEntry) -> Bool) -> String {
        let c = context
        if case .faq(let id) = candidate.target, let entry = c.knowledge.faqByID[id], allowed(entry) { return String(c.question(entry).prefix(60)) }
        if let key = ReplyKey(rawValue: "label.\(candidate.label)") { return c.label(key) }
        return c.topicName(candidate.label)
    }

    func clarify(_ options: [Candidate], text: String, message: MessageContext) throws -> Reply {
        let c = context
        let chosen = Array(options.prefix(3))
        let whose = try carrierContext(message)
        let id = try Clarifications.record(c.db, chat: c.chat, text: text, options: chosen.map { "\($0.label)|\($0.target.description)" }, at: c.now)
        var buttons = chosen.indices.map { i in [OutboundButton(optionLabel(chosen[i], allowed: whose.allows), .clarify(id: id, .option(i)))] }
        buttons.append([OutboundButton(c.label(.clarifyNone), .clarify(id: id, .none))])
        return Reply(html: c.t(.clarifyQuestion), buttons: buttons)
    }

    func clarifyTap(id: Int64, choice: ButtonPayload.ClarifyChoice) throws -> ClarifyOutcome {
        let c = context
        guard let stored = try Clarifications.find(c.db, id: id, chat: c.chat) else { return .reply(Reply(html: c.t(.flowExpired))) }
        guard case .option(let index) = choice, index < stored.options.count else {
            try LabelledExamples.add(c.db, text: stored.text, label: Labels.outOfScope, target: nil, source: "clarify:none", at: c.now)
            try MissGroups.record(c.db, chat: c.chat, text: stored.text, language: c.language, at: c.now)
            return .reply(Reply(html: c.t(.clarifyNoneReply), buttons: c.mainMenu(), editsPressedMessage: true))
        }
        let parts = stored.options[index].split(separator: "|", maxSplits: 1).map(String.init)
        let label = parts[0], targetText = parts.count > 1 ? parts[1] : ""
        let target = MatchTarget(description: targetText)
        try LabelledExamples.add(c.db, text: stored.text, label: label, target: target, source: "clarify", at: c.now)
        return .chosen(label: label, target: target == .outOfScope ? nil : target, MessageContext(decision: c.knowledge.classifier.classify(stored.text)), text: stored.text)
    }
}

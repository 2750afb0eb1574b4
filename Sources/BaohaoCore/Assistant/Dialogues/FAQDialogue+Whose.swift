import BaohaoSupport
import Understanding

/// Whose answer: the variant of a matched FAQ answer for the chat that asks (its lines,
/// what it names, the carrier of the last minutes), or a question about which line or
/// carrier, after which the question is answered.
extension FAQDialogue {
    func carrierContext(_ message: MessageContext) throws -> CarrierContext {
        let c = context
        let recent = c.conversation.recentCarrier(at: c.now, within: c.settings.carrierMemorySeconds)
        return CarrierContext(message: message, bound: try c.chatLinesForAnswers(), recentCarrier: recent, catalogue: c.catalogue)
    }

    var chooser: AnswerChooser { AnswerChooser(faq: context.knowledge.faq, faqByID: context.knowledge.faqByID) }

    /// The answer to `question`, which matched `matched`.
    func answer(matched: FAQEntry, message: MessageContext, question: String) throws -> Reply {
        let whose = try carrierContext(message)
        switch chooser.choose(matched, ranking: message.faqRanking, context: whose) {
        case .answer(let chosen, _):
            remember(whose, answered: chosen)
            return try answer(chosen, context: message, allowed: whose.allows, carriers: whose.carriers)
        case .askLine(let lines, _):
            let c = context
            let id = c.startFlow(.pickCarrier(question: question))
            let buttons = lines.prefix(8).map { line in
                [OutboundButton("\(line.number.maskedForDisplay) · \(c.carrierName(line.carrier))", .carrier(flowID: id, carrierID: line.carrier))]
            }
            return Reply(html: c.t(.whoseLine), buttons: buttons)
        case .askCarrier:
            let c = context
            let id = c.startFlow(.pickCarrier(question: question))
            let regions = c.catalogue.carriers.map(\.region).reduce(into: [String]()) { list, r in if !list.contains(r) { list.append(r) } }
            return Reply(html: c.t(.whoseRegion), buttons: [regions.map { OutboundButton(regionName($0), .carrierRegion(flowID: id, region: $0)) }])
        }
    }

    func regionName(_ region: String) -> String {
        ReplyKey(rawValue: "label.region.\(region)").map { context.label($0) } ?? region
    }

    /// The carriers of a region, after its button.
    func carriers(of region: String, flowID: String) -> Reply {
        let c = context
        guard case .pickCarrier? = c.pendingFlow(flowID) else { return Reply(html: c.t(.flowExpired), editsPressedMessage: true) }
        let carriers = c.catalogue.carriers.filter { $0.region == region }
        let rows = stride(from: 0, to: carriers.count, by: 2).map { i in
            carriers[i..<min(i + 2, carriers.count)].map { OutboundButton(c.carrierName($0.id), .carrier(flowID: flowID, carrierID: $0.id)) }
        }
        return Reply(html: c.t(.whoseCarrier), buttons: rows, editsPressedMessage: true)
    }

    /// The carrier chosen for a pending question: remembered for the conversation; the
    /// question to answer now, or nil when the question has expired.
    func choose(carrier: String, flowID: String) -> String? {
        let c = context
        guard case .pickCarrier(let question)? = c.pendingFlow(flowID), c.catalogue.carrier(carrier) != nil else { return nil }
        c.conversation.flow = nil
        c.conversation.carrier = carrier
        c.conversation.carrierAt = c.now
        return question
    }

    /// The carrier this conversation is now about: the one the answer concerns, or the one
    /// the message named or pointed at.
    func remember(_ whose: CarrierContext, answered answer: FAQAnswer) {
        let c = context
        let carrier: String? =
            answer.carriers.count == 1 ? answer.carriers[0] : (whose.carriers.count == 1 && whose.source != .bound ? whose.carriers.first : nil)
        guard let carrier else { return }
        c.conversation.carrier = carrier
        c.conversation.carrierAt = c.now
    }

    /// `/faq test`: what this chat would get for `decision`, and why (nil: not an FAQ answer).
    func explain(_ decision: Decision) throws -> String? {
        guard case .answer(let candidate) = decision.outcome, case .faq(let id) = candidate.target, let matched = context.knowledge.faqByID[id] else { return nil }
        let message = MessageContext(decision: decision)
        return chooser.choose(matched, ranking: message.faqRanking, context: try carrierContext(message)).explanation
    }
}

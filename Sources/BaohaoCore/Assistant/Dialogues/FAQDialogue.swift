import Understanding

/// FAQ answers: the entry's text, made personal where the chat's line or a named carrier
/// makes it concrete, with related questions as buttons; browsing by topic; the sibling
/// entry a follow-up ("what about HK?") points at.
struct FAQDialogue {
    let context: TurnContext

    /// The topics with answers that need the carrier's own facts.
    static let carrierFactTopics: Set<String> = ["missed_renewal", "payment_methods"]

    /// `answer` shown to the chat; `allowed` keeps the related questions to those the chat
    /// may be shown; bullets about other carriers than `carriers` (the chat's, when known)
    /// are left out.
    func answer(
        _ answer: FAQAnswer, context message: MessageContext = MessageContext(decision: nil), allowed: (FAQEntry) -> Bool = { _ in true },
        carriers: Set<String> = []
    ) throws -> Reply {
        let c = context
        let entry = answer.entry
        c.conversation.lastLabel = entry.topic
        c.conversation.lastEntry = answer.id
        let entities = c.knowledge.classifier.entities
        let tailoring = AnswerTailoring { Set(EntityExtractor.carrierIDs(entities.extract($0))) }
        var html = tailoring.tailor(answer.html[c.language] ?? answer.html[.zhHans] ?? answer.html.values.first ?? "", to: carriers)
        // Personal where a bound line makes it concrete: its carrier's grace days or methods.
        // A carrier the message names comes first, bound or not.
        let bound = message.select(try c.chatLinesForAnswers(), catalogue: c.catalogue)
        let relevant = bound.first { answer.carriers.isEmpty || answer.carriers.contains($0.carrier) }
        let named = message.carriers.compactMap { c.catalogue.carrier($0) }.filter { carrier in relevant.map { $0.carrier != carrier.id } ?? true }
            .sorted { $0.id < $1.id }
        if let carrier = named.first, Self.carrierFactTopics.contains(entry.topic) {
            html += "\n\n" + carrierFacts(carrier, topic: entry.topic)
        } else if let line = relevant, let carrier = c.catalogue.carrier(line.carrier), Self.carrierFactTopics.contains(entry.topic) {
            html += "\n\n" + c.t(.faqYourLine, ["number": line.number.maskedForDisplay, "carrier": c.carrierName(line.carrier)]) + "\n"
                + carrierFacts(carrier, topic: entry.topic)
        }
        let related = Self.related(to: entry, in: c.knowledge.faq.filter(allowed))
        if !related.isEmpty { html += "\n\n" + c.t(.faqRelated) }
        return Reply(html: html, buttons: related.map { [OutboundButton(String(c.question($0).prefix(60)), .faqEntry(id: $0.id))] })
    }

    /// An FAQ button: the entry's answer for this chat, the variant itself for a button
    /// naming one (sent before it became a variant), or "expired" when it was deleted since.
    func entry(_ id: String) throws -> Reply {
        guard let found = context.knowledge.faqAnswer(id) else { return Reply(html: context.t(.flowExpired)) }
        if found.variant != nil { return try answer(found) }
        return try answer(matched: found.entry, message: MessageContext(decision: nil), question: context.question(found.entry))
    }

    /// The catalogue's facts for a topic: a carrier's grace and recycling, or its payment methods.
    func carrierFacts(_ carrier: Carrier, topic: String) -> String {
        let c = context
        if topic == "missed_renewal" {
            return c.t(.faqYourGrace, ["carrier": c.carrierName(carrier.id), "grace_days": String(carrier.graceDays), "recycle_days": String(carrier.recycleAfterDays)])
        }
        return c.t(.faqYourMethods, ["carrier": c.carrierName(carrier.id), "methods": c.paymentMethodNames(carrier)])
    }

    /// Up to three entries of `entry`'s topic, those sharing a region or a carrier with it
    /// first, each group in FAQ order. One pass that copies only the entries it keeps.
    static func related(to entry: FAQEntry, in faq: [FAQEntry]) -> [FAQEntry] {
        var close: [FAQEntry] = [], rest: [FAQEntry] = []
        for i in faq.indices where faq[i].topic == entry.topic && faq[i].id != entry.id {
            if faq[i].regions.contains(where: entry.regions.contains) || faq[i].carriers.contains(where: entry.carriers.contains) {
                close.append(faq[i])
                if close.count == 3 { break }
            } else if rest.count < 3 {
                rest.append(faq[i])
            }
        }
        return Array((close + rest).prefix(3))
    }

    // MARK: - Browsing

    func topics() -> Reply {
        let c = context
        var topics: [String] = []
        for entry in c.knowledge.faq where !topics.contains(entry.topic) { topics.append(entry.topic) }
        let buttons = stride(from: 0, to: topics.count, by: 2).map { i in
            topics[i..<min(i + 2, topics.count)].map { OutboundButton(c.topicName($0), .faqTopic($0)) }
        }
        return Reply(html: c.t(.faqBrowse), buttons: buttons)
    }

    func topic(_ topic: String) -> Reply {
        let c = context
        let entries = c.knowledge.faq.filter { $0.topic == topic }.prefix(8)
        return Reply(
            html: c.t(.faqTopicQuestions, ["topic": c.topicName(topic)]),
            buttons: entries.map { [OutboundButton(String(c.question($0).prefix(60)), .faqEntry(id: $0.id))] })
    }
}

import Understanding
import BaohaoSupport

/// The guided FAQ draft: question → phrasings → three answers → topic → tags → preview,
/// and the one-field edit (`/faq edit ID FIELD`) that goes straight to the preview.
extension OperatorConsole {
    /// The operator's text for the draft's current step; nil (and no flow) when the draft is gone.
    func continueDraft(_ text: String) throws -> Reply? {
        let c = context
        guard var draft = try FAQDraft.load(c.db, chat: c.chat, at: c.now) else {
            c.conversation.flow = nil
            return nil
        }
        var entry = draft.entry
        let skip = ["skip", "-", "跳过", "跳過", "none", "无", "無"].contains(text.lowercased())
        switch draft.step {
        case .question:
            let detected = c.knowledge.detector.detect(text) ?? c.language
            entry = entry.with(question: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, text) }).merging([detected: text]) { $1 })
            draft.step = .phrasings
            draft.entry = entry
            try draft.save(c.db, chat: c.chat, at: c.now)
            return Reply(html: c.t(.adminAskPhrasings), buttons: [[cancelButton]])
        case .phrasings:
            let phrasings = skip ? [] : text.split(separator: "\n").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
            entry = entry.with(phrasings: phrasings)
            draft.step = .answerZhHans
        case .answerZhHans, .answerZhHant, .answerEn:
            let target: Language = draft.step == .answerZhHans ? .zhHans : draft.step == .answerZhHant ? .zhHant : .en
            if let variant = draft.variantID {
                // `/faq variant`: the three answers, then the preview.
                entry = entry.answeringVariant(variant, target, skip ? nil : text)
                if target == .en {
                    draft.entry = entry
                    return try preview(&draft)
                }
            } else {
                entry = entry.answering(target, skip ? nil : text)
            }
            draft.step = target == .zhHans ? .answerZhHant : target == .zhHant ? .answerEn : .topic
        case .tags:
            entry = Self.tagged(entry, skip ? "" : text)
            if entry.id.isEmpty { entry = entry.with(id: try newID(for: entry)) }
            draft.entry = entry
            return try preview(&draft)
        case .value:
            entry = Self.apply(field: draft.field ?? "", value: text, skip: skip, to: entry)
            draft.entry = entry
            return try preview(&draft)
        case .topic, .preview:
            return Reply(html: c.t(.adminUseButtons), buttons: [[cancelButton]])
        }
        draft.entry = entry
        try draft.save(c.db, chat: c.chat, at: c.now)
        return askNext(draft)
    }

    func askNext(_ draft: FAQDraft) -> Reply {
        let c = context
        switch draft.step {
        case .answerZhHans: return Reply(html: c.t(.adminAskAnswer, ["language": TurnContext.languageName(.zhHans)]), buttons: [[cancelButton]])
        case .answerZhHant: return Reply(html: c.t(.adminAskAnswer, ["language": TurnContext.languageName(.zhHant)]), buttons: [[cancelButton]])
        case .answerEn: return Reply(html: c.t(.adminAskAnswer, ["language": TurnContext.languageName(.en)]), buttons: [[cancelButton]])
        case .topic:
            let topics = Labels.faqEntryTopics.sorted()
            let rows = stride(from: 0, to: topics.count, by: 3).map { i in
                topics[i..<min(i + 3, topics.count)].map { OutboundButton($0, .faqAdmin(.topic($0))) }
            }
            return Reply(html: c.t(.adminAskTopic), buttons: rows + [[cancelButton]])
        case .tags: return Reply(html: c.t(.adminAskTags), buttons: [[cancelButton]])
        default: return Reply(html: c.t(.adminUseButtons), buttons: [[cancelButton]])
        }
    }

    /// `topic-carrier` (or region), made unique with a number.
    func newID(for entry: FAQEntry) throws -> String {
        let base = ([entry.topic.replacing("_", with: "-")] + (entry.carriers.prefix(1) + entry.regions.prefix(1).map { $0.lowercased() }))
            .joined(separator: "-")
        var candidate = base, n = 2
        while try FAQStore.latest(context.db, id: candidate) != nil {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }

    /// The entry with the regions (US, HK, UK) and carriers the operator's words name.
    static func tagged(_ entry: FAQEntry, _ text: String) -> FAQEntry {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "，" }).map(String.init)
        return entry.with(
            regions: words.map { $0.uppercased() }.filter { ["US", "HK", "UK"].contains($0) },
            carriers: words.map { $0.lowercased() }.filter { !["us", "hk", "uk"].contains($0) })
    }

    static func apply(field: String, value: String, skip: Bool, to entry: FAQEntry) -> FAQEntry {
        if let (id, language) = variantField(field), let variant = entry.variants.first(where: { $0.id == id }) {
            if let language { return entry.answeringVariant(id, language, skip ? nil : value) }
            let (regions, carriers) = FAQEntry.scope(skip ? "" : value)
            return entry.settingVariant(FAQVariant(id: id, regions: regions, carriers: carriers, answer: variant.answer, leftOut: variant.leftOut))
        }
        if let (kind, language) = languageField(field) {
            if kind == "question" {
                var question = entry.question
                question[language] = skip ? nil : value
                return entry.with(question: question)
            }
            return entry.answering(language, skip ? nil : value)
        }
        switch field {
        case "phrasings": return entry.with(phrasings: value.split(separator: "\n").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty })
        case "topic": return entry.with(topic: value.trimmingWhitespace.lowercased())
        case "tags": return tagged(entry, skip ? "" : value)
        case "threshold": return entry.with(threshold: .some(skip ? nil : Double(value.trimmingWhitespace) ?? -1))
        default: return entry
        }
    }

    /// Shows the draft's diff, its problems and its regressions, with Save (or Save anyway) and Cancel.
    func preview(_ draft: inout FAQDraft) throws -> Reply {
        let c = context
        draft.step = .preview
        let entry = draft.entry
        let review = try c.assistant.faqEditor.review(.save(entry, basedOn: draft.basedOn), in: c.db, classifier: c.knowledge.classifier)
        draft.regressions = review.regressions.count
        try draft.save(c.db, chat: c.chat, at: c.now)
        var html = c.t(.adminPreview, ["id": entry.id, "diff": review.diff.joined(separator: "\n")])
        if !review.problems.isEmpty {
            html += "\n\n" + problemList(review.problems)
            return Reply(html: html, buttons: [[cancelButton]])
        }
        let shown = draft.variantID.flatMap { id in entry.variants.first { $0.id == id }?.answer } ?? entry.answer
        if let sample = shown[c.language] ?? shown.values.first { html += "\n\n" + sample }
        if !review.regressions.isEmpty {
            html += "\n\n" + regressionList(review.regressions)
            return Reply(html: html, buttons: [[OutboundButton(c.label(.adminButtonSaveAnyway), .faqAdmin(.saveAnyway)), cancelButton]])
        }
        return Reply(html: html, buttons: [[OutboundButton(c.label(.adminButtonSave), .faqAdmin(.save)), cancelButton]])
    }
}

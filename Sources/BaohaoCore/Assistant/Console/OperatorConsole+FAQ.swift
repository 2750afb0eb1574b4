import Understanding

/// Operators' FAQ commands in chat: list, show, guided add, edit, alias, delete, history,
/// rollback and test. Every change goes through `FAQEditor` (validation, regression gate,
/// versions, audit) and is answered to the very next customer message.
extension OperatorConsole {
    func faq(_ command: ChatCommand.FAQCommand) throws -> Reply {
        let c = context
        switch command {
        case .list(let topic):
            let entries = try FAQStore.current(c.db).filter { topic == nil || $0.topic == topic }
            let body = entries.map { entry in
                let variants = entry.variants.isEmpty ? "" : " ⑂ " + entry.variants.map { HTML.escape($0.scope) }.joined(separator: " · ")
                return "• <code>\(HTML.escape(entry.id))</code> \(HTML.escape(c.question(entry)))\(variants)"
            }.joined(separator: "\n")
            return Reply(html: c.t(.adminList, ["count": String(entries.count), "body": body], html: ["body"]))
        case .show(let id):
            guard let latest = try FAQStore.latest(c.db, id: id), let entry = latest.entry else { return notFound(id) }
            return Reply(html: c.t(.adminShow, ["id": entry.id, "version": String(latest.version), "body": describe(entry)], html: ["body"]))
        case .history(let id):
            let versions = try FAQStore.history(c.db, id: id)
            guard !versions.isEmpty else { return notFound(id) }
            let body = versions.suffix(10).map { v in
                "<b>v\(v.version)</b> \(HTML.escape(String(v.at.prefix(16)).replacing("T", with: " "))) \(HTML.escape(v.author))\n<pre>\(HTML.escape(String(v.note.prefix(600))))</pre>"
            }.joined(separator: "\n")
            return Reply(html: c.t(.adminHistory, ["id": id, "body": body], html: ["body"]))
        case .add:
            let draft = FAQDraft(step: .question, entry: FAQEntry(id: "", topic: "", question: [:], phrasings: [], answer: [:]), basedOn: nil, field: nil, at: c.now)
            try draft.save(c.db, chat: c.chat, at: c.now)
            startDraftFlow()
            return Reply(html: c.t(.adminAskQuestion), buttons: [[cancelButton]])
        case .edit(let id, let field):
            guard let latest = try FAQStore.latest(c.db, id: id), let entry = latest.entry else { return notFound(id) }
            guard Self.editableFields.contains(field) || Self.languageField(field) != nil || Self.variantField(field) != nil else { return usage() }
            if let (variant, _) = Self.variantField(field), !entry.variants.contains(where: { $0.id == variant }) { return notFound(variant) }
            let draft = FAQDraft(step: .value, entry: entry, basedOn: latest.version, field: field, at: c.now)
            try draft.save(c.db, chat: c.chat, at: c.now)
            startDraftFlow()
            return Reply(html: c.t(.adminAskValue, ["field": field, "current": currentValue(entry, field)]), buttons: [[cancelButton]])
        case .alias(let id, let phrasing):
            guard let latest = try FAQStore.latest(c.db, id: id), let entry = latest.entry else { return notFound(id) }
            guard !phrasing.isEmpty else { return usage() }
            return try applyChange(.save(entry.with(phrasings: entry.phrasings + [phrasing]), basedOn: latest.version), accept: false, acceptedPhrasings: [phrasing])
        case .delete(let id):
            guard let latest = try FAQStore.latest(c.db, id: id), latest.entry != nil else { return notFound(id) }
            return try review(.delete(id: id, basedOn: latest.version))
        case .rollback(let id, let version):
            guard let latest = try FAQStore.latest(c.db, id: id), let version = Int(version) else { return notFound(id) }
            return try review(.rollback(id: id, to: version, basedOn: latest.version))
        case .variant(let id, let scope):
            guard let latest = try FAQStore.latest(c.db, id: id), let entry = latest.entry else { return notFound(id) }
            let (regions, carriers) = FAQEntry.scope(scope)
            guard !regions.isEmpty || !carriers.isEmpty else { return usage() }
            var edited = entry, variantID: String
            if let existing = entry.variant(carriers: carriers, regions: regions) {
                variantID = existing.id
            } else {
                let taken = Set(try FAQStore.current(c.db).flatMap { [$0.id] + $0.variants.map(\.id) })
                variantID = entry.newVariantID(carriers: carriers, regions: regions, taken: taken)
                edited = entry.settingVariant(FAQVariant(id: variantID, regions: regions, carriers: carriers, answer: [:]))
            }
            let draft = FAQDraft(step: .answerZhHans, entry: edited, basedOn: latest.version, field: FAQDraft.variantField(variantID), at: c.now)
            try draft.save(c.db, chat: c.chat, at: c.now)
            startDraftFlow()
            let start = c.t(.adminVariantStart, ["id": id, "scope": (carriers + regions).joined(separator: " "), "variant": variantID])
            return Reply(html: start + "\n" + askNext(draft).html, buttons: [[cancelButton]])
        case .deleteVariant(let id, let variant):
            guard let latest = try FAQStore.latest(c.db, id: id), let entry = latest.entry else { return notFound(id) }
            guard entry.variants.contains(where: { $0.id == variant }) else { return notFound(variant) }
            return try review(.save(entry.removingVariant(variant), basedOn: latest.version))
        case .test(let question):
            return Reply(html: c.t(.adminTest, ["body": try testReport(question)], html: ["body"]))
        case .cancel:
            try discardDraft()
            return Reply(html: c.t(.adminCancelled))
        case .usage:
            return usage()
        }
    }

    static let editableFields: Set<String> = ["phrasings", "topic", "tags", "threshold"]

    /// `answer.en` → (answer, .en); nil for anything else.
    static func languageField(_ field: String) -> (kind: String, language: Language)? {
        let parts = field.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "answer" || parts[0] == "question",
            let language = Language.allCases.first(where: { $0.rawValue.lowercased() == parts[1].lowercased() })
        else { return nil }
        return (parts[0], language)
    }

    /// An entry for operators: tags, questions, phrasings and answers.
    func describe(_ entry: FAQEntry) -> String {
        var lines = ["<i>\(HTML.escape(entry.topic))</i> · \(HTML.escape((entry.regions + entry.carriers).joined(separator: ", ")))"]
        for language in Language.allCases {
            if let q = entry.question[language] { lines.append("❓ \(language.rawValue): \(HTML.escape(q))") }
        }
        lines.append("≈ " + entry.phrasings.map { HTML.escape($0) }.joined(separator: " · "))
        func answers(_ texts: [Language: String], _ leftOut: Set<Language>, _ prefix: String) {
            for language in Language.allCases {
                if let answer = texts[language] {
                    lines.append("\n<b>\(prefix)\(language.rawValue)</b>\n\(answer)")
                } else if leftOut.contains(language) {
                    lines.append("\n<b>\(prefix)\(language.rawValue)</b> —")
                }
            }
        }
        answers(entry.answer, entry.leftOut, "")
        if !entry.variants.isEmpty {
            lines.append("\n⑂ " + entry.variants.map { "<code>\(HTML.escape($0.id))</code> (\(HTML.escape($0.scope)))" }.joined(separator: " · "))
        }
        for variant in entry.variants { answers(variant.answer, variant.leftOut, "\(HTML.escape(variant.id)) · ") }
        return lines.joined(separator: "\n")
    }

    /// `variant.ID.answer.en` → (ID, .en); `variant.ID.tags` → (ID, nil); nil for anything else.
    static func variantField(_ field: String) -> (variant: String, language: Language?)? {
        let parts = field.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "variant" else { return nil }
        if parts[2] == "tags" { return (parts[1], nil) }
        guard let (kind, language) = languageField(parts[2]), kind == "answer" else { return nil }
        return (parts[1], language)
    }

    func currentValue(_ entry: FAQEntry, _ field: String) -> String {
        if let (id, language) = Self.variantField(field), let variant = entry.variants.first(where: { $0.id == id }) {
            return language.map { variant.answer[$0] ?? "—" } ?? variant.scope
        }
        if let (kind, language) = Self.languageField(field) {
            return (kind == "answer" ? entry.answer[language] : entry.question[language]) ?? "—"
        }
        switch field {
        case "phrasings": return entry.phrasings.joined(separator: "\n")
        case "topic": return entry.topic
        case "tags": return (entry.regions + entry.carriers).joined(separator: " ")
        case "threshold": return entry.threshold.map { String($0) } ?? "—"
        default: return ""
        }
    }

    /// What the classifier makes of `text` now, and after the pending draft if there is one.
    func testReport(_ text: String) throws -> String {
        let c = context
        func lines(_ decision: Decision) -> String {
            let top = decision.candidates.prefix(3).map { candidate in
                let target = if case .faq = candidate.target { candidate.target.description } else { candidate.label }
                return "\(HTML.escape(target)) \(String(Int((candidate.score * 100).rounded())))%"
            }
            return "→ <b>\(HTML.escape(RegressionGate.describe(decision)))</b>\n" + top.joined(separator: " · ")
        }
        let decision = c.knowledge.classifier.classify(text)
        var report = "<b>now</b> " + lines(decision)
        if let whose = try FAQDialogue(context: c).explain(decision) { report += "\n<b>for this chat</b> " + HTML.escape(whose) }
        if let draft = try FAQDraft.load(c.db, chat: c.chat, at: c.now), c.assistant.faqEditor.validator.problems(draft.entry).isEmpty {
            var entries = try FAQStore.current(c.db)
            if let index = entries.firstIndex(where: { $0.id == draft.entry.id }) { entries[index] = draft.entry } else { entries.append(draft.entry) }
            report += "\n<b>draft</b> " + lines(c.knowledge.classifier.replacingFAQ(entries.map(\.document)).classify(text))
        }
        return report
    }
}

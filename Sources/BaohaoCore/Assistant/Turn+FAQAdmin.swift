import Understanding
import BaohaoSupport

/// Operators' FAQ commands in chat: list, show, guided add, edit, alias, delete, history,
/// rollback and test. Every change goes through `FAQEditor` (validation, regression gate,
/// versions, audit) and is answered to the very next customer message.
extension Turn {
    var author: String { "user:\(inbound.userID)" }

    var isOperator: Bool {
        get throws { try OperatorRoles.isOperator(db, user: inbound.userID, configured: assistant.settings.operators) }
    }

    /// Operator commands; nil when `name` is none, or when the sender is no operator (the
    /// attempt is audited and the customer gets the normal assistant).
    mutating func adminCommand(_ name: String, _ argument: String) throws -> Reply? {
        let isFAQAdmin = name == "/faq" && !argument.isEmpty
        guard isFAQAdmin || ["/unanswered", "/stats", "/op", "/reply", "/close"].contains(name) else { return nil }
        guard try isOperator else {
            try OperatorRoles.audit(db, actor: author, action: "refused", detail: "\(name) \(argument)".trimmingWhitespace, at: now)
            return nil
        }
        // Every operator action is audited; changes add their own line with the version saved.
        try OperatorRoles.audit(db, actor: author, action: "command", detail: "\(name) \(argument)".trimmingWhitespace, at: now)
        switch name {
        case "/faq": return try faqAdmin(argument)
        case "/unanswered": return try unanswered()
        case "/stats": return try stats()
        case "/op": return try operators(argument)
        default: return try ticketCommand(name, argument)
        }
    }

    // MARK: /faq

    mutating func faqAdmin(_ argument: String) throws -> Reply {
        let words = argument.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        let sub = words[0].lowercased()
        let id = words.count > 1 ? words[1] : ""
        let rest = words.count > 2 ? words[2].trimmingWhitespace : ""
        switch sub {
        case "list":
            let topic = id.isEmpty ? nil : id
            let entries = try FAQStore.current(db).filter { topic == nil || $0.topic == topic }
            let body = entries.map { "• <code>\(HTML.escape($0.id))</code> \(HTML.escape(question($0)))" }.joined(separator: "\n")
            return Reply(html: t(.adminList, ["count": String(entries.count), "body": body], html: ["body"]))
        case "show":
            guard let latest = try FAQStore.latest(db, id: id), let entry = latest.entry else { return notFound(id) }
            return Reply(html: t(.adminShow, ["id": entry.id, "version": String(latest.version), "body": describe(entry)], html: ["body"]))
        case "history":
            let versions = try FAQStore.history(db, id: id)
            guard !versions.isEmpty else { return notFound(id) }
            let body = versions.suffix(10).map { v in
                "<b>v\(v.version)</b> \(HTML.escape(String(v.at.prefix(16)).replacing("T", with: " "))) \(HTML.escape(v.author))\n<pre>\(HTML.escape(String(v.note.prefix(600))))</pre>"
            }.joined(separator: "\n")
            return Reply(html: t(.adminHistory, ["id": id, "body": body], html: ["body"]))
        case "add":
            var draft = FAQDraft(step: .question, entry: FAQEntry(id: "", topic: "", question: [:], phrasings: [], answer: [:]), basedOn: nil, field: nil, at: now)
            draft.step = .question
            try draft.save(db, chat: chat, at: now)
            startDraftFlow()
            return Reply(html: t(.adminAskQuestion), buttons: [[cancelButton]])
        case "edit":
            guard let latest = try FAQStore.latest(db, id: id), let entry = latest.entry else { return notFound(id) }
            let field = rest.lowercased()
            guard Self.editableFields.contains(field) || Self.languageField(field) != nil else {
                return Reply(html: t(.adminUsage, ["body": HTML.escape(Self.usage)], html: ["body"]))
            }
            let draft = FAQDraft(step: .value, entry: entry, basedOn: latest.version, field: field, at: now)
            try draft.save(db, chat: chat, at: now)
            startDraftFlow()
            return Reply(html: t(.adminAskValue, ["field": field, "current": currentValue(entry, field)]), buttons: [[cancelButton]])
        case "alias":
            guard let latest = try FAQStore.latest(db, id: id), let entry = latest.entry else { return notFound(id) }
            guard !rest.isEmpty else { return Reply(html: t(.adminUsage, ["body": HTML.escape(Self.usage)], html: ["body"])) }
            return try applyChange(.save(entry.with(phrasings: entry.phrasings + [rest]), basedOn: latest.version), accept: false, acceptedPhrasings: [rest])
        case "delete":
            guard let latest = try FAQStore.latest(db, id: id), latest.entry != nil else { return notFound(id) }
            return try review(.delete(id: id, basedOn: latest.version))
        case "rollback":
            guard let latest = try FAQStore.latest(db, id: id), let version = Int(rest) else { return notFound(id) }
            return try review(.rollback(id: id, to: version, basedOn: latest.version))
        case "test":
            let text = (id + " " + rest).trimmingWhitespace
            return Reply(html: t(.adminTest, ["body": try testReport(text)], html: ["body"]))
        case "cancel":
            try FAQDraft.discard(db, chat: chat)
            conversation.flow = nil
            return Reply(html: t(.adminCancelled))
        default:
            return Reply(html: t(.adminUsage, ["body": HTML.escape(Self.usage)], html: ["body"]))
        }
    }

    static let usage = """
        /faq list [topic] · /faq show ID · /faq add · /faq edit ID FIELD · /faq alias ID PHRASING
        /faq delete ID · /faq history ID · /faq rollback ID VERSION · /faq test QUESTION · /faq cancel
        /unanswered · /stats · /op add ID · /op remove ID · /op list
        FIELD: question.zh-Hans|question.zh-Hant|question.en · phrasings · answer.zh-Hans|answer.zh-Hant|answer.en · topic · tags · threshold
        """

    static let editableFields: Set<String> = ["phrasings", "topic", "tags", "threshold"]

    /// `answer.en` → (answer, .en); nil for anything else.
    static func languageField(_ field: String) -> (kind: String, language: Language)? {
        let parts = field.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "answer" || parts[0] == "question",
            let language = Language.allCases.first(where: { $0.rawValue.lowercased() == parts[1].lowercased() })
        else { return nil }
        return (parts[0], language)
    }

    var cancelButton: OutboundButton { OutboundButton(label(.adminButtonCancel), "fq:cancel") }

    mutating func startDraftFlow() {
        conversation.flow = .faqDraft
        conversation.flowID = nil
        conversation.flowExpiresAt = now.adding(seconds: FAQDraft.lifetimeSeconds)
    }

    func notFound(_ id: String) -> Reply { Reply(html: t(.adminNotFound, ["id": id])) }

    /// An entry for operators: tags, questions, phrasings and answers.
    func describe(_ entry: FAQEntry) -> String {
        var lines = ["<i>\(HTML.escape(entry.topic))</i> · \(HTML.escape((entry.regions + entry.carriers).joined(separator: ", ")))"]
        for language in Language.allCases {
            if let q = entry.question[language] { lines.append("❓ \(language.rawValue): \(HTML.escape(q))") }
        }
        lines.append("≈ " + entry.phrasings.map { HTML.escape($0) }.joined(separator: " · "))
        for language in Language.allCases {
            if let answer = entry.answer[language] {
                lines.append("\n<b>\(language.rawValue)</b>\n\(answer)")
            } else if entry.leftOut.contains(language) {
                lines.append("\n<b>\(language.rawValue)</b> —")
            }
        }
        return lines.joined(separator: "\n")
    }

    func currentValue(_ entry: FAQEntry, _ field: String) -> String {
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
        func lines(_ decision: Decision) -> String {
            let top = decision.candidates.prefix(3).map { c in
                let target = if case .faq(let id) = c.target { "faq:" + id } else { c.label }
                return "\(HTML.escape(target)) \(String(Int((c.score * 100).rounded())))%"
            }
            return "→ <b>\(HTML.escape(RegressionGate.describe(decision)))</b>\n" + top.joined(separator: " · ")
        }
        var report = "<b>now</b> " + lines(knowledge.classifier.classify(text))
        if let draft = try FAQDraft.load(db, chat: chat, at: now), validatorProblems(draft.entry).isEmpty {
            var entries = try FAQStore.current(db)
            if let index = entries.firstIndex(where: { $0.id == draft.entry.id }) { entries[index] = draft.entry } else { entries.append(draft.entry) }
            report += "\n<b>draft</b> " + lines(knowledge.classifier.replacingFAQ(entries.map(\.document)).classify(text))
        }
        return report
    }

    func validatorProblems(_ entry: FAQEntry) -> [FAQProblem] { assistant.faqEditor.validator.problems(entry) }

    // MARK: the guided draft

    /// The operator's text for the draft's current step.
    mutating func continueDraft(_ text: String) throws -> Reply? {
        guard try isOperator, var draft = try FAQDraft.load(db, chat: chat, at: now) else {
            conversation.flow = nil
            return nil
        }
        var entry = draft.entry
        let skip = ["skip", "-", "跳过", "跳過", "none", "无", "無"].contains(text.lowercased())
        switch draft.step {
        case .question:
            let detected = knowledge.detector.detect(text) ?? language
            entry = entry.with(question: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, text) }).merging([detected: text]) { $1 })
            draft.step = .phrasings
            draft.entry = entry
            try draft.save(db, chat: chat, at: now)
            return Reply(html: t(.adminAskPhrasings), buttons: [[cancelButton]])
        case .phrasings:
            let phrasings = skip ? [] : text.split(separator: "\n").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
            entry = entry.with(phrasings: phrasings)
            draft.step = .answerZhHans
        case .answerZhHans, .answerZhHant, .answerEn:
            let target: Language = draft.step == .answerZhHans ? .zhHans : draft.step == .answerZhHant ? .zhHant : .en
            entry = entry.answering(target, skip ? nil : text)
            draft.step = target == .zhHans ? .answerZhHant : target == .zhHant ? .answerEn : .topic
        case .tags:
            let words = skip ? [] : text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "，" }).map(String.init)
            entry = entry.with(
                regions: words.map { $0.uppercased() }.filter { ["US", "HK", "UK"].contains($0) },
                carriers: words.map { $0.lowercased() }.filter { !["us", "hk", "uk"].contains($0) })
            if entry.id.isEmpty { entry = entry.with(id: try newID(for: entry)) }
            draft.entry = entry
            return try preview(&draft)
        case .value:
            entry = try apply(field: draft.field ?? "", value: text, skip: skip, to: entry)
            draft.entry = entry
            return try preview(&draft)
        case .topic, .preview:
            return Reply(html: t(.adminUseButtons), buttons: [[cancelButton]])
        }
        draft.entry = entry
        try draft.save(db, chat: chat, at: now)
        return askNext(draft)
    }

    func askNext(_ draft: FAQDraft) -> Reply {
        switch draft.step {
        case .answerZhHans: return Reply(html: t(.adminAskAnswer, ["language": Self.languageName(.zhHans)]), buttons: [[cancelButton]])
        case .answerZhHant: return Reply(html: t(.adminAskAnswer, ["language": Self.languageName(.zhHant)]), buttons: [[cancelButton]])
        case .answerEn: return Reply(html: t(.adminAskAnswer, ["language": Self.languageName(.en)]), buttons: [[cancelButton]])
        case .topic:
            let topics = Labels.faqEntryTopics.sorted()
            let rows = stride(from: 0, to: topics.count, by: 3).map { i in topics[i..<min(i + 3, topics.count)].map { OutboundButton($0, "fq:topic:\($0)") } }
            return Reply(html: t(.adminAskTopic), buttons: rows + [[cancelButton]])
        case .tags: return Reply(html: t(.adminAskTags), buttons: [[cancelButton]])
        default: return Reply(html: t(.adminUseButtons), buttons: [[cancelButton]])
        }
    }

    /// `topic-carrier` (or region), made unique with a number.
    func newID(for entry: FAQEntry) throws -> String {
        let base = ([entry.topic.replacing("_", with: "-")] + (entry.carriers.prefix(1) + entry.regions.prefix(1).map { $0.lowercased() }))
            .joined(separator: "-")
        var candidate = base, n = 2
        while try FAQStore.latest(db, id: candidate) != nil {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }

    func apply(field: String, value: String, skip: Bool, to entry: FAQEntry) throws -> FAQEntry {
        if let (kind, language) = Self.languageField(field) {
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
        case "tags":
            let words = skip ? [] : value.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            return entry.with(
                regions: words.map { $0.uppercased() }.filter { ["US", "HK", "UK"].contains($0) },
                carriers: words.map { $0.lowercased() }.filter { !["us", "hk", "uk"].contains($0) })
        case "threshold": return entry.with(threshold: .some(skip ? nil : Double(value.trimmingWhitespace) ?? -1))
        default: return entry
        }
    }

    /// Shows the draft's diff, its problems and its regressions, with Save (or Save anyway) and Cancel.
    mutating func preview(_ draft: inout FAQDraft) throws -> Reply {
        draft.step = .preview
        let entry = draft.entry
        let change = FAQEditor.Change.save(entry, basedOn: draft.basedOn)
        let review = try assistant.faqEditor.review(change, in: db, classifier: knowledge.classifier)
        draft.regressions = review.regressions.count
        try draft.save(db, chat: chat, at: now)
        var html = t(.adminPreview, ["id": entry.id, "diff": review.diff.joined(separator: "\n")])
        if !review.problems.isEmpty {
            html += "\n\n" + t(.adminProblems, ["body": review.problems.map { "• \($0.field): \($0.reason)" }.joined(separator: "\n")])
            return Reply(html: html, buttons: [[cancelButton]])
        }
        if let sample = entry.answer[language] ?? entry.answer.values.first { html += "\n\n" + sample }
        if !review.regressions.isEmpty {
            html += "\n\n" + regressionList(review.regressions)
            return Reply(html: html, buttons: [[OutboundButton(label(.adminButtonSaveAnyway), "fq:force"), cancelButton]])
        }
        return Reply(html: html, buttons: [[OutboundButton(label(.adminButtonSave), "fq:save"), cancelButton]])
    }

    func regressionList(_ regressions: [RegressionGate.Regression]) -> String {
        t(.adminRegressions, [
            "count": String(regressions.count),
            "body": regressions.prefix(10).map { "• “\($0.question.text)”: \($0.before) → \($0.after)" }.joined(separator: "\n"),
        ])
    }

    /// Delete and rollback: reviewed first, like a save.
    mutating func review(_ change: FAQEditor.Change) throws -> Reply {
        let review: FAQEditor.Review
        do { review = try assistant.faqEditor.review(change, in: db, classifier: knowledge.classifier) } catch let rejection as FAQEditor.Rejection {
            return Reply(html: t(.adminRefused, ["reason": rejection.description]))
        }
        if !review.problems.isEmpty { return Reply(html: t(.adminProblems, ["body": review.problems.map { "• \($0.field): \($0.reason)" }.joined(separator: "\n")])) }
        if review.regressions.isEmpty { return try applyChange(change, accept: false) }
        // Regressions: ask, remembering the change in the button.
        let payload: String =
            switch change {
            case .delete(let id, let basedOn): "fq:del:\(basedOn):\(id)"
            case .rollback(let id, let to, let basedOn): "fq:rb:\(basedOn ?? 0):\(to):\(id)"
            case .save: "fq:force"
            }
        return Reply(
            html: t(.adminPreview, ["id": change.entryID, "diff": review.diff.joined(separator: "\n")]) + "\n\n" + regressionList(review.regressions),
            buttons: [[OutboundButton(label(.adminButtonSaveAnyway), payload), cancelButton]])
    }

    /// Saves `change`; the reply says what became of it.
    /// Phrasings the operator accepted become labelled questions for later regression gates.
    mutating func applyChange(_ change: FAQEditor.Change, accept: Bool, acceptedPhrasings: [String] = []) throws -> Reply {
        do {
            let version = try assistant.faqEditor.apply(change, in: db, classifier: knowledge.classifier, author: author, at: now, acceptingRegressions: accept)
            if let entry = version.entry {
                for phrasing in acceptedPhrasings.prefix(20) {
                    try AssistantRecords.labelExample(db, text: phrasing, label: entry.topic, target: "faq:\(entry.id)", source: "operator", at: now)
                }
            }
            try FAQDraft.discard(db, chat: chat)
            conversation.flow = nil
            return Reply(html: t(.adminSaved, ["id": version.entryID, "version": String(version.version), "diff": version.note]))
        } catch let rejection as FAQEditor.Rejection {
            if case .regressions(let found) = rejection, case .save = change {
                // An alias that steals a match: same confirmation as a draft.
                var draft = FAQDraft(step: .preview, entry: FAQEntry(id: "", topic: "", question: [:], phrasings: [], answer: [:]), basedOn: nil, field: nil, at: now)
                if case .save(let entry, let basedOn) = change {
                    draft.entry = entry
                    draft.basedOn = basedOn
                }
                draft.regressions = found.count
                try draft.save(db, chat: chat, at: now)
                startDraftFlow()
                return Reply(html: regressionList(found), buttons: [[OutboundButton(label(.adminButtonSaveAnyway), "fq:force"), cancelButton]])
            }
            return Reply(html: t(.adminRefused, ["reason": rejection.description]))
        }
    }

    /// `fq:` buttons: save, save anyway, cancel, a topic, a confirmed delete or rollback.
    mutating func faqButton(_ rest: String) throws -> Reply {
        guard try isOperator else {
            try OperatorRoles.audit(db, actor: author, action: "refused", detail: "button fq:\(rest)", at: now)
            return Reply(html: t(.help), buttons: mainMenu())
        }
        try OperatorRoles.audit(db, actor: author, action: "button", detail: "fq:\(rest)", at: now)
        let parts = rest.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "cancel":
            try FAQDraft.discard(db, chat: chat)
            conversation.flow = nil
            return Reply(html: t(.adminCancelled), editsPressedMessage: true)
        case "topic":
            guard parts.count > 1, var draft = try FAQDraft.load(db, chat: chat, at: now), draft.step == .topic else { return Reply(html: t(.adminDraftGone)) }
            draft.entry = draft.entry.with(topic: parts[1])
            draft.step = .tags
            try draft.save(db, chat: chat, at: now)
            startDraftFlow()
            return askNext(draft)
        case "save", "force":
            guard let draft = try FAQDraft.load(db, chat: chat, at: now), draft.step == .preview else { return Reply(html: t(.adminDraftGone)) }
            let previous = Set(try FAQStore.latest(db, id: draft.entry.id)?.entry?.phrasings ?? [])
            let accepted = draft.entry.phrasings.filter { !previous.contains($0) }
            var reply = try applyChange(.save(draft.entry, basedOn: draft.basedOn), accept: parts[0] == "force", acceptedPhrasings: accepted)
            reply.editsPressedMessage = true
            return reply
        case "del" where parts.count == 3:
            guard let basedOn = Int(parts[1]) else { return Reply(html: t(.adminDraftGone)) }
            return try applyChange(.delete(id: parts[2], basedOn: basedOn), accept: true)
        case "rb" where parts.count == 4:
            guard let basedOn = Int(parts[1]), let to = Int(parts[2]) else { return Reply(html: t(.adminDraftGone)) }
            return try applyChange(.rollback(id: parts[3], to: to, basedOn: basedOn == 0 ? nil : basedOn), accept: true)
        default:
            return Reply(html: t(.adminDraftGone))
        }
    }
}

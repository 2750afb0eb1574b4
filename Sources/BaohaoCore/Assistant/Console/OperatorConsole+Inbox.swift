import Understanding

/// `/unanswered`: the questions the assistant could not answer, grouped, largest first,
/// each group with one-tap actions: add it as phrasings of the entry the classifier
/// guesses, start a new entry from it, or ignore it for good.
extension OperatorConsole {
    func normalize(_ text: String) -> String { context.knowledge.classifier.classify(text).normalized.string }

    func unanswered() throws -> Reply {
        let c = context
        let groups = MissGroups.group(try MissGroups.open(c.db), normalize: normalize).prefix(5)
        guard !groups.isEmpty else { return Reply(html: c.t(.adminUnansweredEmpty)) }
        var lines: [String] = [], buttons: [[OutboundButton]] = []
        for (i, group) in groups.enumerated() {
            let n = i + 1, miss = group.representative.id
            let guess = bestFAQGuess(group.representative.text)
            let samples = group.members.prefix(3).map { "“" + HTML.escape(String($0.text.prefix(80))) + "”" }.joined(separator: " · ")
            lines.append("<b>\(n).</b> ×\(group.members.count) \(samples)" + (guess.map { " → <code>\(HTML.escape($0))</code>" } ?? ""))
            var row: [OutboundButton] = []
            if let guess { row.append(OutboundButton(c.label(.adminButtonPhrasing, ["n": String(n), "id": guess]), .inbox(.addPhrasings(missID: miss, entryID: guess)))) }
            row.append(OutboundButton(c.label(.adminButtonNew, ["n": String(n)]), .inbox(.newEntry(missID: miss))))
            row.append(OutboundButton(c.label(.adminButtonIgnore, ["n": String(n)]), .inbox(.ignore(missID: miss))))
            buttons.append(row)
        }
        return Reply(html: c.t(.adminUnanswered, ["body": lines.joined(separator: "\n")], html: ["body"]), buttons: buttons)
    }

    /// The FAQ entry the classifier thinks closest, even below its threshold.
    func bestFAQGuess(_ text: String) -> String? {
        for candidate in context.knowledge.classifier.classify(text).candidates {
            if case .faq(let id) = candidate.target { return id }
        }
        return nil
    }

    func inboxButton(_ button: ButtonPayload.InboxButton) throws -> Reply {
        let c = context
        let missID: Int64 =
            switch button {
            case .addPhrasings(let miss, _), .newEntry(let miss), .ignore(let miss): miss
            }
        guard let group = try MissGroups.group(of: missID, in: c.db, normalize: normalize) else {
            return Reply(html: c.t(.adminDraftGone), editsPressedMessage: true)
        }
        let texts = group.members.map(\.text).reduce(into: [String]()) { list, text in if !list.contains(text) { list.append(text) } }
        switch button {
        case .addPhrasings(_, let entryID):
            guard let latest = try FAQStore.latest(c.db, id: entryID), let entry = latest.entry else { return notFound(entryID) }
            let known = Set(entry.phrasings.map { $0.lowercased() })
            let added = texts.filter { !known.contains($0.lowercased()) }.prefix(20)
            let reply = try applyChange(.save(entry.with(phrasings: entry.phrasings + added), basedOn: latest.version), accept: false, acceptedPhrasings: Array(added))
            if try FAQStore.latest(c.db, id: entry.id)?.version != latest.version { try MissGroups.resolve(c.db, group.members, as: "added:\(entry.id)") }
            return reply
        case .newEntry:
            let question = texts[0]
            let draft = FAQDraft(
                step: .answerZhHans,
                entry: FAQEntry(
                    id: "", topic: "", question: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, question) }),
                    phrasings: Array(texts.dropFirst().prefix(20)), answer: [:]),
                basedOn: nil, field: nil, at: c.now)
            try draft.save(c.db, chat: c.chat, at: c.now)
            try MissGroups.resolve(c.db, group.members, as: "new")
            try OperatorRoles.audit(c.db, actor: c.author, action: "unanswered.new", detail: "\(group.members.count) question(s): \(question)", at: c.now)
            startDraftFlow()
            return Reply(html: c.t(.adminNewFromMisses, ["question": question, "count": String(texts.count - 1)]) + "\n\n" + askNext(draft).html, buttons: [[cancelButton]])
        case .ignore:
            try MissGroups.resolve(c.db, group.members, as: "ignored")
            try OperatorRoles.audit(c.db, actor: c.author, action: "unanswered.ignore", detail: "\(group.members.count) question(s): \(texts[0])", at: c.now)
            return Reply(html: c.t(.adminIgnored, ["count": String(group.members.count)]))
        }
    }
}

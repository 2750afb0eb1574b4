import Understanding

/// Operators' inbox and figures: the unanswered questions grouped with one-tap actions,
/// /stats, and who else is an operator.
extension Turn {
    // MARK: /unanswered

    func normalize(_ text: String) -> String { knowledge.classifier.classify(text).normalized.string }

    mutating func unanswered() throws -> Reply {
        let groups = MissGroups.group(try MissGroups.open(db), normalize: normalize).prefix(5)
        guard !groups.isEmpty else { return Reply(html: t(.adminUnansweredEmpty)) }
        var lines: [String] = [], buttons: [[OutboundButton]] = []
        for (i, group) in groups.enumerated() {
            let n = i + 1
            let guess = bestFAQGuess(group.representative.text)
            let samples = group.members.prefix(3).map { "“" + HTML.escape(String($0.text.prefix(80))) + "”" }.joined(separator: " · ")
            lines.append("<b>\(n).</b> ×\(group.members.count) \(samples)" + (guess.map { " → <code>\(HTML.escape($0))</code>" } ?? ""))
            var row: [OutboundButton] = []
            if let guess { row.append(OutboundButton(label(.adminButtonPhrasing, ["n": String(n), "id": guess]), "un:p:\(group.representative.id):\(guess)")) }
            row.append(OutboundButton(label(.adminButtonNew, ["n": String(n)]), "un:n:\(group.representative.id)"))
            row.append(OutboundButton(label(.adminButtonIgnore, ["n": String(n)]), "un:i:\(group.representative.id)"))
            buttons.append(row)
        }
        return Reply(html: t(.adminUnanswered, ["body": lines.joined(separator: "\n")], html: ["body"]), buttons: buttons)
    }

    /// The FAQ entry the classifier thinks closest, even below its threshold.
    func bestFAQGuess(_ text: String) -> String? {
        for candidate in knowledge.classifier.classify(text).candidates {
            if case .faq(let id) = candidate.target { return id }
        }
        return nil
    }

    /// `un:p:<miss>:<entry>` adds the group as phrasings of the entry, `un:n:<miss>` starts a
    /// new entry from it, `un:i:<miss>` ignores the group for good.
    mutating func inboxButton(_ rest: String) throws -> Reply {
        guard try isOperator else {
            try OperatorRoles.audit(db, actor: author, action: "refused", detail: "button un:\(rest)", at: now)
            return Reply(html: t(.help), buttons: mainMenu())
        }
        try OperatorRoles.audit(db, actor: author, action: "button", detail: "un:\(rest)", at: now)
        let parts = rest.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count >= 2, let missID = Int64(parts[1]), let group = try MissGroups.group(of: missID, in: db, normalize: normalize) else {
            return Reply(html: t(.adminDraftGone), editsPressedMessage: true)
        }
        let texts = group.members.map(\.text).reduce(into: [String]()) { list, text in if !list.contains(text) { list.append(text) } }
        switch parts[0] {
        case "p" where parts.count == 3:
            guard let latest = try FAQStore.latest(db, id: parts[2]), let entry = latest.entry else { return notFound(parts[2]) }
            let known = Set(entry.phrasings.map { $0.lowercased() })
            let added = texts.filter { !known.contains($0.lowercased()) }.prefix(20)
            let reply = try applyChange(.save(entry.with(phrasings: entry.phrasings + added), basedOn: latest.version), accept: false, acceptedPhrasings: Array(added))
            if try FAQStore.latest(db, id: entry.id)?.version != latest.version { try MissGroups.resolve(db, group.members, as: "added:\(entry.id)") }
            return reply
        case "n":
            var draft = FAQDraft(
                step: .phrasings, entry: FAQEntry(id: "", topic: "", question: [:], phrasings: [], answer: [:]), basedOn: nil, field: nil, at: now)
            let question = texts[0]
            draft.entry = FAQEntry(
                id: "", topic: "", question: Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, question) }), phrasings: Array(texts.dropFirst().prefix(20)),
                answer: [:])
            draft.step = .answerZhHans
            try draft.save(db, chat: chat, at: now)
            try MissGroups.resolve(db, group.members, as: "new")
            try OperatorRoles.audit(db, actor: author, action: "unanswered.new", detail: "\(group.members.count) question(s): \(question)", at: now)
            startDraftFlow()
            return Reply(html: t(.adminNewFromMisses, ["question": question, "count": String(texts.count - 1)]) + "\n\n" + askNext(draft).html, buttons: [[cancelButton]])
        case "i":
            try MissGroups.resolve(db, group.members, as: "ignored")
            try OperatorRoles.audit(db, actor: author, action: "unanswered.ignore", detail: "\(group.members.count) question(s): \(texts[0])", at: now)
            return Reply(html: t(.adminIgnored, ["count": String(group.members.count)]))
        default:
            return Reply(html: t(.adminDraftGone))
        }
    }

    // MARK: /stats

    func stats() throws -> Reply {
        func total(_ metric: DailyCounts.Metric, _ days: Int) throws -> Int { try DailyCounts.series(db, metric, days: days, endingAt: now).reduce(0, +) }
        var rows: [String] = []
        for days in [1, 7] {
            let messages = try total(.messages, days), clarify = try total(.clarify, days)
            let rate = messages == 0 ? "—" : String(Int((Double(clarify) / Double(messages) * 100).rounded())) + "%"
            rows.append(
                t(.adminStatsRow, [
                    "days": String(days), "messages": String(messages), "labels": String(try total(.labels, days)), "misses": String(try total(.misses, days)),
                    "clarify": rate, "alerts": String(try total(.alerts, days)),
                ]))
        }
        let messages = try DailyCounts.series(db, .messages, days: 14, endingAt: now), misses = try DailyCounts.series(db, .misses, days: 14, endingAt: now)
        return Reply(
            html: t(.adminStats, [
                "rows": rows.joined(separator: "\n"), "messages": DailyCounts.sparkline(messages), "misses": DailyCounts.sparkline(misses),
            ], html: ["rows"]))
    }

    // MARK: /op

    mutating func operators(_ argument: String) throws -> Reply {
        let words = argument.split(separator: " ").map(String.init)
        let configured = assistant.settings.operators
        switch (words.first?.lowercased(), words.count > 1 ? Int64(words[1]) : nil) {
        case ("add", let user?):
            if try OperatorRoles.add(db, user: user, by: author, at: now) {
                try OperatorRoles.audit(db, actor: author, action: "op.add", detail: String(user), at: now)
            }
            return Reply(html: t(.adminOpAdded, ["user": String(user)]))
        case ("remove", let user?):
            if configured.contains(user) { return Reply(html: t(.adminOpConfigured, ["user": String(user)])) }
            if try OperatorRoles.remove(db, user: user) {
                try OperatorRoles.audit(db, actor: author, action: "op.remove", detail: String(user), at: now)
            }
            return Reply(html: t(.adminOpRemoved, ["user": String(user)]))
        default:
            let stored = try OperatorRoles.stored(db).map { "\($0.user) (\($0.addedBy))" }
            let all = configured.sorted().map { "\($0) (config)" } + stored
            return Reply(html: t(.adminOpList, ["body": all.joined(separator: "\n")]))
        }
    }
}

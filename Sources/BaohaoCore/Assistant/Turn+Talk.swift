import Understanding
import BaohaoSupport

/// FAQ answers, clarifying questions, hand-off, alert settings, language and commands.
extension Turn {
    // MARK: FAQ

    func question(_ entry: FAQEntry) -> String { entry.question[language] ?? entry.question[.zhHans] ?? entry.id }

    mutating func faqAnswer(_ entry: FAQEntry, context: MessageContext = MessageContext(decision: nil)) throws -> Reply {
        conversation.lastLabel = entry.topic
        conversation.lastEntry = entry.id
        var html = entry.answer[language] ?? entry.answer[.zhHans] ?? ""
        // Personal where a bound line makes it concrete: its carrier's grace days or methods.
        // A carrier the message names comes first, bound or not.
        let bound = context.select(try lines.lines(visibleTo: me), catalogue: assistant.catalogue)
        let relevant = bound.first { entry.carriers.isEmpty || entry.carriers.contains($0.carrier) }
        let named = context.carriers.compactMap { assistant.catalogue.carrier($0) }.filter { c in relevant.map { $0.carrier != c.id } ?? true }.sorted { $0.id < $1.id }
        if let carrier = named.first, ["missed_renewal", "payment_methods"].contains(entry.topic) {
            html += "\n\n" + carrierFacts(carrier, topic: entry.topic)
        } else if let line = relevant, let carrier = assistant.catalogue.carrier(line.carrier), ["missed_renewal", "payment_methods"].contains(entry.topic) {
            html += "\n\n" + t(.faqYourLine, ["number": line.number.maskedForDisplay, "carrier": carrierName(line.carrier)]) + "\n" + carrierFacts(carrier, topic: entry.topic)
        }
        let related = relatedEntries(entry)
        if !related.isEmpty { html += "\n\n" + t(.faqRelated) }
        return Reply(html: html, buttons: related.map { [OutboundButton(String(question($0).prefix(60)), "faq:\($0.id)")] })
    }

    /// The catalogue's facts for a topic: a carrier's grace and recycling, or its payment methods.
    func carrierFacts(_ carrier: Carrier, topic: String) -> String {
        if topic == "missed_renewal" {
            return t(.faqYourGrace, ["carrier": carrierName(carrier.id), "grace_days": String(carrier.graceDays), "recycle_days": String(carrier.recycleAfterDays)])
        }
        return t(.faqYourMethods, ["carrier": carrierName(carrier.id), "methods": paymentMethodNames(carrier)])
    }

    /// Up to three other entries on the same topic, those about the same region or carrier first.
    func relatedEntries(_ entry: FAQEntry) -> [FAQEntry] { Self.related(to: entry, in: knowledge.faq) }

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

    func topicName(_ topic: String) -> String {
        ReplyKey(rawValue: "topic.\(topic)").map { label($0) } ?? topic
    }

    func faqTopics() -> Reply {
        var topics: [String] = []
        for entry in knowledge.faq where !topics.contains(entry.topic) { topics.append(entry.topic) }
        let buttons = stride(from: 0, to: topics.count, by: 2).map { i in
            topics[i..<min(i + 2, topics.count)].map { OutboundButton(topicName($0), "tp:\($0)") }
        }
        return Reply(html: t(.faqBrowse), buttons: buttons)
    }

    func faqTopic(_ topic: String) -> Reply {
        let entries = knowledge.faq.filter { $0.topic == topic }.prefix(8)
        return Reply(html: t(.faqTopicQuestions, ["topic": topicName(topic)]), buttons: entries.map { [OutboundButton(String(question($0).prefix(60)), "faq:\($0.id)")] })
    }

    // MARK: clarify

    func optionLabel(_ candidate: Candidate) -> String {
        if case .faq(let id) = candidate.target, let entry = knowledge.faqByID[id] { return String(question(entry).prefix(60)) }
        if let key = ReplyKey(rawValue: "label.\(candidate.label)") { return label(key) }
        return topicName(candidate.label)
    }

    static func targetText(_ target: MatchTarget) -> String {
        switch target {
        case .intent(let intent): "intent:\(intent.rawValue)"
        case .faq(let id): "faq:\(id)"
        case .outOfScope: "out_of_scope"
        }
    }

    mutating func clarify(_ options: [Candidate], text: String) throws -> Reply {
        let chosen = Array(options.prefix(3))
        let id = try AssistantRecords.recordClarification(
            db, chat: chat, text: text, options: chosen.map { "\($0.label)|\(Self.targetText($0.target))" }, at: now)
        var buttons = chosen.enumerated().map { i, c in [OutboundButton(optionLabel(c), "cl:\(id):\(i)")] }
        buttons.append([OutboundButton(label(.clarifyNone), "cl:\(id):x")])
        return Reply(html: t(.clarifyQuestion), buttons: buttons)
    }

    mutating func clarifyTap(id: Int64, choice: String) throws -> Reply {
        guard let stored = try AssistantRecords.clarification(db, id: id, chat: chat) else { return Reply(html: t(.flowExpired)) }
        guard let index = Int(choice), index < stored.options.count else {
            try AssistantRecords.labelExample(db, text: stored.text, label: Labels.outOfScope, target: nil, source: "clarify:none", at: now)
            try AssistantRecords.logUnanswered(db, chat: chat, text: stored.text, language: language, at: now)
            return Reply(html: t(.clarifyNoneReply), buttons: mainMenu(), editsPressedMessage: true)
        }
        let parts = stored.options[index].split(separator: "|", maxSplits: 1).map(String.init)
        let labelName = parts[0], targetText = parts.count > 1 ? parts[1] : ""
        try AssistantRecords.labelExample(db, text: stored.text, label: labelName, target: targetText, source: "clarify", at: now)
        var target: MatchTarget?
        if targetText.hasPrefix("faq:") { target = .faq(String(targetText.dropFirst(4))) }
        if targetText.hasPrefix("intent:"), let intent = ActionIntent(rawValue: String(targetText.dropFirst(7))) { target = .intent(intent) }
        let decision = knowledge.classifier.classify(stored.text)
        return try route(labelName, target: target, context: MessageContext(decision: decision))
    }

    // MARK: hand-off

    mutating func humanAgent() throws -> Reply {
        if let open = try AssistantRecords.openTicket(db, chat: chat) {
            return Reply(html: t(.agentAlready, ["ticket": AssistantRecords.ticketReference(open)]))
        }
        let id = try AssistantRecords.createTicket(db, chat: chat, user: inbound.userID, at: now)
        let reference = AssistantRecords.ticketReference(id)
        let recent = try AssistantRecords.recentMessages(db, chat: chat).suffix(5).map { "• " + HTML.escape(String($0.prefix(300))) }.joined(separator: "\n")
        notifyOperators(replies.text(.operatorTicket, assistant.settings.defaultLanguage, ["ticket": reference, "chat": String(chat), "messages": recent], html: ["messages"]))
        return Reply(html: t(.agentOpened, ["ticket": reference]))
    }

    /// `/reply TICKET text` and `/close TICKET` from an operator.
    mutating func ticketCommand(_ name: String, _ argument: String) throws -> Reply {
        let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
        let reference = parts.first ?? ""
        guard let id = AssistantRecords.ticketID(reference), let customer = try AssistantRecords.ticketChat(db, id: id) else {
            return Reply(html: t(.operatorUnknownTicket, ["ticket": reference]))
        }
        let ticket = AssistantRecords.ticketReference(id)
        let customerLanguage = try Conversation.load(db, chat: customer).language ?? assistant.settings.defaultLanguage
        if name == "/close" {
            try AssistantRecords.closeTicket(db, id: id, at: now)
            notices.append(OutboundMessage(chatID: customer, html: replies.text(.agentClosed, customerLanguage, ["ticket": ticket])))
            return Reply(html: t(.operatorClosed, ["ticket": ticket]))
        }
        let text = parts.count > 1 ? parts[1] : ""
        guard !text.isEmpty else { return Reply(html: t(.operatorUnknownTicket, ["ticket": reference])) }
        notices.append(OutboundMessage(chatID: customer, html: replies.text(.agentReply, customerLanguage, ["ticket": ticket, "text": text])))
        return Reply(html: t(.operatorReplySent, ["ticket": ticket]))
    }

    // MARK: alerts

    func alerts(notice: Bool = false) throws -> Reply {
        let s = try AssistantRecords.alertSettings(db, chat: chat)
        let quietStart = s.quietStartMinute ?? assistant.settings.quietStartMinute, quietEnd = s.quietEndMinute ?? assistant.settings.quietEndMinute
        let quiet = quietStart == quietEnd ? label(.quietNone) : "\(Self.hhmm(quietStart))–\(Self.hhmm(quietEnd))"
        let days = s.leadDays.map { $0.map(String.init).joined(separator: ", ") } ?? label(.alertsCarrierDefault)
        var html = t(.alertsSettings, ["state": label(s.enabled ? .alertsOn : .alertsOff), "days": days, "quiet": quiet])
        html += "\n" + t(.alertsZoneLine, ["zone": s.timeZone ?? label(.alertsZoneDefaultButton)])
        if notice { html = t(.alertsUpdated) + "\n" + html }
        let buttons: [[OutboundButton]] = [
            [s.enabled ? OutboundButton(label(.alertsTurnOff), "al:off") : OutboundButton(label(.alertsTurnOn), "al:on")],
            [OutboundButton(label(.alertsLeadButton, ["days": "7, 3, 1"]), "al:lead:7,3,1"), OutboundButton(label(.alertsLeadButton, ["days": "30, 14, 7, 1"]), "al:lead:30,14,7,1")],
            [OutboundButton(label(.alertsCarrierDefault), "al:lead:default")],
            [OutboundButton(label(.alertsQuietButton, ["hours": "22:00–08:00"]), "al:quiet:1320-480"), OutboundButton(label(.alertsQuietOffButton), "al:quiet:off")],
            Self.alertZones.map { OutboundButton(label(.alertsZoneButton, ["zone": $0]), "al:tz:\($0)") },
            [OutboundButton(label(.alertsZoneDefaultButton), "al:tz:default")],
        ]
        return Reply(html: html, buttons: buttons)
    }

    mutating func changeAlerts(_ change: String) throws -> Reply {
        var s = try AssistantRecords.alertSettings(db, chat: chat)
        switch change {
        case "on":
            s.enabled = true
            try db.execute("DELETE FROM alert_optouts WHERE chat_id = ?", chat)
        case "off": s.enabled = false
        case "lead:default": s.leadDays = nil
        case "quiet:off": (s.quietStartMinute, s.quietEndMinute) = (0, 0)
        case "tz:default": s.timeZone = nil
        default:
            if change.hasPrefix("tz:"), ZoneInfo.named(String(change.dropFirst(3))) != nil { s.timeZone = String(change.dropFirst(3)) }
            if change.hasPrefix("tz:") {
                // handled above
            } else if change.hasPrefix("lead:") {
                let days = change.dropFirst(5).split(separator: ",").compactMap { Int($0) }.filter { (0...400).contains($0) }
                if !days.isEmpty { s.leadDays = Array(Set(days)).sorted(by: >) }
            } else if change.hasPrefix("quiet:") {
                let bounds = change.dropFirst(6).split(separator: "-").compactMap { Int($0) }
                if bounds.count == 2, bounds.allSatisfy({ (0..<1440).contains($0) }) { (s.quietStartMinute, s.quietEndMinute) = (bounds[0], bounds[1]) }
            }
        }
        try AssistantRecords.saveAlertSettings(db, chat: chat, s, at: now)
        var reply = try alerts(notice: true)
        reply.editsPressedMessage = true
        return reply
    }

    /// Zones where customers of number-keeping lines usually live, offered in /alerts.
    static let alertZones = ["Asia/Shanghai", "Asia/Hong_Kong", "America/Los_Angeles"]

    static func hhmm(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }

    // MARK: commands

    mutating func command(_ text: String) throws -> Reply {
        let head = text.split(separator: " ", maxSplits: 1).map(String.init)
        // `/balance@BaohaoBot` in groups.
        let name = head[0].split(separator: "@").first.map { String($0).lowercased() } ?? head[0]
        let argument = head.count > 1 ? head[1].trimmingWhitespace : ""
        if let reply = try adminCommand(name, argument) { return reply }
        conversation.flow = nil
        let none = MessageContext(decision: nil)
        switch name {
        case "/start":
            if !argument.isEmpty { return try redeem(argument) }
            conversation.lastLabel = nil
            return Reply(html: t(.greeting), buttons: mainMenu())
        case "/help", "/menu": return Reply(html: t(.help), buttons: mainMenu())
        case "/balance": return try balance(none)
        case "/renew": return try renew(none)
        case "/cancel": return try cancel(none)
        case "/bind": return argument.isEmpty ? Reply(html: t(.bindHow)) : try redeem(argument)
        case "/unbind":
            let bound = try lines.lines(visibleTo: me)
            return bound.isEmpty ? Reply(html: t(.bindNone)) : Reply(html: t(.bindList), buttons: unbindButtons(bound))
        case "/alerts": return try alerts()
        case "/lang":
            if let chosen = Language(rawValue: argument) ?? LanguageDetector.language(forCode: argument) { return setLanguage(chosen, edit: false) }
            return Reply(html: t(.langPick), buttons: [Language.allCases.map { OutboundButton(Self.languageName($0), "lang:\($0.rawValue)") }])
        case "/faq": return faqTopics()
        case "/agent": return try humanAgent()
        default: return Reply(html: t(.help), buttons: mainMenu())
        }
    }

    static func languageName(_ language: Language) -> String {
        switch language {
        case .zhHans: "简体中文"
        case .zhHant: "繁體中文"
        case .en: "English"
        }
    }

    mutating func setLanguage(_ chosen: Language, edit: Bool) -> Reply {
        language = chosen
        conversation.languageFixed = true
        return Reply(html: t(.langSet), buttons: mainMenu(), editsPressedMessage: edit)
    }

    // MARK: buttons

    /// The number of a line this chat has bound, by its id (nil otherwise).
    func lineNumber(_ lineID: Int64) throws -> PhoneNumber? {
        try db.queryFirst(
            "SELECT l.number FROM lines l JOIN bindings b ON b.line_id = l.id WHERE l.id = ? AND b.chat_id = ?", lineID, chat
        ) { PhoneNumber(e164: $0.string(0)) } ?? nil
    }

    mutating func press(_ payload: String) throws -> Reply {
        // Never empty, whatever the payload (an empty one included).
        let parts = payload.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let kind = parts[0], rest = parts.count > 1 ? parts[1] : ""
        let none = MessageContext(decision: nil)
        switch kind {
        case "fq": return try faqButton(rest)
        case "un": return try inboxButton(rest)
        case "m":
            switch rest {
            case "bal": return try balance(none)
            case "renew": return try renew(none)
            case "cancel": return try cancel(none)
            case "faq": return faqTopics()
            case "agent": return try humanAgent()
            default: break
            }
        case "bal", "rn", "cx":
            let purpose: LinePurpose = kind == "bal" ? .balance : kind == "rn" ? .renew : .cancel
            conversation.flow = nil
            if rest == "*" { return Reply(html: try lines.lines(visibleTo: me).map(card).joined(separator: "\n\n"), editsPressedMessage: true) }
            guard let number = PhoneNumber(e164: rest), let line = try? lines.line(number, visibleTo: me) else { return Reply(html: t(.balanceNotYours)) }
            var reply = try act(purpose, on: line)
            reply.editsPressedMessage = true
            return reply
        case "ro":
            // ro:<e164>:o:<option> or ro:<e164>:a:<minor units>
            let fields = rest.split(separator: ":").map(String.init)
            guard fields.count == 3, let number = PhoneNumber(e164: fields[0]), let line = try? lines.line(number, visibleTo: me) else {
                return Reply(html: t(.balanceNotYours))
            }
            let choice: RenewalChoice? =
                fields[1] == "o" ? .option(fields[2]) : Int64(fields[2]).map { .amount(Money(minorUnits: $0, currency: line.currency)) }
            guard let choice else { return Reply(html: t(.flowExpired)) }
            return try order(number: number, choice: choice)
        case "cy", "cn":
            guard case .confirmCancel(let e164)? = pendingFlow(rest), let number = PhoneNumber(e164: e164) else {
                conversation.flow = nil
                return Reply(html: t(.flowExpired), editsPressedMessage: true)
            }
            if kind == "cn" {
                conversation.flow = nil
                return Reply(html: t(.cancelAborted, ["number": number.maskedForDisplay]), editsPressedMessage: true)
            }
            var reply = try confirmCancellation(number)
            reply.editsPressedMessage = true
            return reply
        case "ub":
            guard let number = PhoneNumber(e164: rest) else { break }
            let removed = try lines.unbind(number, chat: chat)
            let remaining = try lines.lines(visibleTo: me)
            let head = removed ? t(.bindUnbound, ["number": number.maskedForDisplay]) : t(.bindNone)
            return Reply(html: head, buttons: unbindButtons(remaining), editsPressedMessage: true)
        case "faq":
            if let entry = knowledge.faqByID[rest] { return try faqAnswer(entry) }
            return Reply(html: t(.flowExpired))
        case "tp": return faqTopic(rest)
        case "cl":
            let fields = rest.split(separator: ":").map(String.init)
            guard fields.count == 2, let id = Int64(fields[0]) else { break }
            return try clarifyTap(id: id, choice: fields[1])
        case "al": return try changeAlerts(rest)
        case "az", "ax":
            // A reminder's buttons: remind tomorrow, or no more reminders for this line.
            guard let lineID = Int64(rest), let number = try lineNumber(lineID) else { return Reply(html: t(.balanceNotYours)) }
            let until: String? = kind == "az" ? now.adding(seconds: 86_400).description : nil
            try db.execute(
                """
                INSERT INTO alert_optouts (chat_id, line_id, snoozed_until) VALUES (?, ?, ?)
                ON CONFLICT (chat_id, line_id) DO UPDATE SET snoozed_until = excluded.snoozed_until
                """, chat, lineID, until)
            return Reply(html: kind == "az" ? t(.alertSnoozed) : t(.alertTurnedOff, ["number": number.maskedForDisplay]))
        case "lang":
            if let chosen = Language(rawValue: rest) { return setLanguage(chosen, edit: true) }
        default: break
        }
        return Reply(html: t(.flowExpired))
    }
}

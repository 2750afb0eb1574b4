import Understanding
import BaohaoSupport

/// The handling of one inbound event: a small router that sends a text, a command or a
/// button press to the dialogue it concerns. Whether the sender is an operator is decided
/// here, once, for every command, button and flow that needs it.
struct Turn {
    let context: TurnContext
    /// The text's classification, worked out before the transaction.
    let prepared: Understood?

    var lines: LineDialogue { LineDialogue(context: context) }
    var binding: BindingDialogue { BindingDialogue(context: context) }
    var alerts: AlertSettingsDialogue { AlertSettingsDialogue(context: context) }
    var faq: FAQDialogue { FAQDialogue(context: context) }
    var desk: SupportDesk { SupportDesk(context: context) }
    var console: OperatorConsole { OperatorConsole(context: context) }

    // MARK: - Text

    /// The reply to a text: a command, the answer to a pending question, or what the text asks.
    func respond(to raw: String) throws -> Reply {
        let text = raw.trimmingWhitespace
        if let command = ChatCommand(text: text) { return try run(command, typed: text) }
        let understood = prepared.flatMap { $0.text == text ? $0 : nil }
        let decision = understood?.decision ?? context.knowledge.classifier.classify(text)
        // A person has the conversation: the message goes to them, and the bot stays quiet
        // (it said so when the ticket opened); asking for a person again is answered.
        // (Without an operators' chat nobody would read it: the bot goes on answering.)
        if let reply = try desk.relayFromCustomer(text: text, asksForAPerson: decision.label == ActionIntent.humanAgent.rawValue) { return reply }
        if let flow = context.conversation.activeFlow(at: context.now), let reply = try continueFlow(flow, text: text) { return reply }
        context.conversation.flow = nil
        return try answer(decision, text: text, context: understood?.context)
    }

    // MARK: - Commands

    /// `typed`: the command as the message carried it, for the audit trail.
    func run(_ command: ChatCommand, typed: String) throws -> Reply {
        if command.isOperatorOnly {
            if try admitOperator(action: "command", detail: typed, refused: typed) { return try console.run(command) }
            return try runForCustomer(command.customerFallback)
        }
        return try runForCustomer(command)
    }

    /// In a group, a question about the asker's own line is answered only in private: the
    /// bot never shows a number, balance or expiry there, nor binds or opens a ticket.
    func privately() -> Reply {
        let link = "https://t.me/\(context.settings.botUsername)?start=group"
        return Reply(html: context.t(.groupPrivate, ["link": link]))
    }

    private func runForCustomer(_ command: ChatCommand) throws -> Reply {
        let c = context
        c.conversation.flow = nil
        if c.inbound.isGroup {
            switch command {
            case .balance, .renew, .cancel, .bind, .unbind, .alerts, .agent, .start(code: .some): return privately()
            default: break
            }
        }
        let none = MessageContext(decision: nil)
        switch command {
        case .start(let code?): return try binding.redeem(code)
        case .start(nil):
            c.conversation.lastLabel = nil
            return Reply(html: c.t(.greeting), buttons: c.mainMenu())
        case .balance: return try lines.balance(none)
        case .renew: return try lines.renew(none)
        case .cancel: return try lines.cancel(none)
        case .bind(let code?): return try binding.redeem(code)
        case .bind(nil): return Reply(html: c.t(.bindHow))
        case .unbind: return try binding.list()
        case .alerts: return try alerts.show()
        case .language(let code):
            if let code, let chosen = Language(rawValue: code) ?? LanguageDetector.supportedLanguage(forCode: code) { return setLanguage(chosen, edit: false) }
            return Reply(html: c.t(.langPick), buttons: [Language.allCases.map { OutboundButton(TurnContext.languageName($0), .language($0)) }])
        case .faq: return faq.topics()
        case .agent: return try desk.humanAgent()
        case .help, .menu, .unanswered, .stats, .operators, .reply, .close, .assign, .canned, .cannedSend, .ban, .unban, .unknown:
            return Reply(html: c.t(.help), buttons: c.mainMenu())
        }
    }

    func setLanguage(_ chosen: Language, edit: Bool) -> Reply {
        context.language = chosen
        context.conversation.languageFixed = true
        return Reply(html: context.t(.langSet), buttons: context.mainMenu(), editsPressedMessage: edit)
    }

    // MARK: - Buttons

    /// The reply to a button press; a payload the bot never made gets "this has expired".
    func press(_ raw: String) throws -> Reply {
        let c = context
        guard let payload = ButtonPayload(encoded: raw) else {
            // A console button that does not parse is still checked and audited (a forged
            // press leaves its trace); anyone's other unknown press has expired.
            guard ButtonPayload.isOperatorKind(raw) else { return Reply(html: c.t(.flowExpired)) }
            guard try admitOperator(action: "button", detail: raw, refused: "button " + raw) else { return Reply(html: c.t(.help), buttons: c.mainMenu()) }
            return Reply(html: c.t(.adminDraftGone))
        }
        if payload.isOperatorOnly {
            guard try admitOperator(action: "button", detail: payload.encoded, refused: "button " + payload.encoded) else {
                return Reply(html: c.t(.help), buttons: c.mainMenu())
            }
        }
        let none = MessageContext(decision: nil)
        if c.inbound.isGroup {
            switch payload {
            case .menu(.balance), .menu(.renew), .menu(.cancel), .menu(.agent), .line, .renewalOrder, .confirmCancel, .abortCancel, .unbind, .alertSetting,
                .snoozeAlerts, .stopAlerts:
                return privately()
            default: break
            }
        }
        switch payload {
        case .menu(.balance): return try lines.balance(none)
        case .menu(.renew): return try lines.renew(none)
        case .menu(.cancel): return try lines.cancel(none)
        case .menu(.faq): return faq.topics()
        case .menu(.agent): return try desk.humanAgent()
        case .line(let purpose, let choice): return try lines.pressed(purpose, choice)
        case .renewalOrder(let number, let pick): return try lines.order(number: number, pick: pick)
        case .confirmCancel(let id): return try lines.answerCancel(flowID: id, confirmed: true)
        case .abortCancel(let id): return try lines.answerCancel(flowID: id, confirmed: false)
        case .carrierRegion(let id, let region): return faq.carriers(of: region, flowID: id)
        case .carrier(let id, let carrier):
            guard let question = faq.choose(carrier: carrier, flowID: id) else { return Reply(html: c.t(.flowExpired), editsPressedMessage: true) }
            return try answerAgain(question).editing
        case .unbind(let number): return try binding.unbind(number)
        case .faqEntry(let id): return try faq.entry(id)
        case .faqTopic(let topic): return faq.topic(topic)
        case .clarify(let id, let choice):
            switch try faq.clarifyTap(id: id, choice: choice) {
            case .reply(let reply): return reply
            case .chosen(let label, let target, let message, let text): return try route(label, target: target, context: message, text: text)
            }
        case .alertSetting(let change): return try alerts.change(change)
        case .snoozeAlerts(let lineID): return try alerts.optOut(lineID: lineID, snooze: true)
        case .stopAlerts(let lineID): return try alerts.optOut(lineID: lineID, snooze: false)
        case .language(let language): return setLanguage(language, edit: true)
        case .faqAdmin(let button): return try console.press(button)
        case .refundOrder(let reference): return try PaymentDesk(context: c).refund(reference)
        case .inbox(let button): return try console.press(button)
        }
    }

    // MARK: - Operators

    /// The operator check, the one place it is made for commands and buttons: true for an
    /// operator (the action is audited), false for anyone else (audited as refused).
    func admitOperator(action: String, detail: String, refused: String) throws -> Bool {
        let c = context
        if try isOperator() {
            try OperatorRoles.audit(c.db, actor: c.author, action: action, detail: detail, at: c.now)
            return true
        }
        try OperatorRoles.audit(c.db, actor: c.author, action: "refused", detail: refused, at: c.now)
        return false
    }

    func isOperator() throws -> Bool {
        try OperatorRoles.isOperator(context.db, user: context.inbound.userID, configured: context.settings.operators)
    }
}

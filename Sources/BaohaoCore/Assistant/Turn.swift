import Storage
import Understanding
import BaohaoSupport

/// The handling of one inbound event: its connection, instant, conversation and language.
struct Turn {
    let inbound: Inbound
    let now: Instant
    let db: Connection
    var conversation: Conversation
    var language: Language
    let knowledge: AssistantKnowledge
    let lines: LineSession
    unowned let assistant: Assistant
    /// Messages for other chats (operators, a ticket's customer).
    var notices: [OutboundMessage] = []
    /// The text's classification, worked out before the transaction.
    var prepared: Understood?

    var chat: Int64 { inbound.chatID }
    var me: LineActor { .chat(inbound.chatID) }
    var replies: ReplyBook { knowledge.replies }

    func t(_ key: ReplyKey, _ values: [String: String] = [:], html: Set<String> = []) -> String {
        replies.text(key, language, values, html: html)
    }

    func label(_ key: ReplyKey, _ values: [String: String] = [:]) -> String { replies.label(key, language, values) }

    // MARK: - Text

    mutating func respond(to raw: String) throws -> Reply {
        let text = raw.trimmingWhitespace
        if text.hasPrefix("/") { return try command(text) }
        if let flow = conversation.activeFlow(at: now), let reply = try continueFlow(flow, text: text) { return reply }
        conversation.flow = nil
        let understood = prepared.flatMap { $0.text == text ? $0 : nil }
        let decision = understood?.decision ?? knowledge.classifier.classify(text)
        let reply = try answer(decision, text: text, context: understood?.context)
        try forwardToOpenTicket(text, label: decision.label)
        return reply
    }

    /// Routes a decision; remembers what was answered for follow-ups.
    mutating func answer(_ decision: Decision, text: String, context: MessageContext? = nil) throws -> Reply {
        let context = context ?? MessageContext(decision: decision)
        if context.hasFollowUpMarker, let followUp = try followUp(context) { return followUp }
        switch decision.outcome {
        case .answer(let candidate):
            return try route(candidate.label, target: candidate.target, context: context)
        case .clarify(let options):
            if let followUp = try followUp(context) { return followUp }
            return try clarify(options, text: text)
        case .outOfScope:
            if let followUp = try followUp(context) { return followUp }
            try AssistantRecords.logUnanswered(db, chat: chat, text: text, language: language, at: now)
            conversation.lastLabel = nil
            return Reply(html: t(.fallback), buttons: mainMenu())
        }
    }

    /// A short message naming only a region, carrier or number ("那香港号呢", "what about
    /// HK?") continues the previous answer.
    mutating func followUp(_ context: MessageContext) throws -> Reply? {
        guard let last = conversation.lastLabel, context.isFollowUpShaped, Self.followUpLabels.contains(last) || Labels.faqEntryTopics.contains(last) else {
            return nil
        }
        if let entryID = conversation.lastEntry, let entry = knowledge.faqByID[entryID] {
            let sibling = knowledge.faq.first { candidate in
                candidate.topic == entry.topic && candidate.id != entry.id
                    && (context.carriers.isEmpty ? !Set(candidate.regions).isDisjoint(with: context.regions) : !Set(candidate.carriers).isDisjoint(with: context.carriers))
            }
            if let sibling { return try faqAnswer(sibling, context: context) }
        }
        return try route(last, target: nil, context: context)
    }

    /// Answers a short follow-up can continue: those about a line or a topic.
    static let followUpLabels: Set<String> = [ActionIntent.checkBalance.rawValue, ActionIntent.renew.rawValue, ActionIntent.cancel.rawValue]

    mutating func route(_ label: String, target: MatchTarget?, context: MessageContext) throws -> Reply {
        conversation.lastLabel = label
        conversation.lastEntry = nil
        if let intent = ActionIntent(rawValue: label) {
            // FAQ entries about renewing, cancelling or the balance answer from live data
            // when the chat has a line; otherwise with the entry's text.
            if case .faq(let id)? = target, let entry = knowledge.faqByID[id], try lines.lines(visibleTo: me).isEmpty,
                [.renew, .cancel, .checkBalance].contains(intent)
            {
                return try faqAnswer(entry, context: context)
            }
            switch intent {
            case .checkBalance: return try balance(context)
            case .renew: return try renew(context)
            case .cancel: return try cancel(context)
            case .bindNumber: return try bindNumber(context)
            case .alertsSubscribe: return try alerts()
            case .humanAgent: return try humanAgent()
            case .greeting: return Reply(html: t(.greeting), buttons: mainMenu())
            case .thanks: return Reply(html: t(.thanks))
            case .help: return Reply(html: t(.help), buttons: mainMenu())
            }
        }
        if case .faq(let id)? = target, let entry = knowledge.faqByID[id] { return try faqAnswer(entry, context: context) }
        return Reply(html: t(.fallback), buttons: mainMenu())
    }

    func mainMenu() -> [[OutboundButton]] {
        [
            [OutboundButton(label(.menuBalance), "m:bal"), OutboundButton(label(.menuRenew), "m:renew"), OutboundButton(label(.menuCancel), "m:cancel")],
            [OutboundButton(label(.menuFaq), "m:faq"), OutboundButton(label(.menuAgent), "m:agent")],
        ]
    }

    // MARK: - Flows

    /// A text answer to a pending question, or nil when the text is about something else.
    mutating func continueFlow(_ flow: Flow, text: String) throws -> Reply? {
        let lowered = text.lowercased()
        switch flow {
        case .confirmCancel(let number):
            guard let phone = PhoneNumber(e164: number) else { return nil }
            if Self.yesWords.contains(lowered) { return try confirmCancellation(phone) }
            if Self.noWords.contains(lowered) {
                conversation.flow = nil
                return Reply(html: t(.cancelAborted, ["number": phone.maskedForDisplay]))
            }
            return nil
        case .pickLine(let purpose):
            let bound = try lines.lines(visibleTo: me)
            let digits = text.filter(\.isNumber)
            guard digits.count >= 2 else { return nil }
            let matches = bound.filter { $0.number.e164.hasSuffix(digits) || digits.hasSuffix(String($0.number.e164.dropFirst())) }
            guard matches.count == 1 else { return nil }
            conversation.flow = nil
            return try act(purpose, on: matches[0])
        case .faqDraft:
            return try continueDraft(text)
        }
    }

    static let yesWords: Set<String> = ["是", "是的", "确认", "確認", "确定", "確定", "好", "好的", "对", "對", "係", "系", "yes", "y", "ok", "okay", "confirm", "sure"]
    static let noWords: Set<String> = ["不", "不是", "否", "算了", "不要", "唔要", "唔係", "no", "n", "nope", "keep", "abort"]

    mutating func startFlow(_ flow: Flow) -> String {
        var generator = SystemRandomNumberGenerator()
        let id = String(generator.next() % 1_000_000_000, radix: 36)
        conversation.flow = flow
        conversation.flowID = id
        conversation.flowExpiresAt = now.adding(seconds: assistant.settings.flowTimeoutSeconds)
        return id
    }

    /// The pending flow, when `id` is the one its buttons carry and it has not expired.
    func pendingFlow(_ id: String) -> Flow? {
        guard conversation.flowID == id else { return nil }
        return conversation.activeFlow(at: now)
    }

    mutating func act(_ purpose: LinePurpose, on line: LineView) throws -> Reply {
        switch purpose {
        case .balance: return Reply(html: card(line))
        case .renew: return try renewLine(line)
        case .cancel: return try cancelWarning(line)
        }
    }

    // MARK: - Operators and tickets

    mutating func notifyOperators(_ html: String) {
        guard let chatID = assistant.settings.operatorChatID else { return }
        notices.append(OutboundMessage(chatID: chatID, html: html))
    }

    mutating func forwardToOpenTicket(_ text: String, label: String) throws {
        guard label != ActionIntent.humanAgent.rawValue, let ticket = try AssistantRecords.openTicket(db, chat: chat) else { return }
        notifyOperators(
            replies.text(.agentForwarded, assistant.settings.defaultLanguage, ["ticket": AssistantRecords.ticketReference(ticket), "chat": String(chat), "text": String(text.prefix(500))]))
    }
}

/// What a message names besides its intent: numbers, carriers, regions.
struct MessageContext: Sendable {
    let numbers: [PhoneNumber]
    let carriers: Set<String>
    let regions: Set<String>
    let textLength: Int
    /// Starts like a follow-up: 那…呢, 咁…, "what about …", "and …".
    let hasFollowUpMarker: Bool

    init(decision: Decision?) {
        var numbers: [PhoneNumber] = [], carriers: Set<String> = []
        for entity in decision?.entities ?? [] {
            switch entity.value {
            case .phoneNumber(let e164, _): if let n = PhoneNumber(e164: e164) { numbers.append(n) }
            case .carrier(let id): carriers.insert(id)
            default: break
            }
        }
        self.numbers = numbers
        self.carriers = carriers
        let text = decision?.normalized.string ?? ""
        let words = Set(text.split(separator: " ").map(String.init))
        var regions: Set<String> = []
        let scalars = Array(text.unicodeScalars)
        for (region, names) in Self.regionWords
        where names.contains(where: { name in name.utf8.allSatisfy({ $0 < 0x80 }) && !name.utf8.contains(0x20) ? words.contains(name) : Self.occurs(name, in: scalars) }) {
            regions.insert(region)
        }
        self.regions = regions
        textLength = text.count
        hasFollowUpMarker = ["那", "咁", "what about", "how about", "and "].contains { text.hasPrefix($0) } || text.hasSuffix("呢")
    }

    /// Plain substring search on scalars (no locale-aware Foundation search on the hot path).
    static func occurs(_ needle: String, in haystack: [Unicode.Scalar]) -> Bool {
        let n = Array(needle.unicodeScalars)
        guard !n.isEmpty, n.count <= haystack.count else { return n.isEmpty }
        for start in 0...(haystack.count - n.count) where haystack[start] == n[0] {
            var k = 1
            while k < n.count, haystack[start + k] == n[k] { k += 1 }
            if k == n.count { return true }
        }
        return false
    }

    /// Region names as customers write them (after normalization: simplified, lower case).
    static let regionWords: [String: [String]] = [
        "HK": ["香港", "港号", "港卡", "hk", "hong kong"],
        "US": ["美国", "美号", "美卡", "us", "usa", "america"],
        "UK": ["英国", "英号", "英卡", "uk", "britain"],
    ]

    var isFollowUpShaped: Bool { textLength <= 16 && (!regions.isEmpty || !carriers.isEmpty || !numbers.isEmpty) }

    /// Lines this message points at among `lines` (all of them when it names nothing).
    func select(_ lines: [LineView], catalogue: CarrierCatalogue) -> [LineView] {
        var selected = lines
        if !carriers.isEmpty { selected = selected.filter { carriers.contains($0.carrier) } }
        if !regions.isEmpty { selected = selected.filter { regions.contains(catalogue.carrier($0.carrier)?.region ?? $0.number.region) } }
        return selected
    }
}

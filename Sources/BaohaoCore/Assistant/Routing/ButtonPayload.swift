public import Understanding

/// Everything a button under a bot message can ask for. The only place that spells payload
/// strings: `encoded` writes them and `init?(encoded:)` reads them back, so a payload made
/// by the alerts, a renewal quote or the FAQ console is always one the assistant routes.
/// A press whose payload does not parse (an old bot's, a forged one) gets "this question
/// has expired".
public enum ButtonPayload: Sendable, Equatable {
    /// A main-menu item.
    case menu(MenuItem)
    /// Show, renew or cancel one of the chat's lines, or show all of them.
    case line(LinePurpose, LineChoice)
    /// Order a renewal option of a line (from a renewal answer or a reminder).
    case renewalOrder(number: PhoneNumber, RenewalPick)
    /// Confirm or abort the cancellation question `flowID`.
    case confirmCancel(flowID: String)
    case abortCancel(flowID: String)
    /// Which carrier a question `flowID` is about: first a region, then a carrier (or a line's carrier).
    case carrierRegion(flowID: String, region: String)
    case carrier(flowID: String, carrierID: String)
    /// Unbind a line from this chat.
    case unbind(PhoneNumber)
    /// Show one FAQ entry, or the questions of one topic.
    case faqEntry(id: String)
    case faqTopic(String)
    /// An answer to clarifying question `id`: one of its options, or "none of these".
    case clarify(id: Int64, ClarifyChoice)
    /// A change to the chat's reminder settings.
    case alertSetting(AlertSettingChange)
    /// A reminder's buttons: remind again tomorrow, or no more reminders for the line.
    case snoozeAlerts(lineID: Int64)
    case stopAlerts(lineID: Int64)
    /// The chat's language.
    case language(Language)
    /// Operators: the FAQ editor's buttons (save, save anyway, a topic, confirmed delete or rollback).
    case faqAdmin(FAQAdminButton)
    /// Operators: one-tap actions on a group of unanswered questions.
    case inbox(InboxButton)
    /// Operators: refund the payment of an order that could not be applied.
    case refundOrder(reference: String)

    public enum MenuItem: String, Sendable, CaseIterable {
        case balance = "bal", renew, cancel, faq, agent
    }

    public enum LineChoice: Sendable, Equatable {
        case number(PhoneNumber)
        case all
    }

    /// A renewal option by id, or a top-up of an amount in the line's currency (minor units).
    public enum RenewalPick: Sendable, Equatable {
        case option(String)
        case amount(minorUnits: Int64)
    }

    public enum ClarifyChoice: Sendable, Equatable {
        case option(Int)
        case none
    }

    public enum AlertSettingChange: Sendable, Equatable {
        case on, off
        /// Lead days, largest first; nil: the carrier's.
        case leadDays([Int]?)
        /// Quiet hours in minutes after midnight; nil: none.
        case quietHours(startMinute: Int, endMinute: Int)
        case quietOff
        /// A time zone name; nil: the carrier's.
        case timeZone(String?)
    }

    public enum FAQAdminButton: Sendable, Equatable {
        case cancel
        case topic(String)
        case save
        /// Save although the regression gate found regressions.
        case saveAnyway
        /// Delete or roll back despite regressions, if the entry is still at `basedOn`.
        case delete(id: String, basedOn: Int)
        case rollback(id: String, to: Int, basedOn: Int?)
    }

    public enum InboxButton: Sendable, Equatable {
        /// Add the group of miss `missID` as phrasings of entry `entryID`.
        case addPhrasings(missID: Int64, entryID: String)
        /// Start a new FAQ entry from the group.
        case newEntry(missID: Int64)
        /// Ignore the group for good.
        case ignore(missID: Int64)
    }

    /// Telegram's limit for callback data.
    public static let maximumBytes = 64

    /// Buttons only operators may press; anyone else's press is refused and audited.
    public var isOperatorOnly: Bool {
        switch self {
        case .faqAdmin, .inbox, .refundOrder: true
        default: false
        }
    }

    /// A press that may change the FAQ: what follows it in a batch is answered with the FAQ it leaves.
    public var mayChangeKnowledge: Bool {
        switch self {
        case .faqAdmin, .inbox: true
        default: false
        }
    }

    // MARK: - Encoding

    /// The payload as it travels: short, colon-separated, at most `maximumBytes` for every
    /// value the bot makes (FAQ ids are at most 40 bytes, numbers are E.164).
    public var encoded: String {
        switch self {
        case .menu(let item): "m:" + item.rawValue
        case .line(let purpose, let choice):
            Self.linePrefix(purpose) + ":" + {
                switch choice {
                case .number(let n): n.e164
                case .all: "*"
                }
            }()
        case .renewalOrder(let number, .option(let id)): "ro:\(number.e164):o:\(id)"
        case .renewalOrder(let number, .amount(let minor)): "ro:\(number.e164):a:\(minor)"
        case .confirmCancel(let id): "cy:" + id
        case .abortCancel(let id): "cn:" + id
        case .carrierRegion(let id, let region): "cr:\(id):\(region)"
        case .carrier(let id, let carrier): "cc:\(id):\(carrier)"
        case .unbind(let number): "ub:" + number.e164
        case .faqEntry(let id): "faq:" + id
        case .faqTopic(let topic): "tp:" + topic
        case .clarify(let id, .option(let i)): "cl:\(id):\(i)"
        case .clarify(let id, .none): "cl:\(id):x"
        case .alertSetting(let change): "al:" + Self.encode(change)
        case .snoozeAlerts(let lineID): "az:\(lineID)"
        case .stopAlerts(let lineID): "ax:\(lineID)"
        case .language(let language): "lang:" + language.rawValue
        case .faqAdmin(let button): "fq:" + Self.encode(button)
        case .inbox(.addPhrasings(let miss, let entry)): "un:p:\(miss):\(entry)"
        case .inbox(.newEntry(let miss)): "un:n:\(miss)"
        case .inbox(.ignore(let miss)): "un:i:\(miss)"
        case .refundOrder(let reference): "rf:" + reference
        }
    }

    private static func linePrefix(_ purpose: LinePurpose) -> String {
        switch purpose {
        case .balance: "bal"
        case .renew: "rn"
        case .cancel: "cx"
        }
    }

    private static func encode(_ change: AlertSettingChange) -> String {
        switch change {
        case .on: "on"
        case .off: "off"
        case .leadDays(nil): "lead:default"
        case .leadDays(let days?): "lead:" + days.map(String.init).joined(separator: ",")
        case .quietHours(let start, let end): "quiet:\(start)-\(end)"
        case .quietOff: "quiet:off"
        case .timeZone(nil): "tz:default"
        case .timeZone(let zone?): "tz:" + zone
        }
    }

    private static func encode(_ button: FAQAdminButton) -> String {
        switch button {
        case .cancel: "cancel"
        case .topic(let topic): "topic:" + topic
        case .save: "save"
        case .saveAnyway: "force"
        case .delete(let id, let basedOn): "del:\(basedOn):\(id)"
        case .rollback(let id, let to, let basedOn): "rb:\(basedOn ?? 0):\(to):\(id)"
        }
    }

    // MARK: - Parsing

    /// The payload `text` encodes; nil for anything `encoded` never writes. The colons between
    /// fields are found among the scalars, not the Characters: a colon followed by a combining mark
    /// or a joiner is one Character, and a field starting with one would hide its colon.
    public init?(encoded text: String) {
        let scalars = text.unicodeScalars
        guard text.utf8.count <= Self.maximumBytes, let colon = scalars.firstIndex(of: ":") else { return nil }
        let kind = String(scalars[..<colon]), rest = String(scalars[scalars.index(after: colon)...])
        let fields = rest.unicodeScalars.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch kind {
        case "m":
            guard let item = MenuItem(rawValue: rest) else { return nil }
            self = .menu(item)
        case "bal", "rn", "cx":
            let purpose: LinePurpose = kind == "bal" ? .balance : kind == "rn" ? .renew : .cancel
            if rest == "*" {
                self = .line(purpose, .all)
            } else {
                guard let number = PhoneNumber(e164: rest) else { return nil }
                self = .line(purpose, .number(number))
            }
        case "ro":
            guard fields.count == 3, let number = PhoneNumber(e164: fields[0]), !fields[2].isEmpty else { return nil }
            switch fields[1] {
            case "o": self = .renewalOrder(number: number, .option(fields[2]))
            case "a":
                guard let minor = Int64(fields[2]) else { return nil }
                self = .renewalOrder(number: number, .amount(minorUnits: minor))
            default: return nil
            }
        case "cy", "cn":
            guard !rest.isEmpty, fields.count == 1 else { return nil }
            self = kind == "cy" ? .confirmCancel(flowID: rest) : .abortCancel(flowID: rest)
        case "cr", "cc":
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else { return nil }
            self = kind == "cr" ? .carrierRegion(flowID: fields[0], region: fields[1]) : .carrier(flowID: fields[0], carrierID: fields[1])
        case "ub":
            guard let number = PhoneNumber(e164: rest) else { return nil }
            self = .unbind(number)
        case "faq":
            guard !rest.isEmpty else { return nil }
            self = .faqEntry(id: rest)
        case "tp":
            guard !rest.isEmpty else { return nil }
            self = .faqTopic(rest)
        case "cl":
            guard fields.count == 2, let id = Int64(fields[0]) else { return nil }
            if fields[1] == "x" {
                self = .clarify(id: id, .none)
            } else {
                guard let index = Int(fields[1]), index >= 0 else { return nil }
                self = .clarify(id: id, .option(index))
            }
        case "al":
            guard let change = Self.alertChange(fields) else { return nil }
            self = .alertSetting(change)
        case "az", "ax":
            guard let lineID = Int64(rest) else { return nil }
            self = kind == "az" ? .snoozeAlerts(lineID: lineID) : .stopAlerts(lineID: lineID)
        case "lang":
            guard let language = Language(rawValue: rest) else { return nil }
            self = .language(language)
        case "fq":
            guard let button = Self.faqAdminButton(fields) else { return nil }
            self = .faqAdmin(button)
        case "rf":
            guard fields.count == 1, !fields[0].isEmpty else { return nil }
            self = .refundOrder(reference: fields[0])
        case "un":
            guard fields.count >= 2, let miss = Int64(fields[1]) else { return nil }
            switch (fields[0], fields.count) {
            case ("p", 3) where !fields[2].isEmpty: self = .inbox(.addPhrasings(missID: miss, entryID: fields[2]))
            case ("n", 2): self = .inbox(.newEntry(missID: miss))
            case ("i", 2): self = .inbox(.ignore(missID: miss))
            default: return nil
            }
        default:
            return nil
        }
    }

    private static func alertChange(_ fields: [String]) -> AlertSettingChange? {
        switch (fields.first ?? "", fields.count) {
        case ("on", 1): return .on
        case ("off", 1): return .off
        case ("lead", 2):
            if fields[1] == "default" { return .leadDays(nil) }
            let days = fields[1].split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            guard !days.isEmpty, days.allSatisfy({ $0 != nil }) else { return nil }
            return .leadDays(days.compactMap { $0 })
        case ("quiet", 2):
            if fields[1] == "off" { return .quietOff }
            let bounds = fields[1].split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
            guard bounds.count == 2 else { return nil }
            return .quietHours(startMinute: bounds[0], endMinute: bounds[1])
        case ("tz", let n) where n >= 2:
            // Zone names have no colon, but keep whatever follows whole.
            let zone = fields.dropFirst().joined(separator: ":")
            guard !zone.isEmpty else { return nil }
            return .timeZone(zone == "default" ? nil : zone)
        default: return nil
        }
    }

    private static func faqAdminButton(_ fields: [String]) -> FAQAdminButton? {
        switch (fields.first ?? "", fields.count) {
        case ("cancel", 1): return .cancel
        case ("save", 1): return .save
        case ("force", 1): return .saveAnyway
        case ("topic", 2) where !fields[1].isEmpty: return .topic(fields[1])
        case ("del", 3):
            guard let basedOn = Int(fields[1]), !fields[2].isEmpty else { return nil }
            return .delete(id: fields[2], basedOn: basedOn)
        case ("rb", 4):
            guard let basedOn = Int(fields[1]), let to = Int(fields[2]), !fields[3].isEmpty else { return nil }
            return .rollback(id: fields[3], to: to, basedOn: basedOn == 0 ? nil : basedOn)
        default: return nil
        }
    }
}

extension ButtonPayload {
    /// What a button carries when its payload would exceed the limit: it parses as nothing,
    /// so a press answers "this has expired" instead of acting on a cut-off id.
    static let overlong = "-"

    /// A payload of the operators' console (`fq:`, `un:`), even one that does not parse: its
    /// press is checked and audited like a valid one.
    /// Compared as bytes: a colon followed by a joiner is one Character, which `hasPrefix` would miss.
    static func isOperatorKind(_ text: String) -> Bool { ["fq:", "un:", "rf:"].contains { text.utf8.starts(with: $0.utf8) } }
}

extension OutboundButton {
    /// A button that sends `payload` back when pressed. The one place the 64-byte limit is
    /// enforced: a payload over it (which no value the bot makes reaches) becomes one that
    /// parses as nothing, rather than a cut-off one that could name another entry.
    public init(_ label: String, _ payload: ButtonPayload) {
        let text = payload.encoded
        self.init(label: label, payload: text.utf8.count <= ButtonPayload.maximumBytes ? text : ButtonPayload.overlong)
    }
}

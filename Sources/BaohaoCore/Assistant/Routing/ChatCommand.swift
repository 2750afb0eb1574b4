import BaohaoSupport
/// Every slash command the assistant knows. The only place that spells command names:
/// `init?(text:)` reads a message (`/balance`, `/balance@BaohaoBot` in groups, any case) and
/// `text` writes one back; `name` is what the platform's command menu lists.
public enum ChatCommand: Sendable, Equatable {
    /// `/start` or `/start CODE` (a binding link's deep-link code).
    case start(code: String?)
    case help
    case menu
    case balance
    case renew
    case cancel
    /// `/bind` or `/bind CODE`.
    case bind(code: String?)
    case unbind
    case alerts
    /// `/lang` or `/lang en`.
    case language(String?)
    /// `/faq` alone browses the FAQ; with words after it, it is an operator's FAQ command.
    case faq(FAQCommand?)
    case agent
    // Operators.
    case unanswered
    case stats
    /// `/op add ID`, `/op remove ID`, `/op list` (anything else lists).
    case operators(String)
    /// `/reply TICKET text`.
    case reply(ticket: String, text: String)
    /// `/close TICKET`, or `/close` in a ticket's topic.
    case close(ticket: String)
    /// `/assign` in a ticket's topic: the operator who sends it owns the ticket.
    case assign
    /// `/canned`, `/canned add NAME` (in reply to the text to keep), `/canned remove NAME`.
    case canned(String)
    /// `/c NAME` in a ticket's topic: the saved reply goes to the customer.
    case cannedSend(String)
    /// `/ban` in a ticket's topic, or `/ban CHAT`; `/unban` likewise.
    case ban(String)
    case unban(String)
    /// A command the bot does not have (answered with the help).
    case unknown(String)

    /// An operator's `/faq …`.
    public enum FAQCommand: Sendable, Equatable {
        case list(topic: String?)
        case show(id: String)
        case add
        case edit(id: String, field: String)
        case alias(id: String, phrasing: String)
        case delete(id: String)
        case history(id: String)
        case rollback(id: String, version: String)
        /// Add (or change) the entry's answer for a carrier or region: the three answers follow.
        case variant(id: String, scope: String)
        case deleteVariant(id: String, variant: String)
        case test(question: String)
        case cancel
        /// Anything else: the usage is shown.
        case usage(String)
    }

    /// Commands that change or show what only operators may see; from anyone else they are
    /// refused (audited) and the sender gets the customer's assistant instead.
    public var isOperatorOnly: Bool {
        switch self {
        case .faq(.some), .unanswered, .stats, .operators, .reply, .close, .assign, .canned, .cannedSend, .ban, .unban: true
        default: false
        }
    }

    /// A command that may change the FAQ: what follows it in a batch is answered with the FAQ it leaves.
    public var mayChangeKnowledge: Bool {
        switch self {
        case .faq(.some), .unanswered: true
        default: false
        }
    }

    /// What the customer falls back to when an operator-only command is refused: the same
    /// words as a customer command (`/faq list` browses the FAQ), or the help.
    public var customerFallback: ChatCommand {
        switch self {
        case .faq: .faq(nil)
        default: .unknown(name)
        }
    }

    /// The operators' commands, as `/faq` with an unknown sub-command shows them.
    public static let operatorUsage = """
        /faq list [topic] · /faq show ID · /faq add · /faq edit ID FIELD · /faq alias ID PHRASING
        /faq delete ID · /faq history ID · /faq rollback ID VERSION · /faq test QUESTION · /faq cancel
        /faq variant ID CARRIER|REGION (add or change that carrier's answer) · /faq deletevariant ID VARIANT
        /unanswered · /stats · /op add ID · /op remove ID · /op list
        Tickets (in a ticket's topic, or in reply to the bot's post about it): reply to answer · !note · /close · /assign · /c NAME · /canned [add NAME|remove NAME] · /ban · /unban
        FIELD: question.zh-Hans|question.zh-Hant|question.en · phrasings · answer.zh-Hans|answer.zh-Hant|answer.en · topic · tags · threshold · variant.VARIANT.answer.en (…) · variant.VARIANT.tags
        """

    /// The commands of the platform's menu, in menu order, with the reply text that describes each.
    public static let menuEntries: [(command: ChatCommand, description: ReplyKey)] = [
        (.start(code: nil), .commandStart), (.balance, .commandBalance), (.renew, .commandRenew), (.cancel, .commandCancel), (.bind(code: nil), .commandBind),
        (.unbind, .commandUnbind), (.alerts, .commandAlerts), (.faq(nil), .commandFaq), (.agent, .commandAgent), (.language(nil), .commandLang),
        (.help, .commandHelp),
    ]

    /// The command's name without the slash, as the menu lists it.
    public var name: String {
        switch self {
        case .start: "start"
        case .help: "help"
        case .menu: "menu"
        case .balance: "balance"
        case .renew: "renew"
        case .cancel: "cancel"
        case .bind: "bind"
        case .unbind: "unbind"
        case .alerts: "alerts"
        case .language: "lang"
        case .faq: "faq"
        case .agent: "agent"
        case .unanswered: "unanswered"
        case .stats: "stats"
        case .operators: "op"
        case .reply: "reply"
        case .close: "close"
        case .assign: "assign"
        case .canned: "canned"
        case .cannedSend: "c"
        case .ban: "ban"
        case .unban: "unban"
        case .unknown(let name): name
        }
    }

    /// The command as a message would carry it.
    public var text: String {
        let argument: String? =
            switch self {
            case .start(let code), .bind(let code): code
            case .language(let code): code
            case .faq(let sub): sub.map(\.text)
            case .operators(let words): words
            case .reply(let ticket, let text): text.isEmpty ? ticket : ticket + " " + text
            case .close(let ticket): ticket
            case .canned(let words), .cannedSend(let words), .ban(let words), .unban(let words): words
            default: nil
            }
        guard let argument, !argument.isEmpty else { return "/" + name }
        return "/" + name + " " + argument
    }

    /// The command `text` holds; nil when it does not start with a slash.
    public init?(text raw: String) {
        let text = raw.trimmingWhitespace
        guard text.hasPrefix("/") else { return nil }
        let head = text.split(separator: " ", maxSplits: 1).map(String.init)
        // `/balance@BaohaoBot` in groups.
        let name = head[0].dropFirst().split(separator: "@").first.map { $0.lowercased() } ?? ""
        let argument = head.count > 1 ? head[1].trimmingWhitespace : ""
        let optional: String? = argument.isEmpty ? nil : argument
        switch name {
        case "start": self = .start(code: optional)
        case "help": self = .help
        case "menu": self = .menu
        case "balance": self = .balance
        case "renew": self = .renew
        case "cancel": self = .cancel
        case "bind": self = .bind(code: optional)
        case "unbind": self = .unbind
        case "alerts": self = .alerts
        case "lang": self = .language(optional)
        case "faq": self = .faq(optional.map(FAQCommand.init(argument:)))
        case "agent": self = .agent
        case "unanswered": self = .unanswered
        case "stats": self = .stats
        case "op": self = .operators(argument)
        case "reply":
            let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
            self = .reply(ticket: parts.first ?? "", text: parts.count > 1 ? parts[1].trimmingWhitespace : "")
        case "close": self = .close(ticket: argument.split(separator: " ").first.map(String.init) ?? "")
        case "assign": self = .assign
        case "canned": self = .canned(argument)
        case "c": self = .cannedSend(argument)
        case "ban": self = .ban(argument)
        case "unban": self = .unban(argument)
        default: self = .unknown(name)
        }
    }
}

extension ChatCommand.FAQCommand {
    /// The words after `/faq`.
    init(argument: String) {
        let words = argument.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        let sub = words.first?.lowercased() ?? ""
        let id = words.count > 1 ? words[1] : ""
        let rest = words.count > 2 ? words[2].trimmingWhitespace : ""
        switch sub {
        case "list": self = .list(topic: id.isEmpty ? nil : id)
        case "show": self = .show(id: id)
        case "add": self = .add
        case "edit": self = .edit(id: id, field: rest.lowercased())
        case "alias": self = .alias(id: id, phrasing: rest)
        case "delete": self = .delete(id: id)
        case "history": self = .history(id: id)
        case "rollback": self = .rollback(id: id, version: rest)
        case "variant": self = .variant(id: id, scope: rest)
        case "deletevariant": self = .deleteVariant(id: id, variant: rest)
        case "test": self = .test(question: (id + " " + rest).trimmingWhitespace)
        case "cancel": self = .cancel
        default: self = .usage(argument)
        }
    }

    /// The words after `/faq` that parse back to this command.
    var text: String {
        func words(_ items: String...) -> String { items.filter { !$0.isEmpty }.joined(separator: " ") }
        switch self {
        case .list(let topic): return words("list", topic ?? "")
        case .show(let id): return words("show", id)
        case .add: return "add"
        case .edit(let id, let field): return words("edit", id, field)
        case .alias(let id, let phrasing): return words("alias", id, phrasing)
        case .delete(let id): return words("delete", id)
        case .history(let id): return words("history", id)
        case .rollback(let id, let version): return words("rollback", id, version)
        case .variant(let id, let scope): return words("variant", id, scope)
        case .deleteVariant(let id, let variant): return words("deletevariant", id, variant)
        case .test(let question): return words("test", question)
        case .cancel: return "cancel"
        case .usage(let argument): return argument
        }
    }
}

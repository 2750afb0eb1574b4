import Understanding
import BaohaoSupport

/// The operators' console in chat: FAQ editing, the unanswered-questions inbox, /stats,
/// /op and ticket replies. The router has already checked that the sender is an operator
/// and audited the command or button; every change adds its own audit line.
struct OperatorConsole {
    let context: TurnContext

    /// An operator-only command.
    func run(_ command: ChatCommand) throws -> Reply {
        switch command {
        case .faq(let sub?): return try faq(sub)
        case .unanswered: return try unanswered()
        case .stats: return try stats()
        case .operators(let words): return try operators(words)
        case .reply, .close, .assign, .canned, .cannedSend, .ban, .unban:
            return try SupportDesk(context: context).operatorMessage(command: command, text: nil) ?? usage()
        default: return usage()
        }
    }

    /// An operator-only button.
    func press(_ button: ButtonPayload.FAQAdminButton) throws -> Reply { try faqButton(button) }

    func press(_ button: ButtonPayload.InboxButton) throws -> Reply { try inboxButton(button) }

    // MARK: - Shared

    func usage() -> Reply { Reply(html: context.t(.adminUsage, ["body": HTML.escape(ChatCommand.operatorUsage)], html: ["body"])) }

    var cancelButton: OutboundButton { OutboundButton(context.label(.adminButtonCancel), .faqAdmin(.cancel)) }

    func notFound(_ id: String) -> Reply { Reply(html: context.t(.adminNotFound, ["id": id])) }

    /// Waits for the operator's next text for the FAQ draft.
    func startDraftFlow() {
        let c = context
        c.conversation.flow = .faqDraft
        c.conversation.flowID = nil
        c.conversation.flowExpiresAt = c.now.adding(seconds: FAQDraft.lifetimeSeconds)
    }

    func discardDraft() throws {
        try FAQDraft.discard(context.db, chat: context.chat)
        context.conversation.flow = nil
    }
}

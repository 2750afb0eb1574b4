import BaohaoCore
import Storage
import Understanding

#if canImport(Glibc)
import Glibc
#endif
import BaohaoSupport

/// The assistant on standard input and output: one message per line; buttons are shown
/// numbered and chosen by typing their number. Ends at the end of input.
struct ConsoleChat {
    let assistant: Assistant
    let database: Database
    let user: Int64
    let languageHint: String?
    let io: CommandIO
    let interactive: Bool
    let clock: any WallClock

    /// Buttons of the last message shown, with the id of that message.
    private var lastButtons: [OutboundButton] = []
    private var lastButtonMessage: Int64 = 0
    private var nextMessageID: Int64 = 1

    init(assistant: Assistant, database: Database, user: Int64, languageHint: String?, io: CommandIO, interactive: Bool, clock: any WallClock) {
        self.assistant = assistant
        self.database = database
        self.user = user
        self.languageHint = languageHint
        self.io = io
        self.interactive = interactive
        self.clock = clock
    }

    mutating func run(readLine: () -> String?) async throws {
        if interactive { io.out("Baohao console — type a message, a button's number to press it, or Ctrl-D to quit.") }
        while true {
            try await showPushes()
            if interactive { io.out("> ") }
            guard let line = readLine() else { break }
            let text = line.trimmingWhitespace
            guard !text.isEmpty else { continue }
            if !interactive { io.out("> " + text) }
            let kind: Inbound.Kind
            if let n = Int(text), n >= 1, n <= lastButtons.count {
                kind = .button(payload: lastButtons[n - 1].payload, callbackID: "console-\(nextMessageID)")
            } else {
                kind = .text(String(text.prefix(4096)))
            }
            let messageID: Int64
            if case .button = kind { messageID = lastButtonMessage } else { messageID = nextMessageID; nextMessageID += 1 }
            let inbound = Inbound(chatID: user, userID: user, languageHint: languageHint, messageID: messageID, kind: kind)
            let assistant = self.assistant
            let (outputs, stale) = try await database.write { db in
                (try db.transaction { try assistant.handle(inbound, in: db) }, try assistant.staleFAQ(db))
            }
            // An FAQ edit made in this chat (or by `baohao faq import` meanwhile) answers the next message.
            if let stale { assistant.install(stale) }
            for output in outputs { show(output) }
        }
        try await showPushes()
    }

    private mutating func show(_ output: Outbound) {
        switch output {
        case .answerButton: return
        case .copy(let copy):
            io.out("[copied to chat \(copy.toChat): message \(copy.messageIDs.map(String.init).joined(separator: ", ")) of chat \(copy.fromChat)]")
        case .topic(let change):
            io.out("[ticket \(Tickets.reference(change.ticket)): topic \(change.action.rawValue)]")
        case .invoice(let invoice):
            io.out("[invoice \(invoice.reference): \(invoice.title), \(invoice.amount) \(invoice.currency)]")
        case .refundStars(let refund):
            io.out("[refund of order \(refund.reference)]")
        case .send(let message), .edit(_, let message):
            guard message.chatID == user else {
                io.out("[to chat \(message.chatID)] " + HTML.plainText(message.html))
                return
            }
            io.out(HTML.plainText(message.html))
            let buttons = message.buttons.flatMap { $0 }
            if !buttons.isEmpty {
                for (i, button) in buttons.enumerated() { io.out("  [\(i + 1)] \(button.label)") }
                lastButtons = buttons
                lastButtonMessage = nextMessageID
            }
            nextMessageID += 1
            io.out("")
        }
    }

    /// Messages queued for delivery outside a reply (a confirmed renewal order, an
    /// operator's answer): the console delivers them as they appear.
    private mutating func showPushes() async throws {
        let now = clock.now()
        let items = try await database.write { db in
            try db.transaction {
                let items = try Outbox.pending(db)
                for item in items { try Outbox.markSent(db, id: item.id, at: now) }
                return items
            }
        }
        for item in items { show(item.outbound) }
    }
}

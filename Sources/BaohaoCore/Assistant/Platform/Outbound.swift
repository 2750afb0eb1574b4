public import Storage
/// A button under a message. Its payload comes back in the press: a `ButtonPayload`
/// encoded (see `init(_:_:)` there, which keeps it within the Bot API's 64 bytes).
public struct OutboundButton: Sendable, Equatable, Codable {
    public let label: String
    public let payload: String

    /// A button exactly as stored (the outbox codec); the bot makes its buttons from a `ButtonPayload`.
    init(label: String, payload: String) {
        self.label = label
        self.payload = payload
    }
}

/// A message for a chat: Telegram HTML and rows of buttons.
public struct OutboundMessage: Sendable, Equatable, Codable {
    public let chatID: Int64
    public let html: String
    public let buttons: [[OutboundButton]]
    /// The customer message this answers. When the chat has sent more messages before this
    /// one goes out, the adapter quotes it.
    public let answering: Int64?
    /// The ticket the message belongs to. To the operators' chat it goes in the ticket's
    /// topic; to the customer, a failure is reported in that topic.
    public var ticket: TicketLink? = nil

    public init(chatID: Int64, html: String, buttons: [[OutboundButton]] = [], answering: Int64? = nil, ticket: TicketLink? = nil) {
        self.chatID = chatID
        self.html = html
        self.buttons = buttons
        self.answering = answering
        self.ticket = ticket
    }
}

/// A message's place in a ticket, for the sender: which topic, and what to record once it is sent.
public struct TicketLink: Sendable, Equatable, Codable {
    public let ticket: Int64
    /// The message on the other side this one stands for (the customer's message an
    /// operators' post is about, the operator's command a reply to the customer came from):
    /// recorded in the message map once sent, so replies quote across.
    public var counterpart: Int64?
    /// The ticket's card: its message id is kept, to edit the card when the ticket changes.
    public var isCard = false
    /// The message in the destination chat this one replies to (in a topic: the copy of the
    /// customer's message it is about).
    public var replyTo: Int64?

    public init(ticket: Int64, counterpart: Int64? = nil, isCard: Bool = false, replyTo: Int64? = nil) {
        self.ticket = ticket
        self.counterpart = counterpart
        self.isCard = isCard
        self.replyTo = replyTo
    }
}

/// Messages copied from one chat to another for a ticket (the customer's into the topic, an
/// operator's to the customer): they arrive as the bot's own, media and all; an album stays one.
public struct MessageCopy: Sendable, Equatable, Codable {
    public enum Direction: String, Sendable, Codable {
        case toOperators = "o", toCustomer = "c"
    }

    public let ticket: Int64
    public let direction: Direction
    public let fromChat: Int64
    /// One message, or an album's messages in order.
    public let messageIDs: [Int64]
    public let toChat: Int64
    /// The message in the destination chat the copy replies to (a quote kept across).
    public var replyTo: Int64?
    /// Set on the source message once the copy arrived: the sender's receipt.
    public var reaction: String?
    /// The message in the source chat the copied one replies to, when its counterpart was not
    /// known yet when the copy was queued: the sender looks it up just before sending (by then
    /// every earlier copy of the ticket is recorded).
    public var quoting: Int64?

    public init(
        ticket: Int64, direction: Direction, fromChat: Int64, messageIDs: [Int64], toChat: Int64, replyTo: Int64? = nil, reaction: String? = nil,
        quoting: Int64? = nil
    ) {
        self.ticket = ticket
        self.direction = direction
        self.fromChat = fromChat
        self.messageIDs = messageIDs
        self.toChat = toChat
        self.replyTo = replyTo
        self.reaction = reaction
        self.quoting = quoting
    }

    /// The message the copy should reply to in the destination chat, through the message map.
    public func counterpartOfQuoted(_ db: any Connection) throws -> Int64? {
        guard let quoting else { return replyTo }
        switch direction {
        case .toOperators: return try TicketMessages.operatorCounterpart(db, ticket: ticket, customer: quoting)
        case .toCustomer: return try TicketMessages.customerCounterpart(db, ticket: ticket, operator: quoting)
        }
    }
}

/// A change to a ticket's topic in the operators' chat.
public struct TopicChange: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable {
        case close, reopen
    }

    public let chatID: Int64
    public let ticket: Int64
    public let action: Action

    public init(chatID: Int64, ticket: Int64, action: Action) {
        self.chatID = chatID
        self.ticket = ticket
        self.action = action
    }
}

/// What the assistant asks the platform to do.
public enum Outbound: Sendable, Equatable, Codable {
    case send(OutboundMessage)
    /// Replace an earlier bot message (after a button press on it).
    case edit(messageID: Int64, OutboundMessage)
    /// Acknowledge a button press, with an optional short notice.
    case answerButton(callbackID: String, text: String?)
    /// Copy messages between a customer and a ticket's topic.
    case copy(MessageCopy)
    /// Close or reopen a ticket's topic.
    case topic(TopicChange)
    /// An invoice for a renewal order (Telegram Payments).
    case invoice(InvoiceRequest)
    /// Give back the Stars of a payment (`refundStarPayment`).
    case refundStars(StarRefund)
}

/// An invoice for a renewal order. The provider's token is not in it (nor in the outbox):
/// the sender adds it.
public struct InvoiceRequest: Sendable, Equatable, Codable {
    public let chatID: Int64
    /// The order reference, which is the invoice's payload.
    public let reference: String
    public let title: String
    public let description: String
    /// The price's label.
    public let label: String
    /// ISO 4217, or `XTR` for Telegram Stars.
    public let currency: String
    /// Minor units of `currency` (Stars for `XTR`).
    public let amount: Int64

    public init(chatID: Int64, reference: String, title: String, description: String, label: String, currency: String, amount: Int64) {
        self.chatID = chatID
        self.reference = reference
        self.title = title
        self.description = description
        self.label = label
        self.currency = currency
        self.amount = amount
    }
}

/// A Stars payment to give back, for order `reference`; `operatorChat` hears how it went.
public struct StarRefund: Sendable, Equatable, Codable {
    public let userID: Int64
    public let chargeID: String
    public let reference: String
    public let reason: String
    public let operatorChat: Int64

    public init(userID: Int64, chargeID: String, reference: String, reason: String, operatorChat: Int64) {
        self.userID = userID
        self.chargeID = chargeID
        self.reference = reference
        self.reason = reason
        self.operatorChat = operatorChat
    }
}

extension Outbound {
    /// The chat this goes to (nil for a button acknowledgement, which has no chat).
    public var chatID: Int64? {
        switch self {
        case .send(let m), .edit(_, let m): m.chatID
        case .answerButton: nil
        case .copy(let c): c.toChat
        case .topic(let t): t.chatID
        case .invoice(let i): i.chatID
        case .refundStars(let r): r.operatorChat
        }
    }
}

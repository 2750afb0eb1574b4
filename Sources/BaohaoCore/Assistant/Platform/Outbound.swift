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

    public init(chatID: Int64, html: String, buttons: [[OutboundButton]] = [], answering: Int64? = nil) {
        self.chatID = chatID
        self.html = html
        self.buttons = buttons
        self.answering = answering
    }
}

/// What the assistant asks the platform to do.
public enum Outbound: Sendable, Equatable, Codable {
    case send(OutboundMessage)
    /// Replace an earlier bot message (after a button press on it).
    case edit(messageID: Int64, OutboundMessage)
    /// Acknowledge a button press, with an optional short notice.
    case answerButton(callbackID: String, text: String?)
}

extension Outbound {
    /// The chat this goes to (nil for a button acknowledgement, which has no chat).
    public var chatID: Int64? {
        switch self {
        case .send(let m), .edit(_, let m): m.chatID
        case .answerButton: nil
        }
    }
}

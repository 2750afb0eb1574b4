/// What reaches the assistant from a chat, whatever the platform.
public struct Inbound: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text(String)
        /// A button press: its payload and the id the platform wants answered.
        case button(payload: String, callbackID: String)
    }

    public let chatID: Int64
    public let userID: Int64
    /// The platform's language code for the user (`zh-hans`, `zh-TW`, `en-US`), a hint only.
    public let languageHint: String?
    /// The message the text came in, or the bot message whose button was pressed.
    public let messageID: Int64
    public let kind: Kind

    public init(chatID: Int64, userID: Int64, languageHint: String? = nil, messageID: Int64, kind: Kind) {
        self.chatID = chatID
        self.userID = userID
        self.languageHint = languageHint
        self.messageID = messageID
        self.kind = kind
    }
}

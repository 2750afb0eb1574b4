/// What reaches the assistant from a chat, whatever the platform.
public struct Inbound: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case text(String)
        /// A button press: its payload and the id the platform wants answered.
        case button(payload: String, callbackID: String)
        /// Something other than text, without a caption (a caption comes as `.text`, with
        /// `attachment` set).
        case attachment(Attachment)
        /// The user blocked the bot (false) or allowed it again (true): `my_chat_member`.
        case membership(active: Bool)
        /// The user pressed Pay: the payment waits for the bot's yes (answered ahead of the
        /// batch; here it is recorded).
        case preCheckout(PreCheckoutQuery)
        /// Telegram took the payment.
        case payment(SuccessfulPayment)
    }

    /// A pre-checkout query: the invoice's payload (the order reference) and what is to be paid.
    public struct PreCheckoutQuery: Sendable, Equatable {
        public let id: String
        public let currency: String
        public let totalAmount: Int64
        public let payload: String

        public init(id: String, currency: String, totalAmount: Int64, payload: String) {
            self.id = id
            self.currency = currency
            self.totalAmount = totalAmount
            self.payload = payload
        }
    }

    /// A payment Telegram confirmed, with both charge ids.
    public struct SuccessfulPayment: Sendable, Equatable {
        public let currency: String
        public let totalAmount: Int64
        public let payload: String
        public let telegramChargeID: String
        public let providerChargeID: String

        public init(currency: String, totalAmount: Int64, payload: String, telegramChargeID: String, providerChargeID: String) {
            self.currency = currency
            self.totalAmount = totalAmount
            self.payload = payload
            self.telegramChargeID = telegramChargeID
            self.providerChargeID = providerChargeID
        }
    }

    /// What a message carries besides text, as far as the reply goes.
    public enum Attachment: String, Sendable, Equatable {
        case photo, document, video, voice, sticker, location, contact, other
    }

    public let chatID: Int64
    public let userID: Int64
    /// The platform's language code for the user (`zh-hans`, `zh-TW`, `en-US`), a hint only.
    public let languageHint: String?
    /// The message the text came in, or the bot message whose button was pressed.
    public let messageID: Int64
    public let kind: Kind
    /// For a text: the photo, document … it is the caption of.
    public var attachment: Attachment? = nil
    /// The album the message belongs to: an album gets one reply.
    public var mediaGroup: String? = nil
    /// The customer edited message `messageID` to this text.
    public var isEdit = false
    /// The forum topic the message was posted in (nil outside topics).
    public var threadID: Int64? = nil
    /// The message this one replies to, and its text (or caption).
    public var replyToMessageID: Int64? = nil
    public var replyToText: String? = nil
    /// The sender's first name and username (without "@"), as the platform shows them.
    public var firstName: String? = nil
    public var username: String? = nil
    /// For the first message of an album: the ids of the album's messages that came with
    /// it, in order (the album is relayed as one).
    public var albumMessageIDs: [Int64] = []
    /// The message is in a group chat rather than a private one.
    public var isGroup = false

    public init(
        chatID: Int64, userID: Int64, languageHint: String? = nil, messageID: Int64, kind: Kind, attachment: Attachment? = nil, mediaGroup: String? = nil,
        isEdit: Bool = false
    ) {
        self.isEdit = isEdit
        self.chatID = chatID
        self.userID = userID
        self.languageHint = languageHint
        self.messageID = messageID
        self.kind = kind
        self.attachment = attachment
        self.mediaGroup = mediaGroup
    }
}

/// The subset of Bot API objects the bot reads. Unknown fields are ignored and documented
/// optional fields are optional, so new API versions decode.
public struct TelegramUser: Codable, Sendable, Equatable {
    public let id: Int64
    public let isBot: Bool?
    public let firstName: String?
    public let username: String?
    public let languageCode: String?

    enum CodingKeys: String, CodingKey {
        case id, username
        case isBot = "is_bot"
        case firstName = "first_name"
        case languageCode = "language_code"
    }
}

public struct TelegramChat: Codable, Sendable, Equatable {
    public let id: Int64
    public let type: String?

    public init(id: Int64, type: String?) {
        self.id = id
        self.type = type
    }
}

public struct MessageEntity: Codable, Sendable, Equatable {
    public let type: String
    public let offset: Int
    public let length: Int
}

public struct TelegramMessage: Decodable, Sendable, Equatable {
    public let messageID: Int64
    public let from: TelegramUser?
    public let chat: TelegramChat
    public let date: Int64?
    public let text: String?
    public let entities: [MessageEntity]?
    /// The message this one replies to: only who sent it is read.
    public let replyToMessage: RepliedMessage?
    /// The caption of a photo, document, video …
    public let caption: String?
    /// Shared by the messages of one album.
    public let mediaGroupID: String?
    /// What the message carries besides text (the first of `MessageMedia.allCases` present).
    public let media: MessageMedia?
    /// The forum topic (or reply thread) the message belongs to.
    public let messageThreadID: Int64?
    /// True when the message was posted in a forum topic.
    public let isTopicMessage: Bool?
    /// A payment Telegram confirmed (a service message from the payer).
    public let successfulPayment: SuccessfulPaymentObject?

    enum CodingKeys: String, CodingKey {
        case from, chat, date, text, entities, caption
        case messageID = "message_id"
        case replyToMessage = "reply_to_message"
        case mediaGroupID = "media_group_id"
        case messageThreadID = "message_thread_id"
        case isTopicMessage = "is_topic_message"
        case successfulPayment = "successful_payment"
    }

    public init(
        messageID: Int64, from: TelegramUser?, chat: TelegramChat, date: Int64?, text: String?, entities: [MessageEntity]?,
        replyToMessage: RepliedMessage? = nil, caption: String? = nil, mediaGroupID: String? = nil, media: MessageMedia? = nil,
        messageThreadID: Int64? = nil, isTopicMessage: Bool? = nil, successfulPayment: SuccessfulPaymentObject? = nil
    ) {
        self.successfulPayment = successfulPayment
        self.messageThreadID = messageThreadID
        self.isTopicMessage = isTopicMessage
        self.messageID = messageID
        self.from = from
        self.chat = chat
        self.date = date
        self.text = text
        self.entities = entities
        self.replyToMessage = replyToMessage
        self.caption = caption
        self.mediaGroupID = mediaGroupID
        self.media = media
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try c.decode(Int64.self, forKey: .messageID)
        from = try c.decodeIfPresent(TelegramUser.self, forKey: .from)
        chat = try c.decode(TelegramChat.self, forKey: .chat)
        date = try c.decodeIfPresent(Int64.self, forKey: .date)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        entities = try c.decodeIfPresent([MessageEntity].self, forKey: .entities)
        replyToMessage = try c.decodeIfPresent(RepliedMessage.self, forKey: .replyToMessage)
        caption = try c.decodeIfPresent(String.self, forKey: .caption)
        mediaGroupID = try c.decodeIfPresent(String.self, forKey: .mediaGroupID)
        messageThreadID = try c.decodeIfPresent(Int64.self, forKey: .messageThreadID)
        isTopicMessage = try c.decodeIfPresent(Bool.self, forKey: .isTopicMessage)
        successfulPayment = try c.decodeIfPresent(SuccessfulPaymentObject.self, forKey: .successfulPayment)
        // Only whether each kind is there (and not null) matters.
        let kinds = try decoder.container(keyedBy: MessageMedia.Key.self)
        media = try MessageMedia.allCases.first { try kinds.decodeIfPresent(AnyJSONValue.self, forKey: MessageMedia.Key(kind: $0)) != nil }
    }
}

/// What a message carries besides text, as far as the reply goes. Several keys can come
/// together (an animation also has `document`, a venue `location`): the first listed wins.
public enum MessageMedia: String, Sendable, Equatable, CaseIterable {
    case photo, animation, video
    case videoNote = "video_note"
    case voice, audio, document, sticker, venue, location, contact, poll, dice

    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(kind: MessageMedia) { stringValue = kind.rawValue }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Any JSON value, not looked into.
struct AnyJSONValue: Decodable {
    init(from decoder: any Decoder) throws {}
}

/// The part of a replied-to message the bot reads: its id, its sender (is it the bot
/// itself?) and its words (an operator's `/canned add` keeps them). A class, as the rarely
/// present parts of an update are: a pointer in `TelegramMessage` keeps every update of a
/// batch small (a batch of 100 is one array, copied as it grows).
public final class RepliedMessage: Codable, Sendable, Equatable {
    public let messageID: Int64?
    public let from: TelegramUser?
    public let text: String?
    public let caption: String?

    enum CodingKeys: String, CodingKey {
        case from, text, caption
        case messageID = "message_id"
    }

    public init(messageID: Int64? = nil, from: TelegramUser?, text: String? = nil, caption: String? = nil) {
        self.messageID = messageID
        self.from = from
        self.text = text
        self.caption = caption
    }

    public static func == (a: RepliedMessage, b: RepliedMessage) -> Bool {
        a.messageID == b.messageID && a.from == b.from && a.text == b.text && a.caption == b.caption
    }
}

/// `successful_payment`: what was paid, for which payload, with both charge ids.
public final class SuccessfulPaymentObject: Decodable, Sendable, Equatable {
    public let currency: String
    public let totalAmount: Int64
    public let invoicePayload: String
    public let telegramPaymentChargeID: String
    public let providerPaymentChargeID: String

    enum CodingKeys: String, CodingKey {
        case currency
        case totalAmount = "total_amount"
        case invoicePayload = "invoice_payload"
        case telegramPaymentChargeID = "telegram_payment_charge_id"
        case providerPaymentChargeID = "provider_payment_charge_id"
    }

    public static func == (a: SuccessfulPaymentObject, b: SuccessfulPaymentObject) -> Bool {
        a.currency == b.currency && a.totalAmount == b.totalAmount && a.invoicePayload == b.invoicePayload
            && a.telegramPaymentChargeID == b.telegramPaymentChargeID && a.providerPaymentChargeID == b.providerPaymentChargeID
    }
}

/// `pre_checkout_query`: the user pressed Pay; the bot has 10 seconds to say yes or no.
public final class PreCheckoutQueryObject: Decodable, Sendable, Equatable {
    public let id: String
    public let from: TelegramUser
    public let currency: String
    public let totalAmount: Int64
    public let invoicePayload: String

    enum CodingKeys: String, CodingKey {
        case id, from, currency
        case totalAmount = "total_amount"
        case invoicePayload = "invoice_payload"
    }

    public static func == (a: PreCheckoutQueryObject, b: PreCheckoutQueryObject) -> Bool {
        a.id == b.id && a.from == b.from && a.currency == b.currency && a.totalAmount == b.totalAmount && a.invoicePayload == b.invoicePayload
    }
}

/// A change of the bot's own membership in a chat (`my_chat_member`): in a private chat,
/// "kicked" means the user blocked the bot and "member" that they allowed it again.
public final class ChatMemberUpdated: Decodable, Sendable, Equatable {
    public struct Member: Decodable, Sendable, Equatable {
        public let status: String

        public init(status: String) { self.status = status }
    }

    public let chat: TelegramChat
    public let from: TelegramUser?
    public let newChatMember: Member

    enum CodingKeys: String, CodingKey {
        case chat, from
        case newChatMember = "new_chat_member"
    }

    public init(chat: TelegramChat, from: TelegramUser?, newChatMember: Member) {
        self.chat = chat
        self.from = from
        self.newChatMember = newChatMember
    }

    public static func == (a: ChatMemberUpdated, b: ChatMemberUpdated) -> Bool {
        a.chat == b.chat && a.from == b.from && a.newChatMember == b.newChatMember
    }
}

/// A button press. A class (a pointer in `Update`), like the other parts an update may carry.
public final class CallbackQuery: Decodable, Sendable, Equatable {
    public let id: String
    public let from: TelegramUser
    public let message: TelegramMessage?
    public let data: String?

    public init(id: String, from: TelegramUser, message: TelegramMessage?, data: String?) {
        self.id = id
        self.from = from
        self.message = message
        self.data = data
    }

    public static func == (a: CallbackQuery, b: CallbackQuery) -> Bool { a.id == b.id && a.from == b.from && a.message == b.message && a.data == b.data }
}

public struct Update: Decodable, Sendable, Equatable {
    public let updateID: Int64
    public let message: TelegramMessage?
    public let callbackQuery: CallbackQuery?
    /// A message the customer edited: its new text.
    public let editedMessage: TelegramMessage?
    /// The bot was blocked or allowed again.
    public let myChatMember: ChatMemberUpdated?
    /// The user pressed Pay on an invoice.
    public let preCheckoutQuery: PreCheckoutQueryObject?

    enum CodingKeys: String, CodingKey {
        case message
        case updateID = "update_id"
        case callbackQuery = "callback_query"
        case editedMessage = "edited_message"
        case myChatMember = "my_chat_member"
        case preCheckoutQuery = "pre_checkout_query"
    }

    public init(
        updateID: Int64, message: TelegramMessage?, callbackQuery: CallbackQuery?, editedMessage: TelegramMessage? = nil, myChatMember: ChatMemberUpdated? = nil,
        preCheckoutQuery: PreCheckoutQueryObject? = nil
    ) {
        self.preCheckoutQuery = preCheckoutQuery
        self.myChatMember = myChatMember
        self.updateID = updateID
        self.message = message
        self.callbackQuery = callbackQuery
        self.editedMessage = editedMessage
    }
}

public struct InlineKeyboardButton: Codable, Sendable, Equatable {
    public let text: String
    public let callbackData: String

    enum CodingKeys: String, CodingKey {
        case text
        case callbackData = "callback_data"
    }
}

public struct InlineKeyboardMarkup: Codable, Sendable, Equatable {
    public let inlineKeyboard: [[InlineKeyboardButton]]

    enum CodingKeys: String, CodingKey { case inlineKeyboard = "inline_keyboard" }
}

public struct ResponseParameters: Codable, Sendable, Equatable {
    public let retryAfter: Int?
    public let migrateToChatID: Int64?

    enum CodingKeys: String, CodingKey {
        case retryAfter = "retry_after"
        case migrateToChatID = "migrate_to_chat_id"
    }
}

/// `{"ok": ..., "result": ..., "description": ..., "error_code": ..., "parameters": ...}`.
/// `package`: the FuzzUpdates harness decodes with it too.
package struct Envelope<Result: Decodable>: Decodable {
    let ok: Bool
    package let result: Result?
    let description: String?
    let errorCode: Int?
    let parameters: ResponseParameters?

    enum CodingKeys: String, CodingKey {
        case ok, result, description, parameters
        case errorCode = "error_code"
    }
}

/// A command for setMyCommands.
public struct BotCommand: Codable, Sendable, Equatable {
    public let command: String
    public let description: String

    public init(_ command: String, _ description: String) {
        self.command = command
        self.description = description
    }
}

/// An update that decodes even when its content does not: its id survives for skipping.
/// `package`: the FuzzUpdates harness decodes with it too.
package struct LenientUpdate: Decodable {
    package let updateID: Int64?
    package let update: Update?

    init(updateID: Int64?, update: Update?) {
        self.updateID = updateID
        self.update = update
    }

    package init(from decoder: any Decoder) throws {
        struct IDOnly: Decodable {
            let update_id: Int64?
        }
        updateID = (try? IDOnly(from: decoder))?.update_id
        update = try? Update(from: decoder)
    }
}

import BaohaoCore
import FoundationEssentials
import BaohaoSupport

/// The Bot API methods the bot uses, over one `HTTPClient`. Every error is a `BotAPIError`
/// whose text never contains the token.
public struct BotAPI: Sendable {
    public let baseURL: String
    private let token: String
    public let client: HTTPClient

    /// `baseURL` without a trailing slash, e.g. `https://api.telegram.org`.
    public init(baseURL: String, token: String, client: HTTPClient) {
        self.baseURL = baseURL
        self.token = token
        self.client = client
    }

    /// Calls `method` with a JSON body and decodes its result. Throws `BotAPIError`.
    nonisolated(nonsending) public func call<Result: Decodable>(_ method: String, _ parameters: some Encodable, timeoutSeconds: Double = 30, as: Result.Type = Result.self) async throws -> Result {
        try await call(method, body: try Self.encode(method, parameters), timeoutSeconds: timeoutSeconds)
    }

    static func encode(_ method: String, _ parameters: some Encodable) throws(BotAPIError) -> [UInt8] {
        do { return Array(try JSONEncoder().encode(parameters)) } catch { throw BotAPIError.malformedResponse("cannot encode \(method) parameters: \(error)") }
    }

    /// Calls `method` with a JSON body already encoded. `fastResult` may decode a 200's body
    /// itself; when it returns nil, `JSONDecoder` decodes it.
    nonisolated(nonsending) func call<Result: Decodable>(
        _ method: String, body: [UInt8], timeoutSeconds: Double = 30, as: Result.Type = Result.self, fastResult: (([UInt8]) -> Result?)? = nil
    ) async throws -> Result {
        let response: HTTPResponse
        do {
            response = try await client.postJSON(url: "\(baseURL)/bot\(token)/\(method)", body: body, timeoutSeconds: timeoutSeconds)
        } catch let error as HTTPTransportError {
            let message = redact(error.message)
            switch error.kind {
            case .connect: throw BotAPIError.connect(message)
            case .afterSend: throw BotAPIError.noResponse(message)
            case .cancelled: throw BotAPIError.cancelled
            case .other: throw BotAPIError.connect(message)
            }
        }
        // A result nobody reads: `{"ok":true` is all that matters.
        if Result.self == Ignored.self, response.status == 200, response.body.starts(with: Self.okPrefix) { return try Ignored.value() as! Result }
        if response.status == 200, let fastResult, let result = fastResult(response.body) { return result }
        let envelope = try? JSONDecoder().decode(Envelope<Result>.self, from: Data(response.body))
        if response.status == 200, let envelope, envelope.ok, let result = envelope.result { return result }
        let description = redact(envelope?.description ?? "")
        switch response.status {
        case 401: throw BotAPIError.unauthorized
        case 404: throw BotAPIError.notFound
        case 409: throw BotAPIError.conflict(description)
        case 429: throw BotAPIError.tooManyRequests(retryAfter: envelope?.parameters?.retryAfter ?? response.retryAfter ?? 5)
        case 403: throw BotAPIError.forbidden(description)
        case 400: throw BotAPIError.badRequest(description)
        case 200: throw BotAPIError.malformedResponse("HTTP 200 without an ok result")
        default:
            let text = envelope?.description ?? String(decoding: response.body.prefix(120), as: UTF8.self)
            throw BotAPIError.server(status: response.status, body: redact(text))
        }
    }

    static let okPrefix = Array(#"{"ok":true"#.utf8)

    private func redact(_ text: String) -> String {
        guard !token.isEmpty, text.contains(token) else { return text }
        return text.split(separator: token, omittingEmptySubsequences: false).joined(separator: "[REDACTED]")
    }

    // MARK: - Methods

    struct NoParameters: Encodable {}

    nonisolated(nonsending) public func getMe() async throws -> TelegramUser { try await call("getMe", NoParameters()) }

    nonisolated(nonsending) public func deleteWebhook() async throws {
        struct P: Encodable { let drop_pending_updates = false }
        _ = try await call("deleteWebhook", P(), as: Bool.self)
    }

    /// Long-polls for updates from `offset`, confirming those before it; the HTTP timeout is
    /// the poll's plus a margin. Updates that do not decode come back as ids to log and skip,
    /// so one malformed update cannot hide the others.
    nonisolated(nonsending) public func getUpdates(offset: Int64, timeoutSeconds: Int, limit: Int = 100) async throws -> (updates: [Update], malformed: [Int64]) {
        struct P: Encodable {
            let offset: Int64
            let timeout: Int
            let limit: Int
            let allowed_updates = ["message", "edited_message", "callback_query", "my_chat_member", "pre_checkout_query"]
        }
        let raw: [LenientUpdate] = try await call(
            "getUpdates", body: try Self.encode("getUpdates", P(offset: offset, timeout: timeoutSeconds, limit: limit)), timeoutSeconds: Double(timeoutSeconds) + 15,
            fastResult: UpdateBytesDecoder.decode)
        return (raw.compactMap(\.update), raw.compactMap { $0.update == nil ? $0.updateID : nil })
    }

    public struct LinkPreviewOptions: Encodable, Sendable { let is_disabled = true }
    public struct ReplyParameters: Encodable, Sendable {
        let message_id: Int64
        let allow_sending_without_reply = true
    }

    public struct SendMessage: Encodable, Sendable {
        let chat_id: Int64
        let text: String
        let parse_mode: String?
        let reply_markup: InlineKeyboardMarkup?
        let link_preview_options = LinkPreviewOptions()
        let reply_parameters: ReplyParameters?
    }

    /// Sends a text; returns the new message's id when `returningID` (otherwise 0: the
    /// result is not decoded, which keeps the hottest request cheap). `thread` posts it in
    /// that forum topic.
    @discardableResult
    nonisolated(nonsending) public func sendMessage(
        chatID: Int64, text: String, html: Bool = true, keyboard: InlineKeyboardMarkup? = nil, replyTo: Int64? = nil, thread: Int64? = nil,
        returningID: Bool = false
    ) async throws -> Int64 {
        // Written by hand, as bytes: the hottest request, and JSONEncoder costs more than the rest of it.
        var json: [UInt8] = []
        json.reserveCapacity(text.utf8.count + 160)
        json += #"{"chat_id":"#.utf8
        json += String(chatID).utf8
        if let thread {
            json += #","message_thread_id":"#.utf8
            json += String(thread).utf8
        }
        json += #","text":"#.utf8
        JSONText.appendQuoted(text, to: &json)
        if html { json += #","parse_mode":"HTML""#.utf8 }
        json += #","link_preview_options":{"is_disabled":true}"#.utf8
        if let replyTo {
            json += #","reply_parameters":{"message_id":"#.utf8
            json += String(replyTo).utf8
            json += #","allow_sending_without_reply":true}"#.utf8
        }
        if let keyboard {
            json += #","reply_markup":{"inline_keyboard":["#.utf8
            for (r, row) in keyboard.inlineKeyboard.enumerated() {
                if r > 0 { json.append(UInt8(ascii: ",")) }
                json.append(UInt8(ascii: "["))
                for (b, button) in row.enumerated() {
                    if b > 0 { json.append(UInt8(ascii: ",")) }
                    json += #"{"text":"#.utf8
                    JSONText.appendQuoted(button.text, to: &json)
                    json += #","callback_data":"#.utf8
                    JSONText.appendQuoted(button.callbackData, to: &json)
                    json.append(UInt8(ascii: "}"))
                }
                json.append(UInt8(ascii: "]"))
            }
            json += "]}".utf8
        }
        json.append(UInt8(ascii: "}"))
        guard returningID else {
            _ = try await call("sendMessage", body: json, as: Ignored.self)
            return 0
        }
        return try await call("sendMessage", body: json, as: SentMessageID.self).messageID
    }

    /// What the bot reads of a message it sent (or of `copyMessage`'s MessageId): its id.
    struct SentMessageID: Decodable {
        let messageID: Int64
        enum CodingKeys: String, CodingKey { case messageID = "message_id" }
    }

    public struct ForumTopic: Decodable, Sendable {
        public let messageThreadID: Int64
        enum CodingKeys: String, CodingKey { case messageThreadID = "message_thread_id" }
    }

    /// Makes a forum topic named `name` in `chatID`; returns its thread id.
    nonisolated(nonsending) public func createForumTopic(chatID: Int64, name: String) async throws -> Int64 {
        struct P: Encodable {
            let chat_id: Int64
            let name: String
        }
        return try await call("createForumTopic", P(chat_id: chatID, name: name), as: ForumTopic.self).messageThreadID
    }

    struct TopicParameters: Encodable {
        let chat_id: Int64
        let message_thread_id: Int64
    }

    nonisolated(nonsending) public func closeForumTopic(chatID: Int64, thread: Int64) async throws {
        _ = try await call("closeForumTopic", TopicParameters(chat_id: chatID, message_thread_id: thread), as: Bool.self)
    }

    nonisolated(nonsending) public func reopenForumTopic(chatID: Int64, thread: Int64) async throws {
        _ = try await call("reopenForumTopic", TopicParameters(chat_id: chatID, message_thread_id: thread), as: Bool.self)
    }

    /// Copies `messageIDs` of `fromChat` to `chatID` (one message with copyMessage, several
    /// with copyMessages, which keeps an album one); returns the new ids in order.
    nonisolated(nonsending) public func copyMessages(chatID: Int64, fromChat: Int64, messageIDs: [Int64], thread: Int64? = nil, replyTo: Int64? = nil) async throws -> [Int64] {
        struct Reply: Encodable {
            let message_id: Int64
            let allow_sending_without_reply = true
        }
        struct One: Encodable {
            let chat_id: Int64
            let from_chat_id: Int64
            let message_id: Int64
            let message_thread_id: Int64?
            let reply_parameters: Reply?
        }
        struct Many: Encodable {
            let chat_id: Int64
            let from_chat_id: Int64
            let message_ids: [Int64]
            let message_thread_id: Int64?
        }
        if messageIDs.count == 1 {
            let one = One(chat_id: chatID, from_chat_id: fromChat, message_id: messageIDs[0], message_thread_id: thread, reply_parameters: replyTo.map { Reply(message_id: $0) })
            return [try await call("copyMessage", one, as: SentMessageID.self).messageID]
        }
        let many = Many(chat_id: chatID, from_chat_id: fromChat, message_ids: messageIDs, message_thread_id: thread)
        return try await call("copyMessages", many, as: [SentMessageID].self).map(\.messageID)
    }

    public struct LabeledPrice: Encodable, Sendable {
        let label: String
        let amount: Int64
    }

    /// Sends an invoice; returns its message id. `providerToken` is empty for Telegram Stars.
    nonisolated(nonsending) public func sendInvoice(
        chatID: Int64, title: String, description: String, payload: String, providerToken: String, currency: String, prices: [(label: String, amount: Int64)]
    ) async throws -> Int64 {
        struct P: Encodable {
            let chat_id: Int64
            let title: String
            let description: String
            let payload: String
            let provider_token: String
            let currency: String
            let prices: [LabeledPrice]
        }
        let p = P(
            chat_id: chatID, title: title, description: description, payload: payload, provider_token: providerToken, currency: currency,
            prices: prices.map { LabeledPrice(label: $0.label, amount: $0.amount) })
        return try await call("sendInvoice", p, as: SentMessageID.self).messageID
    }

    /// Says yes (or no, with the reason the user reads) to a pre-checkout query.
    nonisolated(nonsending) public func answerPreCheckoutQuery(id: String, ok: Bool, errorMessage: String? = nil) async throws {
        struct P: Encodable {
            let pre_checkout_query_id: String
            let ok: Bool
            let error_message: String?
        }
        _ = try await call("answerPreCheckoutQuery", P(pre_checkout_query_id: id, ok: ok, error_message: ok ? nil : errorMessage), timeoutSeconds: 5, as: Bool.self)
    }

    /// Gives back the Stars of a payment.
    nonisolated(nonsending) public func refundStarPayment(userID: Int64, chargeID: String) async throws {
        struct P: Encodable {
            let user_id: Int64
            let telegram_payment_charge_id: String
        }
        _ = try await call("refundStarPayment", P(user_id: userID, telegram_payment_charge_id: chargeID), as: Bool.self)
    }

    /// Sets one emoji reaction on a message (a receipt).
    nonisolated(nonsending) public func setMessageReaction(chatID: Int64, messageID: Int64, emoji: String) async throws {
        struct Reaction: Encodable {
            let type = "emoji"
            let emoji: String
        }
        struct P: Encodable {
            let chat_id: Int64
            let message_id: Int64
            let reaction: [Reaction]
        }
        _ = try await call("setMessageReaction", P(chat_id: chatID, message_id: messageID, reaction: [Reaction(emoji: emoji)]), as: Bool.self)
    }

    public struct EditMessageText: Encodable, Sendable {
        let chat_id: Int64
        let message_id: Int64
        let text: String
        let parse_mode: String?
        let reply_markup: InlineKeyboardMarkup?
        let link_preview_options = LinkPreviewOptions()
    }

    nonisolated(nonsending) public func editMessageText(chatID: Int64, messageID: Int64, text: String, html: Bool = true, keyboard: InlineKeyboardMarkup? = nil) async throws {
        _ = try await call(
            "editMessageText", EditMessageText(chat_id: chatID, message_id: messageID, text: text, parse_mode: html ? "HTML" : nil, reply_markup: keyboard),
            as: Ignored.self)
    }

    nonisolated(nonsending) public func answerCallbackQuery(id: String, text: String? = nil) async throws {
        struct P: Encodable {
            let callback_query_id: String
            let text: String?
        }
        _ = try await call("answerCallbackQuery", P(callback_query_id: id, text: text), as: Bool.self)
    }

    nonisolated(nonsending) public func sendChatAction(chatID: Int64, action: String = "typing") async throws {
        struct P: Encodable {
            let chat_id: Int64
            let action: String
        }
        _ = try await call("sendChatAction", P(chat_id: chatID, action: action), as: Bool.self)
    }

    nonisolated(nonsending) public func setMyCommands(_ commands: [BotCommand], languageCode: String?) async throws {
        struct P: Encodable {
            let commands: [BotCommand]
            let language_code: String?
        }
        _ = try await call("setMyCommands", P(commands: commands, language_code: languageCode), as: Bool.self)
    }
}

/// A result the caller does not need: nothing of it is decoded.
struct Ignored: Decodable {
    init(from decoder: any Decoder) throws {}
    private init() {}
    static func value() throws -> Ignored { Ignored() }
}

// What every method that creates a message shares: where the message goes (thread, reply),
// its caption, and storing it as the bot's.

/// What a send asked for about replies: `reply_parameters`, or the legacy `reply_to_message_id`
/// and `allow_sending_without_reply`.
struct ReplyRequest {
    /// nil: no reply (also for an id of 0 or less, which the server ignores).
    var messageID: Int64?
    /// The chat of the replied message; nil: the destination chat.
    var chatID: Int64?
    var allowWithoutReply: Bool
}

/// Where a new message goes once the checks passed.
struct Placement {
    /// The forum topic; nil for the General topic and for chats without topics.
    var threadID: Int64?
    /// The replied message when it is in the same chat and topic (it then shows as `reply_to_message`).
    var replyTo: Int64?
}

/// A `caption` (+ `parse_mode`) that passed validation.
struct PreparedCaption {
    let raw: String
    let parseMode: String?
    /// After entity parsing and trimming.
    let formatted: FormattedText
    var codePoints: Int { formatted.text.unicodeScalars.count }
}

extension BotAPIDouble {
    /// Telegram's caption limit for bots (TDLib's `message_caption_length_max`), in code points.
    static let captionLimit = 1024

    func replyRequest(_ parameters: [String: String]) -> Result<ReplyRequest, APIError> {
        var request = ReplyRequest(
            messageID: nil, chatID: nil, allowWithoutReply: parseBotAPIBool(parameters["allow_sending_without_reply"] ?? ""))
        if let raw = parameters["reply_parameters"], !raw.isEmpty {
            guard let value = JSONParser.parse(raw), value.isObject else {
                return .failure(.badRequest("can't parse reply parameters JSON object"))
            }
            request.messageID = value["message_id"]?.int64Value.flatMap { $0 > 0 ? $0 : nil }
            request.chatID = value["chat_id"]?.int64Value
            if value["allow_sending_without_reply"]?.boolValue == true { request.allowWithoutReply = true }
        } else if let raw = parameters["reply_to_message_id"], let id = parseInteger(raw), id != 0 {
            request.messageID = id
        }
        return .success(request)
    }

    /// `message_thread_id` when positive; the server reads 0, a negative or a missing value as "no thread".
    func requestedThread(_ parameters: [String: String]) -> Int64? {
        guard let id = parameters["message_thread_id"].flatMap(parseInteger), id > 0 else { return nil }
        return id
    }

    /// Where a new message in `chat` goes. With the lock held, checks in this order: the user blocked the
    /// bot (403), the thread exists (forums; a private chat has no threads; a group without topics ignores
    /// the parameter), the replied message exists unless `allowWithoutReply`. A reply without a thread
    /// goes into the replied message's topic, as the real server does.
    func placeLocked(chat: Int64, thread requested: Int64?, reply: ReplyRequest) -> Result<Placement, APIError> {
        if state.blockedChats.contains(chat) { return .failure(.blocked) }
        let record = state.chats[chat]
        var placement = Placement(threadID: nil, replyTo: nil)
        if let requested {
            if record?.isForum == true {
                guard let topic = record?.topics[requested], !topic.isDeleted else {
                    return .failure(.badRequest("message thread not found"))
                }
                placement.threadID = requested
            } else if chat > 0 {
                return .failure(.badRequest("message thread not found"))
            }
        }
        if let id = reply.messageID, id > 0 {
            let replyChat = reply.chatID ?? chat
            let replied = state.chats[replyChat]?.message(id)
            if replied == nil && !reply.allowWithoutReply {
                return .failure(.badRequest("message to be replied not found"))
            }
            if replyChat == chat, let replied {
                if requested == nil, record?.isForum == true, let thread = replied.threadID,
                   record?.topics[thread]?.isDeleted == false {
                    placement.threadID = thread
                }
                if replied.threadID == placement.threadID { placement.replyTo = id }
            }
        }
        return .success(placement)
    }

    /// 400 TOPIC_CLOSED for a closed topic, unless the bot may manage topics or created this one
    /// (TDLib's `can_send_message_to_forum_topic`). Call with the lock held.
    func topicClosedLocked(chat: Int64, thread: Int64?) -> APIError? {
        guard let thread, let record = state.chats[chat], let topic = record.topics[thread], topic.isClosed,
              !record.botMayManage(topic) else { return nil }
        return .badRequest("TOPIC_CLOSED")
    }

    /// Stores `message` as the bot's newest in `chat` and returns its id. Call with the lock held.
    func storeBotMessageLocked(chat: Int64, _ message: StoredMessage) -> Int64 {
        // Mutated in place: copying a ChatRecord out and back would copy its message tables every time.
        { (record: inout ChatRecord) -> Int64 in
            let messageID = record.allocateMessageID(fromBot: true)
            record.botMessages[messageID] = message
            return messageID
        }(&state.chats[chat, default: ChatRecord()])
    }

    /// The `caption` parameter (nil when absent) with `parse_mode`, parsed like a text; its length is
    /// checked by the caller, after the chat and reply checks, as in TDLib.
    func prepareCaption(_ parameters: [String: String]) -> Result<PreparedCaption?, APIError> {
        guard let raw = parameters["caption"] else { return .success(nil) }
        return formatting(raw, parameters).map { PreparedCaption(raw: raw, parseMode: $0.parseMode, formatted: $0.formatted) }
    }
}

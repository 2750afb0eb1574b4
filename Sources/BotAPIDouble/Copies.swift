// copyMessage and copyMessages: the bot copies a message the double knows (a user's or its own)
// into a chat, as telegram-bot-api's process_copy_message(s)_query and TDLib's forward_messages do.

extension BotAPIDouble {
    /// copyMessage → `{"message_id":N}` (a MessageId). Checks in the server's order: from_chat_id given,
    /// caption, keyboard, chat; then under the lock the source ("message to copy not found"), blocked,
    /// thread, reply, a service message ("can't copy message"), caption length, closed topic, flood control.
    /// A text is copied with its entities; media with its caption, or `caption` (+ `parse_mode`) instead.
    func copyMessage(_ parameters: [String: String]) -> HTTPResponse {
        let method = "copymessage"
        let caption: PreparedCaption?, markup: PreparedMarkup?, chat: Int64, fromChat: Int64, reply: ReplyRequest
        do throws(APIError) {
            fromChat = try sourceChat(parameters).get()
            caption = try prepareCaption(parameters).get()
            markup = try prepareMarkup(parameters["reply_markup"]).get()
            chat = try chatID(parameters).get()
            reply = try replyRequest(parameters).get()
        } catch {
            return respond(method, parameters, error.response)
        }
        let sourceID = parameters["message_id"].flatMap(parseInteger) ?? 0
        let thread = requestedThread(parameters)
        let date = unixTime()

        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            guard sourceID > 0, let source = state.chats[fromChat]?.message(sourceID) else {
                return fail(.badRequest("message to copy not found"))
            }
            let placement: Placement
            switch placeLocked(chat: chat, thread: thread, reply: reply) {
            case .success(let value): placement = value
            case .failure(let error): return fail(error)
            }
            if source.service != nil { return fail(.badRequest("can't copy message")) }
            var copy = copied(source, caption: caption, removeCaption: false, date: date)
            if copy.media?.allowsCaption == true, let caption, caption.codePoints > Self.captionLimit {
                return fail(.badRequest("message caption is too long"))
            }
            if let error = topicClosedLocked(chat: chat, thread: placement.threadID) { return fail(error) }
            if let refused = floodControlLocked(method, parameters, chat: chat) { return refused }

            copy.threadID = placement.threadID
            copy.replyTo = placement.replyTo
            copy.markupJSON = markup?.json
            let messageID = storeBotMessageLocked(chat: chat, copy)
            addSentLocked(sentCopy(
                copy, id: messageID, chat: chat, from: MessageRef(chatID: fromChat, messageID: sourceID),
                newCaption: caption, markup: markup, replyTo: reply.messageID))
            let response = HTTPResponse.ok("{\"message_id\":\(messageID)}")
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    /// copyMessages → an array of MessageId, one per message copied. `message_ids` is a JSON array of 1–100
    /// positive ids; ids the double does not know in from_chat_id are skipped, and the ones it knows must be
    /// strictly increasing ("message identifiers must be in a strictly increasing order"). Service messages
    /// are skipped; nothing left → "messages can't be forwarded" (the server's words, for copies too).
    /// Messages of one album (two or more of them copied) share a new media_group_id. `remove_caption`
    /// drops captions. Flood control counts every message, all admitted or none.
    func copyMessages(_ parameters: [String: String]) -> HTTPResponse {
        let method = "copymessages"
        let chat: Int64, fromChat: Int64, sourceIDs: [Int64]
        do throws(APIError) {
            fromChat = try sourceChat(parameters).get()
            sourceIDs = try messageIDs(parameters).get()
            chat = try chatID(parameters).get()
        } catch {
            return respond(method, parameters, error.response)
        }
        let removeCaption = parseBotAPIBool(parameters["remove_caption"] ?? "")
        let thread = requestedThread(parameters)
        let date = unixTime()

        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            let placement: Placement
            switch placeLocked(chat: chat, thread: thread, reply: ReplyRequest(messageID: nil, chatID: nil, allowWithoutReply: false)) {
            case .success(let value): placement = value
            case .failure(let error): return fail(error)
            }
            let found = sourceIDs.compactMap { id in state.chats[fromChat]?.message(id).map { (id: id, message: $0) } }
            for index in found.indices.dropFirst() where found[index].id <= found[index - 1].id {
                return fail(.badRequest("message identifiers must be in a strictly increasing order"))
            }
            let copyable = found.filter { $0.message.service == nil }
            guard !copyable.isEmpty else { return fail(.badRequest("messages can't be forwarded")) }
            if let error = topicClosedLocked(chat: chat, thread: placement.threadID) { return fail(error) }
            if let refused = floodControlLocked(method, parameters, chat: chat, count: copyable.count) { return refused }

            // TDLib gives an album a new id only when at least two of its messages are copied.
            var albumSizes: [String: Int] = [:]
            for item in copyable { if let group = item.message.mediaGroupID { albumSizes[group, default: 0] += 1 } }
            var newAlbums: [String: String] = [:]
            var results: [String] = []
            for item in copyable {
                var copy = copied(item.message, caption: nil, removeCaption: removeCaption, date: date)
                if let group = item.message.mediaGroupID, albumSizes[group, default: 0] >= 2 {
                    if newAlbums[group] == nil {
                        state.mediaGroupSequence += 1
                        newAlbums[group] = String(13_570_000_000_000_000 + state.mediaGroupSequence)
                    }
                    copy.mediaGroupID = newAlbums[group]
                }
                copy.threadID = placement.threadID
                let messageID = storeBotMessageLocked(chat: chat, copy)
                addSentLocked(sentCopy(
                    copy, id: messageID, chat: chat, from: MessageRef(chatID: fromChat, messageID: item.id),
                    newCaption: nil, markup: nil, replyTo: nil))
                results.append("{\"message_id\":\(messageID)}")
            }
            let response = HTTPResponse.ok("[" + results.joined(separator: ",") + "]")
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    /// `from_chat_id`: required ("parameter \"from_chat_id\" is required"), an integer chat id.
    private func sourceChat(_ parameters: [String: String]) -> Result<Int64, APIError> {
        guard let raw = parameters["from_chat_id"], !raw.isEmpty else {
            return .failure(.badRequest("parameter \"from_chat_id\" is required"))
        }
        guard let id = parseInteger(raw), id != 0 else { return .failure(.badRequest("chat not found")) }
        return .success(id)
    }

    /// `message_ids` as telegram-bot-api's get_message_ids reads it (at most 100).
    private func messageIDs(_ parameters: [String: String]) -> Result<[Int64], APIError> {
        guard let raw = parameters["message_ids"], !raw.isEmpty else {
            return .failure(.badRequest("message identifiers are not specified"))
        }
        guard let value = JSONParser.parse(raw) else { return .failure(.badRequest("can't parse message_ids JSON object")) }
        guard let items = value.arrayValue else { return .failure(.badRequest("expected an Array of message identifiers")) }
        guard items.count <= 100 else { return .failure(.badRequest("too many message identifiers specified")) }
        var ids: [Int64] = []
        for item in items {
            let text: String
            switch item {
            case .number(let number), .string(let number): text = number
            default: return .failure(.badRequest("message identifier must be a Number"))
            }
            guard let id = Int32(text) else { return .failure(.badRequest("can't parse message identifier as a Number")) }
            guard id > 0 else { return .failure(.badRequest("invalid message identifier specified")) }
            ids.append(Int64(id))
        }
        guard !ids.isEmpty else { return .failure(.badRequest("message identifiers are not specified")) }
        return .success(ids)
    }

    /// The content of `source` as a new message of the bot: text and entities, or media with its caption —
    /// replaced by `caption`, or dropped with `removeCaption` (and always for media without captions).
    private func copied(_ source: StoredMessage, caption: PreparedCaption?, removeCaption: Bool, date: Int) -> StoredMessage {
        var copy = StoredMessage(
            text: source.text, entities: source.entities, markupJSON: nil, date: date, editDate: nil,
            linkPreviewDisabled: source.linkPreviewDisabled, media: source.media)
        if let media = source.media {
            if !media.allowsCaption || removeCaption {
                copy.text = ""
                copy.entities = []
            } else if let caption {
                copy.text = caption.formatted.text
                copy.entities = caption.formatted.entities
            }
        }
        return copy
    }

    /// How a copy shows in `sentMessages()`: a text's `text` is the copied (parsed) text; media have
    /// `text` "", their kind and file id, and `caption` (the new raw caption, or the copied one).
    private func sentCopy(
        _ copy: StoredMessage, id: Int64, chat: Int64, from source: MessageRef, newCaption: PreparedCaption?,
        markup: PreparedMarkup?, replyTo: Int64?
    ) -> SentMessage {
        var caption: String?
        var parseMode: String?
        if let media = copy.media, media.allowsCaption, !copy.text.isEmpty {
            caption = newCaption?.raw ?? copy.text
            parseMode = newCaption?.parseMode
        }
        return SentMessage(
            messageID: id, chatID: chat, text: copy.media == nil ? copy.text : "", parseMode: parseMode,
            replyMarkupJSON: markup?.json, callbackData: markup?.callbackData ?? [], replyToMessageID: replyTo,
            disableLinkPreview: copy.linkPreviewDisabled, isEdit: false, threadID: copy.threadID,
            kind: copy.media?.kind ?? .text, fileID: copy.media?.fileID, caption: caption, copiedFrom: source,
            mediaGroupID: copy.mediaGroupID)
    }
}

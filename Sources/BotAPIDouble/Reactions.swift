// setMessageReaction: the bot reacts to a message the double knows.

extension BotAPIDouble {
    /// The bot's current reactions in `chatID` by message id: the emoji of its last successful
    /// setMessageReaction for each message ("custom:<id>" for a custom emoji); a message whose reactions
    /// were removed (an empty list) is absent.
    public func reactions(chatID: Int64) -> [Int64: [String]] {
        lock.withLock { state.chats[chatID]?.reactions ?? [:] }
    }

    /// setMessageReaction → true. `reaction` is read first, as the server does ("can't parse reaction types
    /// JSON object", "expected an Array of ReactionType", "can't parse ReactionType: …"; absent or [] removes
    /// the reactions), then the message must be one the double knows in the chat ("message to react not
    /// found"). Which emoji are allowed and how many a bot may set are not checked.
    func setMessageReaction(_ parameters: [String: String]) -> HTTPResponse {
        let method = "setmessagereaction"
        let emoji: [String], chat: Int64
        do throws(APIError) {
            emoji = try reactionTypes(parameters["reaction"] ?? "").get()
            chat = try chatID(parameters).get()
        } catch {
            return respond(method, parameters, error.response)
        }
        let messageID = parameters["message_id"].flatMap(parseInteger) ?? 0
        return lock.withLock {
            guard messageID > 0, state.chats[chat]?.knows(messageID: messageID) == true else {
                return failLocked(method, parameters, .badRequest("message to react not found"))
            }
            state.chats[chat]?.reactions[messageID] = emoji.isEmpty ? nil : emoji
            let response = HTTPResponse.ok("true")
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    /// The emoji of a `reaction` parameter, as telegram-bot-api's get_reaction_types parses it.
    private func reactionTypes(_ raw: String) -> Result<[String], APIError> {
        guard !raw.isEmpty else { return .success([]) }
        guard let value = JSONParser.parse(raw) else { return .failure(.badRequest("can't parse reaction types JSON object")) }
        guard let items = value.arrayValue else { return .failure(.badRequest("expected an Array of ReactionType")) }
        var emoji: [String] = []
        for item in items {
            let prefix = "can't parse ReactionType: "
            guard item.isObject else { return .failure(.badRequest(prefix + "expected an Object")) }
            guard let type = item["type"]?.stringValue else {
                return .failure(.badRequest(prefix + "Field \"type\" must be of type String"))
            }
            switch type {
            case "emoji":
                guard let text = item["emoji"]?.stringValue else {
                    return .failure(.badRequest(prefix + "Field \"emoji\" must be of type String"))
                }
                emoji.append(text)
            case "custom_emoji":
                guard let id = item["custom_emoji_id"]?.int64Value else {
                    return .failure(.badRequest(prefix + "Field \"custom_emoji_id\" must be a valid Number"))
                }
                emoji.append("custom:\(id)")
            default:
                return .failure(.badRequest(prefix + "invalid reaction type specified"))
            }
        }
        return .success(emoji)
    }
}

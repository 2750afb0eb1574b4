// What users do, injected as updates: messages (text or media, in topics, as replies), edits,
// and blocking or unblocking the bot.

extension BotAPIDouble {
    /// Queues a message update from a user and returns its update_id; the message's id is then
    /// `lastInjectedMessageID(chatID:)`. The double remembers the message (text and entities, or media,
    /// caption, album and thread) so the bot can reply to it and copy it.
    ///
    /// - `text`: a text message (a leading /command gets its bot_command entity). Ignored when `media` is
    ///   given; with neither, the text is "".
    /// - `media` with `caption` (shown for photos, documents, voice notes and videos) and `mediaGroupID`
    ///   (an album: give each of its messages the same id). The JSON is the real Bot API's: a photo is an
    ///   array of PhotoSize, a document has file_name and mime_type, and so on (see `Media`).
    /// - `threadID`: sets `message_thread_id` and `is_topic_message: true` (a message in a forum topic).
    /// - `replyTo`: adds `reply_to_message` (that message as the double knows it — the bot's or a user's —
    ///   without its own reply) when the double knows the id in this chat.
    /// - `firstName` (default "User <id>") and `username` show in `from` and in a private chat's object.
    ///
    /// Message ids are 1, 2, … per chat, or, in a chat registered with `makeForum`/`makeGroup`, the next id
    /// of the chat's single sequence. A chat registered as a group keeps its registered chat object;
    /// otherwise the chat object follows `chatType` ("private", or a group type titled "Group <id>").
    @discardableResult
    public func injectMessage(
        chatID: Int64, userID: Int64? = nil, text: String? = nil, languageCode: String? = "zh-hans", chatType: String = "private",
        caption: String? = nil, media: Media? = nil, mediaGroupID: String? = nil, threadID: Int64? = nil,
        replyTo: Int64? = nil, firstName: String? = nil, username: String? = nil
    ) -> Int64 {
        let user = userID ?? defaultUserID(chatID: chatID)
        let date = unixTime()
        let profile = UserProfile(id: user, firstName: firstName ?? "User \(user)", username: username, languageCode: languageCode)
        var stored = StoredMessage(
            text: "", entities: [], markupJSON: nil, date: date, editDate: nil, linkPreviewDisabled: false,
            media: media, sender: .user(profile), threadID: threadID, replyTo: replyTo, mediaGroupID: mediaGroupID)
        if media != nil {
            stored.text = caption ?? ""
        } else {
            stored.text = text ?? ""
            stored.entities = botCommandEntities(stored.text)
        }
        let chatText = chatType == "private"
            ? privateChatJSON(chatID: chatID, profile) : chatJSON(chatID: chatID, type: chatType, userID: user)
        return lock.withLock {
            if let languageCode { state.userLanguages[user] = languageCode } else { state.userLanguages[user] = nil }
            state.userProfiles[user] = profile
            let messageID = { (record: inout ChatRecord) -> Int64 in
                if record.group == nil { record.json = chatText }
                let messageID = record.allocateMessageID(fromBot: false)
                record.otherMessages[messageID] = stored
                record.lastInjectedMessageID = messageID
                return messageID
            }(&state.chats[chatID, default: ChatRecord()])
            if let media { registerFilesLocked(media) }
            let updateID = state.nextUpdateID
            let json = "{\"update_id\":\(updateID),\"message\":" + messageJSONLocked(chat: chatID, id: messageID, stored) + "}"
            enqueueLocked(json, updateID: updateID)
            return updateID
        }
    }

    /// The message id of the most recent message injected into `chatID` (nil: none yet).
    public func lastInjectedMessageID(chatID: Int64) -> Int64? {
        lock.withLock { state.chats[chatID]?.lastInjectedMessageID }
    }

    /// Queues an `edited_message` update for message `messageID` injected earlier into `chatID` (same
    /// from, chat, date, thread, media; `edit_date` now) with `text` as its new text — or new caption,
    /// for a media message — and returns its update_id. The double remembers the edit (a later copy
    /// copies the new text). For a message it does not know, the update shows the chat's default user.
    @discardableResult
    public func injectEdit(chatID: Int64, messageID: Int64, text: String) -> Int64 {
        let now = unixTime()
        return lock.withLock {
            var stored = state.chats[chatID]?.otherMessages[messageID] ?? StoredMessage(
                text: "", entities: [], markupJSON: nil, date: now, editDate: nil, linkPreviewDisabled: false,
                sender: .user(profileLocked(defaultUserID(chatID: chatID))))
            stored.text = text
            stored.entities = stored.media == nil ? botCommandEntities(text) : []
            stored.editDate = max(now, stored.date)
            if state.chats[chatID]?.otherMessages[messageID] != nil {
                state.chats[chatID]?.otherMessages[messageID] = stored  // in place
            }
            let updateID = state.nextUpdateID
            let json = "{\"update_id\":\(updateID),\"edited_message\":"
                + messageJSONLocked(chat: chatID, id: messageID, stored) + "}"
            enqueueLocked(json, updateID: updateID)
            return updateID
        }
    }

    /// Queues a `my_chat_member` update — the bot's membership in `chatID` changed to `newStatus`
    /// ("member", "kicked", "left"; others are passed through with just user and status) by `userID`
    /// (default: the chat's default user) — and returns its update_id. The old status is the one the
    /// previous call set, else "member" (or, for a new "member", "kicked" in a private chat and "left"
    /// in a group). "kicked" is what Telegram sends when a user blocks the bot: in a private chat it
    /// blocks sends as `blockChat` does, and "member" (the user restarted the bot) unblocks them.
    @discardableResult
    public func injectMyChatMember(chatID: Int64, userID: Int64? = nil, newStatus: String) -> Int64 {
        let user = userID ?? defaultUserID(chatID: chatID)
        let date = unixTime()
        return lock.withLock {
            let old = state.botMemberStatus[chatID] ?? (newStatus == "member" ? (chatID > 0 ? "kicked" : "left") : "member")
            state.botMemberStatus[chatID] = newStatus
            if chatID > 0 {
                if newStatus == "kicked" { state.blockedChats.insert(chatID) }
                if newStatus == "member" { state.blockedChats.remove(chatID) }
            }
            let profile = profileLocked(user)
            func member(_ status: String) -> String {
                var json = "{\"user\":" + botUserJSON + ",\"status\":"
                appendJSONString(status, to: &json)
                if status == "kicked" { json += ",\"until_date\":0" }
                return json + "}"
            }
            let chatText = state.chats[chatID]?.json
                ?? (chatID > 0 ? privateChatJSON(chatID: chatID, profile) : defaultChatJSON(chatID))
            let updateID = state.nextUpdateID
            var json = "{\"update_id\":\(updateID),\"my_chat_member\":{\"chat\":" + chatText
            json += ",\"from\":" + userJSON(profile) + ",\"date\":\(date)"
            json += ",\"old_chat_member\":" + member(old) + ",\"new_chat_member\":" + member(newStatus) + "}}"
            enqueueLocked(json, updateID: updateID)
            return updateID
        }
    }

    /// The user as their latest injected message showed them, else "User <id>". Call with the lock held.
    func profileLocked(_ userID: Int64) -> UserProfile {
        if var profile = state.userProfiles[userID] {
            profile.languageCode = state.userLanguages[userID]
            return profile
        }
        return UserProfile(id: userID, firstName: "User \(userID)", username: nil, languageCode: state.userLanguages[userID])
    }
}

/// The bot_command entity of a text that starts with a command.
func botCommandEntities(_ text: String) -> [TextEntity] {
    guard let length = botCommandLength(text) else { return [] }
    return [TextEntity(type: "bot_command", offset: 0, length: length)]
}

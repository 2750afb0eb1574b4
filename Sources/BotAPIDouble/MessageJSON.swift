// Messages, users and chats as the Bot API shows them, in the field order of the real server
// (telegram-bot-api's JsonMessage, JsonUser, JsonChat).

extension BotAPIDouble {
    /// A stored message of `chat` as a Message object: message_id, from, chat, date, edit_date,
    /// message_thread_id, reply_to_message (one level, same chat and topic), media_group_id, the content
    /// (text and entities, or the media with caption and caption_entities, or the service field or invoice),
    /// link_preview_options, reply_markup, is_topic_message. Call with the lock held.
    func messageJSONLocked(chat: Int64, id: Int64, _ message: StoredMessage, includeReply: Bool = true) -> String {
        let record = state.chats[chat]
        var json = "{\"message_id\":\(id),\"from\":" + senderJSON(message.sender)
        json += ",\"chat\":" + (record?.json ?? defaultChatJSON(chat)) + ",\"date\":\(message.date)"
        if let editDate = message.editDate { json += ",\"edit_date\":\(editDate)" }
        if let thread = message.threadID { json += ",\"message_thread_id\":\(thread)" }
        if includeReply, let replyTo = message.replyTo, let replied = record?.message(replyTo) {
            json += ",\"reply_to_message\":" + messageJSONLocked(chat: chat, id: replyTo, replied, includeReply: false)
        }
        if let group = message.mediaGroupID {
            json += ",\"media_group_id\":"
            appendJSONString(group, to: &json)
        }
        if let service = message.service {
            switch service {
            case .forumTopicCreated(let name, let iconColor):
                json += ",\"forum_topic_created\":{\"name\":"
                appendJSONString(name, to: &json)
                json += ",\"icon_color\":\(iconColor)}"
            case .invoice(let invoice):
                json += "," + invoiceJSON(invoice)
            case .successfulPayment(let payment):
                json += "," + successfulPaymentJSON(payment)
            }
        } else if let media = message.media {
            json += "," + mediaJSON(media)
            if media.allowsCaption && !message.text.isEmpty {
                json += ",\"caption\":"
                appendJSONString(message.text, to: &json)
                if !message.entities.isEmpty { json += ",\"caption_entities\":" + entitiesJSON(message.entities) }
            }
        } else {
            json += ",\"text\":"
            appendJSONString(message.text, to: &json)
            if !message.entities.isEmpty { json += ",\"entities\":" + entitiesJSON(message.entities) }
            if message.linkPreviewDisabled { json += ",\"link_preview_options\":{\"is_disabled\":true}" }
        }
        if let markup = message.markupJSON { json += ",\"reply_markup\":" + markup }
        if message.threadID != nil { json += ",\"is_topic_message\":true" }
        return json + "}"
    }

    func senderJSON(_ sender: MessageSender) -> String {
        switch sender {
        case .bot: return botUserJSON
        case .user(let profile): return userJSON(profile)
        }
    }

    /// `{"id","is_bot":false,"first_name","username"?,"language_code"?}`.
    func userJSON(_ profile: UserProfile) -> String {
        var json = "{\"id\":\(profile.id),\"is_bot\":false,\"first_name\":"
        appendJSONString(profile.firstName, to: &json)
        if let username = profile.username {
            json += ",\"username\":"
            appendJSONString(username, to: &json)
        }
        if let languageCode = profile.languageCode {
            json += ",\"language_code\":"
            appendJSONString(languageCode, to: &json)
        }
        return json + "}"
    }

    /// A private chat with `profile`: `{"id","type":"private","first_name","username"?}`.
    func privateChatJSON(chatID: Int64, _ profile: UserProfile) -> String {
        var json = "{\"id\":\(chatID),\"type\":\"private\",\"first_name\":"
        appendJSONString(profile.firstName, to: &json)
        if let username = profile.username {
            json += ",\"username\":"
            appendJSONString(username, to: &json)
        }
        return json + "}"
    }

    /// A registered supergroup: `{"id","title","type":"supergroup","is_forum":true?}`.
    func supergroupJSON(chatID: Int64, _ group: GroupSettings) -> String {
        var json = "{\"id\":\(chatID),\"title\":"
        appendJSONString(group.title, to: &json)
        json += ",\"type\":\"supergroup\""
        if group.isForum { json += ",\"is_forum\":true" }
        return json + "}"
    }
}

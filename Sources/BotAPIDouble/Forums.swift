// Forum supergroups and their topics: registering groups, what people do with topics in the
// Telegram app, and the Bot API's topic methods and getChat.
//
// Error strings follow TDLib (ForumTopicManager.cpp) as telegram-bot-api reports them, and the
// server codes bots are seen to get (TOPIC_ID_INVALID, TOPIC_NOT_MODIFIED, TOPIC_CLOSED).

extension BotAPIDouble {
    /// A forum topic as the double sees it.
    public struct Topic: Sendable, Equatable {
        /// The topic's message_thread_id: the id of its creation service message.
        public let threadID: Int64
        /// The current name (after editForumTopic).
        public let name: String
        /// Closed by closeForumTopic or `closeTopic`, and not reopened since.
        public let isClosed: Bool
        /// Deleted by deleteForumTopic or `deleteTopic`; its messages are gone.
        public let isDeleted: Bool

        /// A topic with these values (for comparing with `topics(in:)`).
        public init(threadID: Int64, name: String, isClosed: Bool, isDeleted: Bool) {
            self.threadID = threadID
            self.name = name
            self.isClosed = isClosed
            self.isDeleted = isDeleted
        }
    }

    /// The icon colours Telegram allows for topics (the first is the default).
    static let topicIconColors: [Int] = [7_322_096, 16_766_590, 13_338_331, 9_367_192, 16_749_490, 16_478_047]

    // MARK: - Registering groups

    /// Registers `chatID` (negative) as a forum supergroup: its chat object is
    /// `{"id":…,"title":…,"type":"supergroup","is_forum":true}` everywhere (injected messages keep it), and
    /// from now on every message in it — injected or sent by the bot — and every topic takes the next id of
    /// one sequence, starting at 2 (1 is Telegram's General topic), so ids never collide. With
    /// `botCanManageTopics` false the bot lacks the can_manage_topics right: it cannot create topics, nor
    /// close, reopen, edit or delete topics it did not create, nor post in closed ones.
    public func makeForum(chatID: Int64, title: String = "Support", botCanManageTopics: Bool = true) {
        register(chatID, GroupSettings(title: title, isForum: true, botCanManageTopics: botCanManageTopics))
    }

    /// Registers `chatID` (negative) as a plain supergroup (not a forum), with the chat object
    /// `{"id":…,"title":…,"type":"supergroup"}` and one message-id sequence as in `makeForum`. Topic methods
    /// answer "the chat is not a forum"; `message_thread_id` on sends is ignored, as Telegram does.
    public func makeGroup(chatID: Int64, title: String = "Operators") {
        register(chatID, GroupSettings(title: title, isForum: false, botCanManageTopics: false))
    }

    private func register(_ chatID: Int64, _ settings: GroupSettings) {
        precondition(chatID < 0, "a supergroup's chat id is negative")
        let json = supergroupJSON(chatID: chatID, settings)
        lock.withLock {
            { (record: inout ChatRecord) in
                record.group = settings
                record.json = json
                let highest = max(record.botMessages.keys.max() ?? 0, record.otherMessages.keys.max() ?? 0)
                record.nextSharedMessageID = max(record.nextSharedMessageID, highest + 1)
            }(&state.chats[chatID, default: ChatRecord()])
            changedLocked()
        }
    }

    // MARK: - What people do in the Telegram app

    /// Creates a topic in forum `chatID` as a person (an operator) would, and returns its thread id (the
    /// next id of the chat's sequence). The bot did not create it, so without the manage-topics right it
    /// cannot manage it or post in it once closed. No update is queued. The chat must be a forum.
    @discardableResult
    public func createTopic(chatID: Int64, name: String, iconColor: Int = 7_322_096) -> Int64 {
        lock.withLock {
            precondition(state.chats[chatID]?.isForum == true, "createTopic: \(chatID) is not a forum (makeForum)")
            let sender = MessageSender.user(profileLocked(defaultUserID(chatID: chatID)))
            let threadID = createTopicLocked(chat: chatID, name: name, iconColor: iconColor, byBot: false, sender: sender)
            changedLocked()
            return threadID
        }
    }

    /// Closes a topic as a person would (nothing happens for an unknown or deleted topic). No update is queued.
    public func closeTopic(chatID: Int64, threadID: Int64) {
        setTopicClosed(chatID: chatID, threadID: threadID, closed: true)
    }

    /// Reopens a topic as a person would (nothing happens for an unknown or deleted topic).
    public func reopenTopic(chatID: Int64, threadID: Int64) {
        setTopicClosed(chatID: chatID, threadID: threadID, closed: false)
    }

    private func setTopicClosed(chatID: Int64, threadID: Int64, closed: Bool) {
        lock.withLock {
            guard state.chats[chatID]?.topics[threadID]?.isDeleted == false else { return }
            state.chats[chatID]?.topics[threadID]?.isClosed = closed
            changedLocked()
        }
    }

    /// Deletes a topic as a person would: it and all its messages are gone (sends to it answer "message
    /// thread not found", its messages cannot be copied or replied to). No update is queued.
    public func deleteTopic(chatID: Int64, threadID: Int64) {
        lock.withLock {
            guard state.chats[chatID]?.topics[threadID]?.isDeleted == false else { return }
            deleteTopicLocked(chat: chatID, thread: threadID)
            changedLocked()
        }
    }

    /// The topics of `chatID` in the order they were created, deleted ones included.
    public func topics(in chatID: Int64) -> [Topic] {
        lock.withLock {
            guard let record = state.chats[chatID] else { return [] }
            return record.topicOrder.compactMap { id in
                record.topics[id].map { Topic(threadID: id, name: $0.name, isClosed: $0.isClosed, isDeleted: $0.isDeleted) }
            }
        }
    }

    // MARK: - Topic bookkeeping (call with the lock held)

    /// Adds a topic and its forum_topic_created service message; returns the thread id.
    func createTopicLocked(chat: Int64, name: String, iconColor: Int, byBot: Bool, sender: MessageSender) -> Int64 {
        let date = unixTime()
        return { (record: inout ChatRecord) -> Int64 in
            let threadID = record.allocateMessageID(fromBot: byBot)
            record.topics[threadID] = TopicRecord(name: name, iconColor: iconColor, createdByBot: byBot)
            record.topicOrder.append(threadID)
            record.otherMessages[threadID] = StoredMessage(
                text: "", entities: [], markupJSON: nil, date: date, editDate: nil, linkPreviewDisabled: false,
                sender: sender, threadID: threadID, service: .forumTopicCreated(name: name, iconColor: iconColor))
            return threadID
        }(&state.chats[chat, default: ChatRecord()])
    }

    /// Marks the topic deleted and forgets its messages (and the bot's reactions to them).
    func deleteTopicLocked(chat: Int64, thread: Int64) {
        { (record: inout ChatRecord) in
            record.topics[thread]?.isDeleted = true
            let gone = record.botMessages.filter { $0.value.threadID == thread }.map(\.key)
                + record.otherMessages.filter { $0.value.threadID == thread }.map(\.key)
            for id in gone {
                record.botMessages[id] = nil
                record.otherMessages[id] = nil
                record.reactions[id] = nil
            }
        }(&state.chats[chat, default: ChatRecord()])
    }

    // MARK: - createForumTopic, editForumTopic, closeForumTopic, reopenForumTopic, deleteForumTopic

    /// createForumTopic: not a forum → "the chat is not a forum"; no right → "not enough rights to create a
    /// topic"; a name empty after TDLib's cleaning → "name must be non-empty" (longer than 128 characters is
    /// cut, not refused); an icon_color outside 0…0xFFFFFF → "invalid icon color specified", one that is
    /// not among Telegram's six becomes the default 7322096. Not a send: no flood control.
    func createForumTopic(_ parameters: [String: String]) -> HTTPResponse {
        let method = "createforumtopic"
        let chat: Int64
        switch chatID(parameters) {
        case .success(let id): chat = id
        case .failure(let error): return respond(method, parameters, error.response)
        }
        let name = cleanTopicName(parameters["name"] ?? "")
        let color = parameters["icon_color"].flatMap(parseInteger) ?? 0
        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            guard let group = state.chats[chat]?.group, group.isForum else {
                return fail(.badRequest("the chat is not a forum"))
            }
            guard group.botCanManageTopics else { return fail(.badRequest("not enough rights to create a topic")) }
            guard !name.isEmpty else { return fail(.badRequest("name must be non-empty")) }
            guard (0...0xFF_FFFF).contains(color) else { return fail(.badRequest("invalid icon color specified")) }
            let iconColor = Self.topicIconColors.contains(Int(color)) ? Int(color) : Self.topicIconColors[0]
            let threadID = createTopicLocked(chat: chat, name: name, iconColor: iconColor, byBot: true, sender: .bot)
            var json = "{\"message_thread_id\":\(threadID),\"name\":"
            appendJSONString(name, to: &json)
            json += ",\"icon_color\":\(iconColor)}"
            let response = HTTPResponse.ok(json)
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    /// editForumTopic: as the other topic methods (`topicLocked`), then a non-empty name that cleans to
    /// nothing → "name must be non-empty"; neither a name nor icon_custom_emoji_id → true without a change
    /// (TDLib answers before asking the server); the same name and no icon → TOPIC_NOT_MODIFIED.
    func editForumTopic(_ parameters: [String: String]) -> HTTPResponse {
        let method = "editforumtopic"
        let rawName = parameters["name"] ?? ""
        let name = cleanTopicName(rawName)
        let editsIcon = parameters["icon_custom_emoji_id"] != nil
        return topicMethod(method, parameters, rightsError: "not enough rights to edit the topic") { chat, thread in
            if !rawName.isEmpty && name.isEmpty { return .badRequest("name must be non-empty") }
            if rawName.isEmpty && !editsIcon { return nil }
            guard let topic = state.chats[chat]?.topics[thread], !topic.isDeleted else { return .badRequest("TOPIC_ID_INVALID") }
            if !editsIcon && topic.name == name { return .badRequest("TOPIC_NOT_MODIFIED") }
            if !name.isEmpty { state.chats[chat]?.topics[thread]?.name = name }
            return nil
        }
    }

    /// closeForumTopic / reopenForumTopic: as the other topic methods (`topicLocked`), then closing a
    /// closed topic or reopening an open one → TOPIC_NOT_MODIFIED.
    func setForumTopicClosed(_ method: String, _ parameters: [String: String], closed: Bool) -> HTTPResponse {
        topicMethod(method, parameters, rightsError: "not enough rights to close or open the topic") { chat, thread in
            guard let topic = state.chats[chat]?.topics[thread], !topic.isDeleted else { return .badRequest("TOPIC_ID_INVALID") }
            if topic.isClosed == closed { return .badRequest("TOPIC_NOT_MODIFIED") }
            state.chats[chat]?.topics[thread]?.isClosed = closed
            return nil
        }
    }

    /// deleteForumTopic: as the other topic methods (`topicLocked`); the topic and its messages are gone.
    func deleteForumTopic(_ parameters: [String: String]) -> HTTPResponse {
        topicMethod("deleteforumtopic", parameters, rightsError: "not enough rights to delete the topic") { chat, thread in
            guard state.chats[chat]?.topics[thread]?.isDeleted == false else { return .badRequest("TOPIC_ID_INVALID") }
            deleteTopicLocked(chat: chat, thread: thread)
            return nil
        }
    }

    /// The checks every topic method makes, in TDLib's order: the chat is a forum ("the chat is not a
    /// forum"), message_thread_id is positive ("invalid forum topic identifier specified"), and — for a
    /// topic the double knows and the bot did not create — the bot has the manage-topics right
    /// (`rightsError`). Then `body` runs with the lock held: an unknown or deleted topic is TOPIC_ID_INVALID
    /// there. Answers true, or the first error.
    private func topicMethod(
        _ method: String, _ parameters: [String: String], rightsError: String,
        _ body: (_ chat: Int64, _ thread: Int64) -> APIError?
    ) -> HTTPResponse {
        let chat: Int64
        switch chatID(parameters) {
        case .success(let id): chat = id
        case .failure(let error): return respond(method, parameters, error.response)
        }
        let thread = max(0, parameters["message_thread_id"].flatMap(parseInteger) ?? 0)
        return lock.withLock {
            func fail(_ error: APIError) -> HTTPResponse { failLocked(method, parameters, error) }
            guard state.chats[chat]?.isForum == true else { return fail(.badRequest("the chat is not a forum")) }
            guard thread > 0 else { return fail(.badRequest("invalid forum topic identifier specified")) }
            if let topic = state.chats[chat]?.topics[thread], !topic.isDeleted, state.chats[chat]?.botMayManage(topic) == false {
                return fail(.badRequest(rightsError))
            }
            if let error = body(chat, thread) { return fail(error) }
            let response = HTTPResponse.ok("true")
            recordLocked(method, parameters, response.status)
            return response
        }
    }

    /// TDLib's `clean_name` for topic names: trimmed, cut to 128 characters, runs of spaces, newlines and
    /// no-break spaces made one space, control characters dropped.
    func cleanTopicName(_ name: String) -> String {
        let trimmedName = name.trimmingScalars(in: " \t\r\n\u{A0}")
        var cleaned = String.UnicodeScalarView()
        var previousSpace = false
        for scalar in trimmedName.unicodeScalars.prefix(128) {
            if scalar == " " || scalar == "\n" || scalar == "\u{A0}" {
                if !previousSpace { cleaned.append(" ") }
                previousSpace = true
                continue
            }
            previousSpace = false
            if scalar.value < 0x20 || scalar.value == 0x7F { continue }
            cleaned.append(scalar)
        }
        return String(cleaned).trimmingScalars(in: " ")
    }

    // MARK: - getChat

    /// getChat: the chat object of a chat the double knows (registered, written from or sent to), with
    /// `is_forum` for forums; else "chat not found".
    func getChat(_ parameters: [String: String]) -> HTTPResponse {
        let method = "getchat"
        let chat: Int64
        switch chatID(parameters) {
        case .success(let id): chat = id
        case .failure(let error): return respond(method, parameters, error.response)
        }
        return lock.withLock {
            guard let record = state.chats[chat] else { return failLocked(method, parameters, .badRequest("chat not found")) }
            let response = HTTPResponse.ok(record.json ?? defaultChatJSON(chat))
            recordLocked(method, parameters, response.status)
            return response
        }
    }
}

import Foundation
import Testing
@testable import BotAPIDouble
@testable import Telegram

/// The double's forums, topics, richer injected messages, copies, media sends and reactions, over
/// real HTTP (`TestClient` of BotAPIDoubleTests).
@Suite struct BotAPIDoubleForumTests: DoubleMethodCalls {
    let token = "123456:TEST-token"
    static let forum: Int64 = -1_001_000_000_001
    static let operators: Int64 = -1_001_000_000_002

    /// The pending updates' objects, confirming them.
    func takeUpdates(_ double: BotAPIDouble) throws -> [[String: Any]] {
        let updates = try call(double, "getUpdates", [:]).resultArray
        if let last = updates.last?["update_id"] as? Int64 { _ = try call(double, "getUpdates", ["offset": last + 1]) }
        return updates
    }

    func messageID(_ response: TestResponse) -> Int64? {
        response.resultObject["message_id"] as? Int64
    }

    // MARK: - Chats

    @Test func forumsAndGroupsHaveTheirChatObjects() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        double.makeGroup(chatID: Self.operators, title: "值班")

        let forum = try call(double, "getChat", ["chat_id": Self.forum])
        #expect(forum.body == #"{"ok":true,"result":{"id":-1001000000001,"title":"Support","type":"supergroup","is_forum":true}}"#)
        let group = try call(double, "getChat", ["chat_id": Self.operators])
        #expect(group.body == #"{"ok":true,"result":{"id":-1001000000002,"title":"值班","type":"supergroup"}}"#)
        expectError(try call(double, "getChat", ["chat_id": -1_009_999]), "Bad Request: chat not found")

        // An injected message keeps the registered chat object, whatever chatType says.
        double.injectMessage(chatID: Self.forum, userID: 501, text: "hi", chatType: "group")
        let chat = try takeUpdates(double).first?["message"] as? [String: Any]
        #expect((chat?["chat"] as? [String: Any])?["is_forum"] as? Bool == true)
        #expect((chat?["chat"] as? [String: Any])?["type"] as? String == "supergroup")
        // A private chat the double has seen.
        double.injectMessage(chatID: 42, text: "x", firstName: "阿明", username: "aming")
        #expect(try call(double, "getChat", ["chat_id": 42]).body
            == #"{"ok":true,"result":{"id":42,"type":"private","first_name":"阿明","username":"aming"}}"#)
    }

    // MARK: - Topics

    @Test func forumMessagesAndTopicsShareOneIDSequence() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)

        double.injectMessage(chatID: Self.forum, userID: 501, text: "first", chatType: "supergroup")
        #expect(double.lastInjectedMessageID(chatID: Self.forum) == 2, "1 is the General topic")
        let botMessage = try call(double, "sendMessage", ["chat_id": Self.forum, "text": "bot"])
        #expect(messageID(botMessage) == 3)
        let created = try call(double, "createForumTopic", ["chat_id": Self.forum, "name": "工单 #17"])
        #expect(created.body == #"{"ok":true,"result":{"message_thread_id":4,"name":"工单 #17","icon_color":7322096}}"#)
        double.injectMessage(chatID: Self.forum, userID: 501, text: "in topic", chatType: "supergroup", threadID: 4)
        #expect(double.lastInjectedMessageID(chatID: Self.forum) == 5)
        let inTopic = try call(double, "sendMessage", ["chat_id": Self.forum, "text": "answer", "message_thread_id": 4])
        #expect(messageID(inTopic) == 6)
        #expect(inTopic.resultObject["message_thread_id"] as? Int == 4)
        #expect(inTopic.resultObject["is_topic_message"] as? Bool == true)
        let operatorTopic = double.createTopic(chatID: Self.forum, name: "人工")
        #expect(operatorTopic == 7)
        let colored = try call(double, "createForumTopic", ["chat_id": Self.forum, "name": "b", "icon_color": 16_766_590])
        #expect(colored.resultObject["icon_color"] as? Int == 16_766_590)
        #expect(colored.resultObject["message_thread_id"] as? Int == 8)
        // Not among Telegram's six colours: the default.
        let odd = try call(double, "createForumTopic", ["chat_id": Self.forum, "name": "c", "icon_color": 123])
        #expect(odd.resultObject["icon_color"] as? Int == 7_322_096)

        #expect(double.topics(in: Self.forum) == [
            BotAPIDouble.Topic(threadID: 4, name: "工单 #17", isClosed: false, isDeleted: false),
            BotAPIDouble.Topic(threadID: 7, name: "人工", isClosed: false, isDeleted: false),
            BotAPIDouble.Topic(threadID: 8, name: "b", isClosed: false, isDeleted: false),
            BotAPIDouble.Topic(threadID: 9, name: "c", isClosed: false, isDeleted: false),
        ])
        #expect(double.sentMessages(to: Self.forum).map(\.threadID) == [nil, 4])
        #expect(double.sentMessages(to: Self.forum).map(\.messageID) == [3, 6])

        // Private chats keep their own numbering: users 1, 2, …; the bot 1000, 1001, …
        double.injectMessage(chatID: 77, text: "a")
        #expect(double.lastInjectedMessageID(chatID: 77) == 1)
        #expect(messageID(try call(double, "sendMessage", ["chat_id": 77, "text": "b"])) == 1000)
        double.injectMessage(chatID: 77, text: "c")
        #expect(double.lastInjectedMessageID(chatID: 77) == 2)
        #expect(double.lastInjectedMessageID(chatID: 78) == nil)
    }

    @Test func createForumTopicErrors() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        double.makeGroup(chatID: Self.operators)
        double.makeForum(chatID: -1_001_000_000_003, botCanManageTopics: false)

        expectError(try call(double, "createForumTopic", ["chat_id": Self.operators, "name": "x"]), "Bad Request: the chat is not a forum")
        expectError(try call(double, "createForumTopic", ["chat_id": 42, "name": "x"]), "Bad Request: the chat is not a forum")
        expectError(
            try call(double, "createForumTopic", ["chat_id": -1_001_000_000_003, "name": "x"]),
            "Bad Request: not enough rights to create a topic")
        expectError(try call(double, "createForumTopic", ["chat_id": Self.forum, "name": ""]), "Bad Request: name must be non-empty")
        expectError(try call(double, "createForumTopic", ["chat_id": Self.forum]), "Bad Request: name must be non-empty")
        expectError(try call(double, "createForumTopic", ["chat_id": Self.forum, "name": " \n "]), "Bad Request: name must be non-empty")
        expectError(
            try call(double, "createForumTopic", ["chat_id": Self.forum, "name": "x", "icon_color": -1]),
            "Bad Request: invalid icon color specified")
        expectError(try call(double, "createForumTopic", ["name": "x"]), "Bad Request: chat_id is empty")
        // A long name is cut to 128 characters, runs of spaces become one.
        let long = try call(double, "createForumTopic", ["chat_id": Self.forum, "name": "  a \n  b " + String(repeating: "长", count: 200)])
        #expect(long.status == 200)
        let name = try #require(long.resultObject["name"] as? String)
        #expect(name.hasPrefix("a b 长"))
        #expect(name.unicodeScalars.count == 128 - 3)
        #expect(double.topics(in: Self.forum).count == 1)
        #expect(double.calls("createForumTopic").map(\.httpStatus) == [400, 400, 400, 400, 400, 400, 400, 400, 200])
    }

    @Test func closeReopenEditAndDeleteTopics() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = try #require(try call(double, "createForumTopic", ["chat_id": Self.forum, "name": "t"]).resultObject["message_thread_id"] as? Int)
        let topic = ["chat_id": Self.forum, "message_thread_id": thread] as [String: Any]

        #expect(try call(double, "closeForumTopic", topic).body == #"{"ok":true,"result":true}"#)
        #expect(double.topics(in: Self.forum).first?.isClosed == true)
        expectError(try call(double, "closeForumTopic", topic), "Bad Request: TOPIC_NOT_MODIFIED")
        #expect(try call(double, "reopenForumTopic", topic).status == 200)
        #expect(double.topics(in: Self.forum).first?.isClosed == false)
        expectError(try call(double, "reopenForumTopic", topic), "Bad Request: TOPIC_NOT_MODIFIED")

        var rename = topic
        rename["name"] = "工单 已处理"
        #expect(try call(double, "editForumTopic", rename).status == 200)
        #expect(double.topics(in: Self.forum).first?.name == "工单 已处理")
        expectError(try call(double, "editForumTopic", rename), "Bad Request: TOPIC_NOT_MODIFIED")
        #expect(try call(double, "editForumTopic", topic).status == 200, "nothing to change: true without asking the server")
        rename["name"] = "   "
        expectError(try call(double, "editForumTopic", rename), "Bad Request: name must be non-empty")

        // Unknown threads, missing ids, not a forum.
        expectError(try call(double, "closeForumTopic", ["chat_id": Self.forum, "message_thread_id": 999]), "Bad Request: TOPIC_ID_INVALID")
        expectError(try call(double, "closeForumTopic", ["chat_id": Self.forum]), "Bad Request: invalid forum topic identifier specified")
        expectError(try call(double, "deleteForumTopic", ["chat_id": 42, "message_thread_id": thread]), "Bad Request: the chat is not a forum")

        #expect(try call(double, "deleteForumTopic", topic).status == 200)
        #expect(double.topics(in: Self.forum) == [BotAPIDouble.Topic(threadID: Int64(thread), name: "工单 已处理", isClosed: false, isDeleted: true)])
        expectError(try call(double, "deleteForumTopic", topic), "Bad Request: TOPIC_ID_INVALID")
        expectError(try call(double, "closeForumTopic", topic), "Bad Request: TOPIC_ID_INVALID")
        expectError(try call(double, "reopenForumTopic", topic), "Bad Request: TOPIC_ID_INVALID")
        rename["name"] = "again"
        expectError(try call(double, "editForumTopic", rename), "Bad Request: TOPIC_ID_INVALID")
    }

    @Test func withoutTheRightTheBotCannotManageOperatorsTopics() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum, botCanManageTopics: false)
        let thread = double.createTopic(chatID: Self.forum, name: "客户 A")
        let topic = ["chat_id": Self.forum, "message_thread_id": thread] as [String: Any]
        expectError(try call(double, "closeForumTopic", topic), "Bad Request: not enough rights to close or open the topic")
        expectError(try call(double, "reopenForumTopic", topic), "Bad Request: not enough rights to close or open the topic")
        expectError(try call(double, "editForumTopic", topic.merging(["name": "x"]) { $1 }), "Bad Request: not enough rights to edit the topic")
        expectError(try call(double, "deleteForumTopic", topic), "Bad Request: not enough rights to delete the topic")
        #expect(double.topics(in: Self.forum) == [BotAPIDouble.Topic(threadID: thread, name: "客户 A", isClosed: false, isDeleted: false)])

        // It may post in the open topic, not in the closed one.
        #expect(try call(double, "sendMessage", ["chat_id": Self.forum, "text": "a", "message_thread_id": thread]).status == 200)
        double.closeTopic(chatID: Self.forum, threadID: thread)
        #expect(double.topics(in: Self.forum).first?.isClosed == true)
        expectError(try call(double, "sendMessage", ["chat_id": Self.forum, "text": "b", "message_thread_id": thread]), "Bad Request: TOPIC_CLOSED")
        double.injectMessage(chatID: Self.forum, userID: 9, text: "q", chatType: "supergroup", media: nil)
        let source = try #require(double.lastInjectedMessageID(chatID: Self.forum))
        expectError(
            try call(double, "copyMessage", ["chat_id": Self.forum, "from_chat_id": Self.forum, "message_id": source, "message_thread_id": thread]),
            "Bad Request: TOPIC_CLOSED")
        expectError(
            try call(double, "copyMessages", ["chat_id": Self.forum, "from_chat_id": Self.forum, "message_ids": [source], "message_thread_id": thread]),
            "Bad Request: TOPIC_CLOSED")
        expectError(
            try call(double, "sendPhoto", ["chat_id": Self.forum, "photo": "AgACphoto", "message_thread_id": thread]),
            "Bad Request: TOPIC_CLOSED")
        double.reopenTopic(chatID: Self.forum, threadID: thread)
        #expect(try call(double, "sendMessage", ["chat_id": Self.forum, "text": "c", "message_thread_id": thread]).status == 200)
        #expect(double.sentMessages(to: Self.forum).map(\.text) == ["a", "c"])
        #expect(double.calls("sendMessage").map(\.httpStatus) == [200, 400, 200])
    }

    @Test func sendsIntoTopics() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        double.makeGroup(chatID: Self.operators)
        let open = double.createTopic(chatID: Self.forum, name: "open")
        let closed = double.createTopic(chatID: Self.forum, name: "closed")
        let deleted = double.createTopic(chatID: Self.forum, name: "deleted")
        double.closeTopic(chatID: Self.forum, threadID: closed)
        double.deleteTopic(chatID: Self.forum, threadID: deleted)
        #expect(double.topics(in: Self.forum).map(\.isDeleted) == [false, false, true])

        for thread in [Int64(999), 1, deleted] {
            expectError(
                try call(double, "sendMessage", ["chat_id": Self.forum, "text": "x", "message_thread_id": thread]),
                "Bad Request: message thread not found")
        }
        expectError(try call(double, "sendMessage", ["chat_id": 42, "text": "x", "message_thread_id": 5]), "Bad Request: message thread not found")
        // A group without topics ignores the parameter.
        let plain = try call(double, "sendMessage", ["chat_id": Self.operators, "text": "x", "message_thread_id": 5])
        #expect(plain.status == 200)
        #expect(plain.resultObject["message_thread_id"] == nil)
        #expect(plain.resultObject["is_topic_message"] == nil)
        // With the right, the bot posts in closed topics.
        let inClosed = try call(double, "sendMessage", ["chat_id": Self.forum, "text": "still", "message_thread_id": closed])
        #expect(inClosed.status == 200)
        #expect(inClosed.resultObject["message_thread_id"] as? Int64 == closed)

        // A reply without a thread goes into the replied message's topic.
        double.injectMessage(chatID: Self.forum, userID: 501, text: "问题", chatType: "supergroup", threadID: open)
        let question = try #require(double.lastInjectedMessageID(chatID: Self.forum))
        let reply = try call(double, "sendMessage", ["chat_id": Self.forum, "text": "答", "reply_parameters": ["message_id": question]])
        #expect(reply.resultObject["message_thread_id"] as? Int64 == open)
        let replied = try #require(reply.resultObject["reply_to_message"] as? [String: Any])
        #expect(replied["message_id"] as? Int64 == question)
        #expect(replied["text"] as? String == "问题")
        #expect(replied["reply_to_message"] == nil)
        #expect(double.sentMessages(to: Self.forum).last?.threadID == open)
        #expect(double.sentMessages(to: Self.forum).last?.replyToMessageID == question)

        // Messages of a deleted topic are gone.
        double.injectMessage(chatID: Self.forum, userID: 501, text: "old", chatType: "supergroup", threadID: open)
        let old = try #require(double.lastInjectedMessageID(chatID: Self.forum))
        double.deleteTopic(chatID: Self.forum, threadID: open)
        expectError(
            try call(double, "copyMessage", ["chat_id": 42, "from_chat_id": Self.forum, "message_id": old]),
            "Bad Request: message to copy not found")
        expectError(
            try call(double, "sendMessage", ["chat_id": Self.forum, "text": "x", "reply_parameters": ["message_id": question]]),
            "Bad Request: message to be replied not found")
    }

    // MARK: - Injected messages

    @Test func injectedMediaLooksLikeTelegrams() throws {
        let double = try makeDouble()
        defer { double.stop() }
        let chat: Int64 = 42
        double.injectMessage(chatID: chat, caption: "截图", media: .photo(fileID: "AgACp1"), mediaGroupID: "g1", firstName: "阿明", username: "aming")
        double.injectMessage(chatID: chat, caption: "合同", media: .document(fileID: "BQACd1", fileName: "合同.pdf"))
        double.injectMessage(chatID: chat, media: .voice(fileID: "AwACv1"))
        double.injectMessage(chatID: chat, caption: "看", media: .video(fileID: "BAACv2"))
        double.injectMessage(chatID: chat, caption: "ignored", media: .videoNote(fileID: "DQACn1"))
        double.injectMessage(chatID: chat, media: .sticker(fileID: "CAACs1", emoji: "👍"))
        double.injectMessage(chatID: chat, media: .location(latitude: 22.25, longitude: 114.5))
        double.injectMessage(chatID: chat, media: .contact(phoneNumber: "+85212345678", firstName: "阿明"))
        let messages = try takeUpdates(double).compactMap { $0["message"] as? [String: Any] }
        #expect(messages.map { $0["message_id"] as? Int } == Array(1...8))

        let photo = messages[0]
        #expect((photo["from"] as? [String: Any])?["first_name"] as? String == "阿明")
        #expect((photo["from"] as? [String: Any])?["username"] as? String == "aming")
        #expect((photo["chat"] as? [String: Any])?["username"] as? String == "aming")
        #expect(photo["caption"] as? String == "截图")
        #expect(photo["media_group_id"] as? String == "g1")
        #expect(photo["text"] == nil)
        let sizes = try #require(photo["photo"] as? [[String: Any]])
        #expect(sizes.count == 3)
        #expect(sizes.last?["file_id"] as? String == "AgACp1")
        #expect(sizes.map { $0["width"] as? Int } == [90, 320, 1280])
        #expect(sizes.allSatisfy { ($0["file_unique_id"] as? String)?.hasPrefix("AQAD") == true && $0["file_size"] is Int && $0["height"] is Int })
        #expect(Set(sizes.compactMap { $0["file_unique_id"] as? String }).count == 3)

        let document = try #require(messages[1]["document"] as? [String: Any])
        #expect(document["file_name"] as? String == "合同.pdf")
        #expect(document["mime_type"] as? String == "application/pdf")
        #expect(document["file_id"] as? String == "BQACd1")
        #expect(messages[1]["caption"] as? String == "合同")
        let voice = try #require(messages[2]["voice"] as? [String: Any])
        #expect(voice["file_id"] as? String == "AwACv1")
        #expect(voice["duration"] is Int && voice["mime_type"] as? String == "audio/ogg")
        #expect(messages[2]["caption"] == nil)
        #expect((messages[3]["video"] as? [String: Any])?["file_id"] as? String == "BAACv2")
        #expect(messages[3]["caption"] as? String == "看")
        #expect((messages[4]["video_note"] as? [String: Any])?["length"] as? Int == 240)
        #expect(messages[4]["caption"] == nil, "video notes have no caption")
        let sticker = try #require(messages[5]["sticker"] as? [String: Any])
        #expect(sticker["emoji"] as? String == "👍")
        #expect(sticker["type"] as? String == "regular")
        #expect(sticker["is_animated"] as? Bool == false)
        let location = try #require(messages[6]["location"] as? [String: Any])
        #expect(location["latitude"] as? Double == 22.25)
        #expect(location["longitude"] as? Double == 114.5)
        #expect((messages[7]["contact"] as? [String: Any])?["phone_number"] as? String == "+85212345678")
    }

    @Test func injectedRepliesThreadsEditsAndTheExactJSON() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = double.createTopic(chatID: Self.forum, name: "t")
        let sent = try call(double, "sendMessage", ["chat_id": Self.forum, "text": "<b>问</b>", "parse_mode": "HTML", "message_thread_id": thread])
        let botMessage = try #require(messageID(sent))
        let update = double.injectMessage(
            chatID: Self.forum, userID: 501, text: "/start x", chatType: "supergroup", threadID: thread, replyTo: botMessage,
            firstName: "阿明")
        let userMessage = try #require(double.lastInjectedMessageID(chatID: Self.forum))
        let body = try call(double, "getUpdates", ["offset": update]).body
        let dates = body.matches(of: /"date":(\d+)/).map { String($0.output.1) }
        #expect(dates.count == 2)
        #expect(body == """
            {"ok":true,"result":[{"update_id":\(update),"message":{"message_id":\(userMessage),\
            "from":{"id":501,"is_bot":false,"first_name":"阿明","language_code":"zh-hans"},\
            "chat":{"id":-1001000000001,"title":"Support","type":"supergroup","is_forum":true},"date":\(dates[0]),\
            "message_thread_id":\(thread),"reply_to_message":{"message_id":\(botMessage),\
            "from":{"id":123456,"is_bot":true,"first_name":"Baohao","username":"BaohaoBot"},\
            "chat":{"id":-1001000000001,"title":"Support","type":"supergroup","is_forum":true},"date":\(dates[1]),\
            "message_thread_id":\(thread),"text":"问","entities":[{"offset":0,"length":1,"type":"bold"}],"is_topic_message":true},\
            "text":"/start x","entities":[{"offset":0,"length":6,"type":"bot_command"}],"is_topic_message":true}}]}
            """)

        // A reply to a user's message shows that user; an unknown id shows no reply.
        double.injectMessage(chatID: Self.forum, userID: 502, text: "me too", chatType: "supergroup", replyTo: userMessage)
        double.injectMessage(chatID: Self.forum, userID: 502, text: "?", chatType: "supergroup", replyTo: 4242)
        let messages = try takeUpdates(double).compactMap { $0["message"] as? [String: Any] }
        let replied = try #require(messages.first { $0["text"] as? String == "me too" }?["reply_to_message"] as? [String: Any])
        #expect((replied["from"] as? [String: Any])?["id"] as? Int == 501)
        #expect(replied["text"] as? String == "/start x")
        #expect(messages.last?["reply_to_message"] == nil)

        // An edit: same message and sender, an edit_date, the new text; a copy then copies the new text.
        let edit = double.injectEdit(chatID: Self.forum, messageID: userMessage, text: "/help")
        let edits = try takeUpdates(double)
        #expect(edits.count == 1)
        #expect(edits.first?["update_id"] as? Int64 == edit)
        let edited = try #require(edits.first?["edited_message"] as? [String: Any])
        #expect(edited["message_id"] as? Int64 == userMessage)
        #expect(edited["text"] as? String == "/help")
        #expect(edited["edit_date"] is Int)
        #expect((edited["from"] as? [String: Any])?["first_name"] as? String == "阿明")
        #expect(edited["message_thread_id"] as? Int64 == thread)
        let copy = try call(double, "copyMessage", ["chat_id": 42, "from_chat_id": Self.forum, "message_id": userMessage])
        #expect(copy.status == 200)
        #expect(double.sentMessages(to: 42).last?.text == "/help")
    }

    @Test func myChatMemberKickedBlocksAndMemberUnblocks() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.injectMessage(chatID: 42, text: "hi", firstName: "阿明")
        let source = try #require(double.lastInjectedMessageID(chatID: 42))
        _ = try takeUpdates(double)

        let kicked = double.injectMyChatMember(chatID: 42, newStatus: "kicked")
        let body = try call(double, "getUpdates", ["offset": kicked]).body
        let date = try #require(body.firstMatch(of: /"date":(\d+)/)?.output.1)
        #expect(body == """
            {"ok":true,"result":[{"update_id":\(kicked),"my_chat_member":{"chat":{"id":42,"type":"private","first_name":"阿明"},\
            "from":{"id":42,"is_bot":false,"first_name":"阿明","language_code":"zh-hans"},"date":\(date),\
            "old_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"Baohao","username":"BaohaoBot"},"status":"member"},\
            "new_chat_member":{"user":{"id":123456,"is_bot":true,"first_name":"Baohao","username":"BaohaoBot"},"status":"kicked","until_date":0}}}]}
            """)
        let blocked = "Forbidden: bot was blocked by the user"
        expectError(try call(double, "sendMessage", ["chat_id": 42, "text": "x"]), blocked, status: 403)
        expectError(try call(double, "copyMessage", ["chat_id": 42, "from_chat_id": 42, "message_id": source]), blocked, status: 403)
        expectError(try call(double, "copyMessages", ["chat_id": 42, "from_chat_id": 42, "message_ids": [source]]), blocked, status: 403)
        expectError(try call(double, "sendPhoto", ["chat_id": 42, "photo": "AgACx"]), blocked, status: 403)
        expectError(try call(double, "sendDocument", ["chat_id": 42, "document": "BQACx"]), blocked, status: 403)
        #expect(double.sentMessages(to: 42).isEmpty)

        let member = double.injectMyChatMember(chatID: 42, newStatus: "member")
        let update = try #require(try call(double, "getUpdates", ["offset": member]).resultArray.first?["my_chat_member"] as? [String: Any])
        #expect((update["old_chat_member"] as? [String: Any])?["status"] as? String == "kicked")
        #expect((update["new_chat_member"] as? [String: Any])?["status"] as? String == "member")
        #expect((update["new_chat_member"] as? [String: Any])?["until_date"] == nil)
        #expect(try call(double, "sendMessage", ["chat_id": 42, "text": "welcome back"]).status == 200)
        #expect(double.sentMessages(to: 42).map(\.text) == ["welcome back"])
    }

    // MARK: - Copies

    @Test func copyMessageCopiesTextsAndMedia() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = double.createTopic(chatID: Self.forum, name: "客户 42")
        double.injectMessage(chatID: 42, text: "/start 你好")
        let text = try #require(double.lastInjectedMessageID(chatID: 42))
        double.injectMessage(chatID: 42, caption: "收据", media: .photo(fileID: "AgACreceipt"))
        let photo = try #require(double.lastInjectedMessageID(chatID: 42))
        double.injectMessage(chatID: 42, media: .sticker(fileID: "CAACs", emoji: "🙂"))
        let sticker = try #require(double.lastInjectedMessageID(chatID: 42))

        let copied = try call(double, "copyMessage", ["chat_id": Self.forum, "from_chat_id": 42, "message_id": text, "message_thread_id": thread])
        #expect(copied.status == 200)
        let copyID = try #require(messageID(copied))
        #expect(copied.body == #"{"ok":true,"result":{"message_id":\#(copyID)}}"#, "a MessageId, not a Message")
        #expect(copyID == thread + 1)
        let photoCopy = try call(double, "copyMessage", ["chat_id": Self.forum, "from_chat_id": 42, "message_id": photo, "message_thread_id": thread])
        let recaptioned = try call(double, "copyMessage", [
            "chat_id": Self.forum, "from_chat_id": 42, "message_id": photo, "caption": "<b>客户</b>的收据", "parse_mode": "HTML",
        ])
        let stickerCopy = try call(double, "copyMessage", ["chat_id": Self.forum, "from_chat_id": 42, "message_id": sticker, "caption": "x"])
        #expect([photoCopy, recaptioned, stickerCopy].map(\.status) == [200, 200, 200])

        let sent = double.sentMessages(to: Self.forum)
        #expect(sent.count == 4)
        #expect(sent[0] == BotAPIDouble.SentMessage(
            messageID: copyID, chatID: Self.forum, text: "/start 你好", parseMode: nil, replyMarkupJSON: nil, callbackData: [],
            replyToMessageID: nil, disableLinkPreview: false, isEdit: false, threadID: thread, kind: .text,
            copiedFrom: BotAPIDouble.MessageRef(chatID: 42, messageID: text)))
        #expect(sent[1].kind == .photo)
        #expect(sent[1].fileID == "AgACreceipt")
        #expect(sent[1].caption == "收据")
        #expect(sent[1].text == "")
        #expect(sent[1].threadID == thread)
        #expect(sent[1].copiedFrom == BotAPIDouble.MessageRef(chatID: 42, messageID: photo))
        #expect(sent[2].caption == "<b>客户</b>的收据")
        #expect(sent[2].parseMode == "HTML")
        #expect(sent[2].threadID == nil)
        #expect(sent[3].kind == .sticker && sent[3].fileID == "CAACs" && sent[3].caption == nil)

        // The copies are real messages of the bot: replies show them with their content.
        let recaptionedID = try #require(messageID(recaptioned))
        double.injectMessage(chatID: Self.forum, userID: 7, text: "ok", chatType: "supergroup", replyTo: recaptionedID)
        let reply = try #require(try takeUpdates(double).last?["message"] as? [String: Any])
        let shown = try #require(reply["reply_to_message"] as? [String: Any])
        #expect(shown["caption"] as? String == "客户的收据")
        #expect((shown["caption_entities"] as? [[String: Any]])?.first?["type"] as? String == "bold")
        #expect((shown["photo"] as? [[String: Any]])?.last?["file_id"] as? String == "AgACreceipt")
        // A bot's message can be copied too (with its entities).
        let html = try call(double, "sendMessage", ["chat_id": 42, "text": "<i>斜</i>", "parse_mode": "HTML"])
        #expect(try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42, "message_id": try #require(messageID(html))]).status == 200)
        #expect(double.sentMessages(to: 43).first?.text == "斜")
    }

    @Test func copyMessageErrors() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = double.createTopic(chatID: Self.forum, name: "t")
        double.injectMessage(chatID: 42, caption: "c", media: .photo(fileID: "AgACp"))
        let photo = try #require(double.lastInjectedMessageID(chatID: 42))

        expectError(try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42, "message_id": 99]), "Bad Request: message to copy not found")
        expectError(try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42]), "Bad Request: message to copy not found")
        expectError(try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 44, "message_id": 1]), "Bad Request: message to copy not found")
        expectError(try call(double, "copyMessage", ["chat_id": 43, "message_id": photo]), #"Bad Request: parameter "from_chat_id" is required"#)
        expectError(
            try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": Self.forum, "message_id": thread]),
            "Bad Request: can't copy message")
        expectError(
            try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42, "message_id": photo, "caption": String(repeating: "长", count: 1025)]),
            "Bad Request: message caption is too long")
        expectError(
            try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42, "message_id": photo, "caption": "<b>", "parse_mode": "HTML"]),
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"")
        expectError(
            try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42, "message_id": photo, "reply_parameters": ["message_id": 77]]),
            "Bad Request: message to be replied not found")
        expectError(
            try call(double, "copyMessage", ["chat_id": Self.forum, "from_chat_id": 42, "message_id": photo, "message_thread_id": 999]),
            "Bad Request: message thread not found")
        double.blockChat(43)
        expectError(try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42, "message_id": photo]), "Forbidden: bot was blocked by the user", status: 403)
        #expect(double.sentMessages().isEmpty)

        // allow_sending_without_reply, and a reply to a known message.
        let lenient = try call(double, "copyMessage", [
            "chat_id": 42, "from_chat_id": 42, "message_id": photo, "reply_parameters": ["message_id": 77, "allow_sending_without_reply": true],
        ])
        #expect(lenient.status == 200)
        let replying = try call(double, "copyMessage", ["chat_id": 42, "from_chat_id": 42, "message_id": photo, "reply_parameters": ["message_id": photo]])
        #expect(replying.status == 200)
        #expect(double.sentMessages(to: 42).map(\.replyToMessageID) == [77, photo])
        #expect(double.calls("copyMessage").map(\.httpStatus) == [400, 400, 400, 400, 400, 400, 400, 400, 400, 403, 200, 200])
    }

    @Test func copyMessagesKeepsAlbumsTogether() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = double.createTopic(chatID: Self.forum, name: "t")
        for (index, id) in ["AgACa", "AgACb", "AgACc"].enumerated() {
            double.injectMessage(chatID: 42, caption: index == 0 ? "三张" : nil, media: .photo(fileID: id), mediaGroupID: "album-1")
        }
        double.injectMessage(chatID: 42, text: "说明")
        double.injectMessage(chatID: 42, media: .document(fileID: "BQACd", fileName: "a.txt"), mediaGroupID: "album-2")

        let response = try call(double, "copyMessages", [
            "chat_id": Self.forum, "from_chat_id": 42, "message_ids": [1, 2, 3, 4, 5, 99], "message_thread_id": thread,
        ])
        #expect(response.status == 200)
        let ids = response.resultArray.compactMap { $0["message_id"] as? Int64 }
        #expect(ids == [thread + 1, thread + 2, thread + 3, thread + 4, thread + 5], "the unknown 99 is skipped")
        #expect(response.resultArray.allSatisfy { $0.count == 1 }, "MessageId objects")

        let sent = double.sentMessages(to: Self.forum)
        #expect(sent.map(\.kind) == [.photo, .photo, .photo, .text, .document])
        #expect(sent.map(\.fileID) == ["AgACa", "AgACb", "AgACc", nil, "BQACd"])
        #expect(sent.map(\.caption) == ["三张", nil, nil, nil, nil])
        #expect(sent.map(\.copiedFrom?.messageID) == [1, 2, 3, 4, 5])
        #expect(sent.allSatisfy { $0.threadID == thread })
        let album = try #require(sent[0].mediaGroupID)
        #expect(album != "album-1")
        #expect(sent[1].mediaGroupID == album && sent[2].mediaGroupID == album)
        #expect(sent[3].mediaGroupID == nil)
        #expect(sent[4].mediaGroupID == nil, "a lone album member is not an album")

        // The copies show as an album when replied to, and a second copy gets another album id.
        let again = try call(double, "copyMessages", ["chat_id": 43, "from_chat_id": 42, "message_ids": [2, 3], "remove_caption": true])
        #expect(again.resultArray.count == 2)
        let second = double.sentMessages(to: 43)
        #expect(second[0].mediaGroupID != nil && second[0].mediaGroupID == second[1].mediaGroupID && second[0].mediaGroupID != album)
        let removed = try call(double, "copyMessages", ["chat_id": 43, "from_chat_id": 42, "message_ids": [1], "remove_caption": true])
        #expect(removed.status == 200)
        #expect(double.sentMessages(to: 43).last?.caption == nil)
        #expect(double.sentMessages(to: 43).last?.mediaGroupID == nil)
    }

    @Test func copyMessagesErrors() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = double.createTopic(chatID: Self.forum, name: "t")
        double.injectMessage(chatID: 42, text: "a")
        double.injectMessage(chatID: 42, text: "b")
        let base: [String: Any] = ["chat_id": 43, "from_chat_id": 42]
        func copy(_ ids: Any) throws -> TestResponse { try call(double, "copyMessages", base.merging(["message_ids": ids]) { $1 }) }

        expectError(try copy([2, 1]), "Bad Request: message identifiers must be in a strictly increasing order")
        expectError(try copy([1, 1]), "Bad Request: message identifiers must be in a strictly increasing order")
        expectError(try copy([Int]()), "Bad Request: message identifiers are not specified")
        expectError(try call(double, "copyMessages", base), "Bad Request: message identifiers are not specified")
        expectError(try copy(Array(1...101)), "Bad Request: too many message identifiers specified")
        expectError(try copy("[1,"), "Bad Request: can't parse message_ids JSON object")
        expectError(try copy(["x": 1]), "Bad Request: expected an Array of message identifiers")
        expectError(try copy([0]), "Bad Request: invalid message identifier specified")
        expectError(try copy([[1]]), "Bad Request: message identifier must be a Number")
        expectError(try copy([7, 8]), "Bad Request: messages can't be forwarded")
        expectError(
            try call(double, "copyMessages", ["chat_id": 43, "from_chat_id": Self.forum, "message_ids": [thread]]),
            "Bad Request: messages can't be forwarded")
        expectError(try call(double, "copyMessages", ["chat_id": 43, "message_ids": [1]]), #"Bad Request: parameter "from_chat_id" is required"#)
        // Unknown ids out of order do not matter: only the found ones must increase.
        #expect(try copy([9, 1, 5, 2]).resultArray.count == 2)
        #expect(double.sentMessages(to: 43).map(\.text) == ["a", "b"])
    }

    @Test func floodControlCountsEveryCopiedMessage() throws {
        let double = try makeDouble(limits: .telegram)
        defer { double.stop() }
        for text in ["a", "b", "c", "d"] { double.injectMessage(chatID: 42, text: text) }
        let four = try call(double, "copyMessages", ["chat_id": 43, "from_chat_id": 42, "message_ids": [1, 2, 3, 4]])
        #expect(four.status == 429, "a burst of 3 per chat")
        #expect(four.object["parameters"] as? [String: Any] != nil)
        #expect(double.sentMessages(to: 43).isEmpty, "nothing sent")
        #expect(double.acceptedSends().isEmpty, "nothing counted")
        let three = try call(double, "copyMessages", ["chat_id": 43, "from_chat_id": 42, "message_ids": [1, 2, 3]])
        #expect(three.resultArray.count == 3)
        #expect(double.acceptedSends().map(\.method) == ["copymessages", "copymessages", "copymessages"])
        expectError(
            try call(double, "copyMessage", ["chat_id": 43, "from_chat_id": 42, "message_id": 4]), "Too Many Requests: retry after 1", status: 429)
        expectError(try call(double, "sendPhoto", ["chat_id": 43, "photo": "AgACp"]), "Too Many Requests: retry after 1", status: 429)
        #expect(double.tooManyRequestsSent(to: 43) == 3)
    }

    // MARK: - Media sends

    @Test func sendPhotoAndSendDocument() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = double.createTopic(chatID: Self.forum, name: "t")
        double.injectMessage(chatID: 42, media: .document(fileID: "user-file-1", fileName: "账单.xlsx"))
        double.injectMessage(chatID: 42, media: .photo(fileID: "user-photo-1"))

        let photo = try call(double, "sendPhoto", [
            "chat_id": Self.forum, "photo": "user-photo-1", "caption": "<b>截图</b>", "parse_mode": "HTML", "message_thread_id": thread,
            "reply_markup": ["inline_keyboard": [[["text": "接手", "callback_data": "take:42"]]]],
        ])
        #expect(photo.status == 200)
        let message = photo.resultObject
        #expect((message["photo"] as? [[String: Any]])?.last?["file_id"] as? String == "user-photo-1")
        #expect(message["caption"] as? String == "截图")
        #expect((message["caption_entities"] as? [[String: Any]])?.first?["type"] as? String == "bold")
        #expect(message["message_thread_id"] as? Int64 == thread)
        #expect(message["is_topic_message"] as? Bool == true)
        #expect(message["reply_markup"] != nil)
        #expect(message["text"] == nil)

        let document = try call(double, "sendDocument", ["chat_id": Self.forum, "document": "user-file-1", "caption": "账单"])
        #expect((document.resultObject["document"] as? [String: Any])?["file_name"] as? String == "账单.xlsx")
        #expect(try call(double, "sendPhoto", ["chat_id": 42, "photo": "user-photo-1-s"]).status == 200, "a smaller size's id")
        #expect(try call(double, "sendDocument", ["chat_id": 42, "document": "BQACAgIAAxkBAAI"]).status == 200)
        #expect(try call(double, "sendDocument", ["chat_id": 42, "document": "AwACvoice"]).status == 200, "a voice note is a document")
        let byURL = try call(double, "sendDocument", ["chat_id": 42, "document": "https://example.com/files/report.pdf?x=1"])
        #expect((byURL.resultObject["document"] as? [String: Any])?["file_name"] as? String == "report.pdf")

        let sent = double.sentMessages(to: Self.forum)
        #expect(sent.map(\.kind) == [.photo, .document])
        #expect(sent[0].fileID == "user-photo-1")
        #expect(sent[0].caption == "<b>截图</b>")
        #expect(sent[0].parseMode == "HTML")
        #expect(sent[0].text == "")
        #expect(sent[0].callbackData == ["take:42"])
        #expect(sent[0].threadID == thread)
        #expect(sent[1].caption == "账单" && sent[1].threadID == nil)

        expectError(try call(double, "sendPhoto", ["chat_id": 42, "photo": "nonsense"]), "Bad Request: wrong file identifier/HTTP URL specified")
        expectError(try call(double, "sendPhoto", ["chat_id": 42]), "Bad Request: there is no photo in the request")
        expectError(try call(double, "sendDocument", ["chat_id": 42, "document": ""]), "Bad Request: there is no document in the request")
        expectError(try call(double, "sendDocument", ["chat_id": 42, "document": "user-photo-1"]), "Bad Request: can't use file of type Photo as Document")
        expectError(try call(double, "sendPhoto", ["chat_id": 42, "photo": "user-file-1"]), "Bad Request: can't use file of type Document as Photo")
        expectError(try call(double, "sendPhoto", ["chat_id": 42, "photo": "AwACv"]), "Bad Request: can't use file of type VoiceNote as Photo")
        expectError(
            try call(double, "sendPhoto", ["chat_id": 42, "photo": "AgACp", "caption": String(repeating: "a", count: 1025)]),
            "Bad Request: message caption is too long")
        expectError(try call(double, "sendPhoto", ["chat_id": 42, "photo": "AgACp", "caption": "x", "parse_mode": "nope"]), "Bad Request: unsupported parse_mode")
        expectError(
            try call(double, "sendPhoto", ["chat_id": 42, "photo": "AgACp", "reply_parameters": ["message_id": 555]]),
            "Bad Request: message to be replied not found")
        expectError(
            try call(double, "sendDocument", ["chat_id": Self.forum, "document": "BQACx", "message_thread_id": 4242]),
            "Bad Request: message thread not found")
        #expect(double.sentMessages(to: 42).count == 4)

        // A photo of the bot cannot be edited as a text.
        let photoID = try #require(messageID(photo))
        expectError(
            try call(double, "editMessageText", ["chat_id": Self.forum, "message_id": photoID, "text": "x"]),
            "Bad Request: there is no text in the message to edit")
    }

    // MARK: - Reactions

    @Test func setMessageReaction() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.injectMessage(chatID: 42, text: "谢谢")
        let message = try #require(double.lastInjectedMessageID(chatID: 42))
        let thumbs: [[String: Any]] = [["type": "emoji", "emoji": "👍"]]
        #expect(try call(double, "setMessageReaction", ["chat_id": 42, "message_id": message, "reaction": thumbs]).body == #"{"ok":true,"result":true}"#)
        #expect(double.reactions(chatID: 42) == [message: ["👍"]])
        let sent = try call(double, "sendMessage", ["chat_id": 42, "text": "x"])
        let botMessage = try #require(messageID(sent))
        #expect(try call(double, "setMessageReaction", ["chat_id": 42, "message_id": botMessage, "reaction": [["type": "emoji", "emoji": "🔥"]]]).status == 200)
        #expect(double.reactions(chatID: 42) == [message: ["👍"], botMessage: ["🔥"]])
        // An empty list (or none) removes them.
        #expect(try call(double, "setMessageReaction", ["chat_id": 42, "message_id": message, "reaction": [[String: Any]]()]).status == 200)
        #expect(double.reactions(chatID: 42) == [botMessage: ["🔥"]])

        expectError(
            try call(double, "setMessageReaction", ["chat_id": 42, "message_id": 77, "reaction": thumbs]), "Bad Request: message to react not found")
        expectError(
            try call(double, "setMessageReaction", ["chat_id": 9, "message_id": message, "reaction": thumbs]), "Bad Request: message to react not found")
        expectError(
            try call(double, "setMessageReaction", ["chat_id": 42, "message_id": message, "reaction": "[{"]),
            "Bad Request: can't parse reaction types JSON object")
        expectError(
            try call(double, "setMessageReaction", ["chat_id": 42, "message_id": message, "reaction": ["type": "emoji"]]),
            "Bad Request: expected an Array of ReactionType")
        expectError(
            try call(double, "setMessageReaction", ["chat_id": 42, "message_id": message, "reaction": [["type": "paid"]]]),
            "Bad Request: can't parse ReactionType: invalid reaction type specified")
        #expect(double.reactions(chatID: 42) == [botMessage: ["🔥"]])
        #expect(double.reactions(chatID: 9).isEmpty)
    }

    // MARK: - The bot's decoder

    /// The production decoders (bytes and JSONDecoder) take the richer updates the double now sends and
    /// agree on them.
    @Test func theBotsDecodersTakeTheRicherUpdates() throws {
        let double = try makeDouble()
        defer { double.stop() }
        double.makeForum(chatID: Self.forum)
        let thread = double.createTopic(chatID: Self.forum, name: "t")
        double.injectMessage(chatID: 42, caption: "看图", media: .photo(fileID: "AgACp"), mediaGroupID: "g", firstName: "阿明", username: "a")
        double.injectMessage(chatID: 42, media: .voice(fileID: "AwACv"))
        double.injectMessage(chatID: Self.forum, userID: 5, text: "在吗", chatType: "supergroup", threadID: thread, replyTo: thread)
        double.injectEdit(chatID: 42, messageID: 1, text: "改了")
        double.injectMyChatMember(chatID: 42, newStatus: "kicked")
        let client = try TestClient(port: double.port)
        let response = try #require(client.request("/bot\(token)/getUpdates", body: "{}"))
        let bytes = Array(response.body.utf8)
        let fast = try #require(UpdateBytesDecoder.decode(bytes))
        let slow = try #require(try JSONDecoder().decode(Envelope<[LenientUpdate]>.self, from: Data(bytes)).result)
        #expect(UpdateDecoderPropertyTests.same(fast, slow))
        #expect(fast.count == 5)
        let photo = try #require(fast[0].update?.message)
        #expect(photo.caption == "看图")
        #expect(photo.mediaGroupID == "g")
        #expect(photo.media == .photo)
        #expect(photo.from?.username == "a")
        #expect(fast[1].update?.message?.media == .voice)
        #expect(fast[2].update?.message?.text == "在吗")
        #expect(fast[3].update?.editedMessage?.caption == "改了")
    }
}

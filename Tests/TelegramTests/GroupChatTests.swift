import BaohaoCore
import BotAPIDouble
import Testing
@testable import Telegram

/// The bot in a customers' supergroup, through the Bot API double: what the members see.
@Suite(.serialized) struct GroupChatTests {
    static func groupMessage(update: Int64, message: Int64, text: String, extra: String = "") -> String {
        """
        {"update_id": \(update), "message": {"message_id": \(message), "date": 1, "text": "\(text)", \
        "from": {"id": 501, "is_bot": false, "first_name": "阿明", "language_code": "zh-hans"}, \
        "chat": {"id": -1001234, "type": "supergroup", "title": "保号群"}\(extra)}}
        """
    }

    /// Chatter between members gets nothing; a message that mentions the bot, and a reply
    /// to the bot's message, get an answer.
    @Test func chatterIsLeftAloneAndAMentionIsAnswered() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        rig.start()
        double.injectRawUpdate(Self.groupMessage(update: 900_001, message: 10, text: "今天天气不错"), updateID: 900_001)
        double.injectRawUpdate(
            Self.groupMessage(update: 900_002, message: 11, text: "@BaohaoBot 怎么续费", extra: #", "entities": [{"type": "mention", "offset": 0, "length": 10}]"#),
            updateID: 900_002)
        #expect(await rig.waitFor { double.sentMessages(to: -1001234).count == 1 })
        let answer = try #require(double.sentMessages(to: -1001234).first)
        #expect(answer.text.contains("续费"), "\(answer.text)")
        double.injectRawUpdate(
            Self.groupMessage(update: 900_003, message: 12, text: "谢谢", extra: #", "reply_to_message": {"message_id": \#(answer.messageID), "from": {"id": 123456, "is_bot": true, "first_name": "Baohao"}}"#),
            updateID: 900_003)
        double.injectRawUpdate(Self.groupMessage(update: 900_004, message: 13, text: "你也在用这个卡吗"), updateID: 900_004)
        #expect(await rig.waitFor { double.sentMessages(to: -1001234).count == 2 })
        try await rig.stop()
        let texts = double.sentMessages(to: -1001234).map(\.text)
        #expect(texts.count == 2, "\(texts)")
        #expect(double.pendingUpdateCount == 0, "every update confirmed, answered or not")
    }

    /// In a group a question about the asker's own line (`/balance@BaohaoBot`, or a mention
    /// asking the balance) gets a link to a private chat (`SupportDeskTests` binds a line to
    /// the group itself and checks it is never shown).
    @Test func aLineIsNeverShownInAGroup() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        rig.start()
        double.injectRawUpdate(
            Self.groupMessage(update: 900_101, message: 20, text: "/balance@BaohaoBot", extra: #", "entities": [{"type": "bot_command", "offset": 0, "length": 18}]"#),
            updateID: 900_101)
        double.injectRawUpdate(Self.groupMessage(update: 900_102, message: 21, text: "@BaohaoBot 我的余额还有多少", extra: #", "entities": [{"type": "mention", "offset": 0, "length": 10}]"#), updateID: 900_102)
        #expect(await rig.waitFor { double.sentMessages(to: -1001234).count == 2 })
        try await rig.stop()
        for reply in double.sentMessages(to: -1001234) {
            #expect(reply.text.contains("https://t.me/BaohaoBot?start=group"), "\(reply.text)")
        }
    }
}

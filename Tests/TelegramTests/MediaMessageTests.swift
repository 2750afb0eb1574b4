import BaohaoCore
import BotAPIDouble
import Testing
@testable import Telegram

/// What a customer sees after sending what is not plain text, through the Bot API double.
@Suite(.serialized) struct MediaMessageTests {
    static func update(_ id: Int64, chat: Int64, message: Int64, _ fields: String) -> String {
        """
        {"update_id": \(id), "message": {"message_id": \(message), "date": 1, \
        "from": {"id": \(chat), "is_bot": false, "first_name": "阿明", "language_code": "zh-hans"}, \
        "chat": {"id": \(chat), "type": "private"}, \(fields)}}
        """
    }

    static let photo = #""photo": [{"file_id": "AgAC", "file_unique_id": "u1", "width": 90, "height": 160}, {"file_id": "AgAD", "file_unique_id": "u2", "width": 720, "height": 1280}]"#

    /// A screenshot alone, an album of three, a voice note, and a screenshot with a caption
    /// about a payment: one reply each, the album one in all, a way to a person where needed.
    @Test func everyKindOfMessageGetsOneSensibleReply() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        rig.start()
        double.injectRawUpdate(Self.update(910_001, chat: 3001, message: 1, Self.photo), updateID: 910_001)
        for (k, id) in [(2, 910_002), (3, 910_003), (4, 910_004)] {
            double.injectRawUpdate(Self.update(Int64(id), chat: 3002, message: Int64(k), Self.photo + #", "media_group_id": "13579""#), updateID: Int64(id))
        }
        double.injectRawUpdate(Self.update(910_005, chat: 3003, message: 5, #""voice": {"file_id": "AwAC", "duration": 4, "mime_type": "audio/ogg"}"#), updateID: 910_005)
        double.injectRawUpdate(Self.update(910_006, chat: 3004, message: 6, Self.photo + #", "caption": "我付款了但是没到账，截图在这""#), updateID: 910_006)
        let chats: [Int64] = [3001, 3002, 3003, 3004]
        #expect(await rig.waitFor { chats.allSatisfy { !double.sentMessages(to: $0).isEmpty } })
        try await rig.stop()
        #expect(chats.allSatisfy { double.sentMessages(to: $0).count == 1 }, "\(chats.map { double.sentMessages(to: $0).count })")
        let agent = ButtonPayload.menu(.agent).encoded
        #expect(double.sentMessages(to: 3001).first?.text.contains("收到您发来的图片或文件") == true)
        #expect(double.sentMessages(to: 3001).first?.callbackData == [agent])
        #expect(double.sentMessages(to: 3002).first?.text.contains("收到您发来的图片或文件") == true, "the album answered once")
        #expect(double.sentMessages(to: 3003).first?.text.contains("我听不了语音") == true)
        let paid = try #require(double.sentMessages(to: 3004).first)
        #expect(!paid.text.contains("收到您发来的图片"), "the caption is answered: \(paid.text)")
        #expect(paid.callbackData.contains(agent))
        #expect(double.pendingUpdateCount == 0)
    }

    /// A question the bot could not place, then edited by the customer: the edit is answered.
    @Test func anEditedQuestionIsAnsweredAgain() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        rig.start()
        double.injectRawUpdate(Self.update(920_001, chat: 3201, message: 77, #""text": "明天天气怎么样""#), updateID: 920_001)
        #expect(await rig.waitFor { double.sentMessages(to: 3201).count == 1 })
        double.injectRawUpdate(
            #"{"update_id": 920002, "edited_message": {"message_id": 77, "date": 1, "edit_date": 2, "text": "怎么查余额", "from": {"id": 3201, "is_bot": false, "first_name": "阿明", "language_code": "zh-hans"}, "chat": {"id": 3201, "type": "private"}}}"#,
            updateID: 920_002)
        #expect(await rig.waitFor { double.sentMessages(to: 3201).count == 2 })
        try await rig.stop()
        let replies = double.sentMessages(to: 3201)
        #expect(replies.count == 2)
        #expect(replies.last?.text != replies.first?.text, "the edit got the same fallback again")
    }
}

import BotAPIDouble
import Testing
@testable import Telegram

/// Which messages are for the bot: all of a private chat's, only what is addressed to it in a group.
@Suite struct ChatAddressingTests {
    static let bot = BotIdentity(id: 123456, username: "BaohaoBot")

    static func message(_ text: String, chat: Int64 = -1001, type: String = "supergroup", entities: [MessageEntity]? = nil, repliedBy: Int64? = nil) -> TelegramMessage {
        TelegramMessage(
            messageID: 5, from: TelegramUser(id: 77, isBot: false, firstName: "A", username: nil, languageCode: "zh-hans"), chat: TelegramChat(id: chat, type: type),
            date: 1, text: text, entities: entities,
            replyToMessage: repliedBy.map { RepliedMessage(from: TelegramUser(id: $0, isBot: true, firstName: "B", username: nil, languageCode: nil)) })
    }

    static func text(_ m: TelegramMessage, operatorChat: Int64? = -500) -> String? { ChatAddressing.text(of: m, bot: bot, operatorChat: operatorChat) }

    @Test func everyPrivateMessageIsForTheBot() {
        #expect(Self.text(Self.message("今天天气不错", chat: 42, type: "private")) == "今天天气不错")
    }

    @Test func groupChatterIsNotButCommandsMentionsAndRepliesAre() {
        #expect(Self.text(Self.message("今天天气不错")) == nil)
        #expect(Self.text(Self.message("/help")) == "/help")
        #expect(Self.text(Self.message("/balance@baohaobot now")) == "/balance now")
        #expect(Self.text(Self.message("/help@OtherBot")) == nil)
        #expect(Self.text(Self.message("@BaohaoBot 我的余额", entities: [MessageEntity(type: "mention", offset: 0, length: 10)])) == "我的余额")
        // Offsets count UTF-16 units: an emoji before the mention takes two.
        #expect(Self.text(Self.message("👍 请问 @BaohaoBot 怎么续费", entities: [MessageEntity(type: "mention", offset: 6, length: 10)])) == "👍 请问 怎么续费")
        #expect(Self.text(Self.message("@someone 你好", entities: [MessageEntity(type: "mention", offset: 0, length: 8)])) == nil)
        #expect(Self.text(Self.message("好的谢谢", repliedBy: 123456)) == "好的谢谢")
        #expect(Self.text(Self.message("好的谢谢", repliedBy: 999)) == nil)
        #expect(Self.text(Self.message("news", type: "channel")) == nil)
    }

    /// The operators' chat is a group where operators talk to the bot as before.
    @Test func theOperatorsChatIsServedAsBefore() {
        #expect(Self.text(Self.message("这条回答要改", chat: -500)) == "这条回答要改")
    }
}

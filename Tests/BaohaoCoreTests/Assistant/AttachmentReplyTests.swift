import Storage
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// What a customer gets for what is not plain text: a sensible reply in their language,
/// and a way to a person where a person is what they need.
@Suite struct AttachmentReplyTests {
    static let agent = ButtonPayload.menu(.agent).encoded

    func send(_ d: Dialogue, _ kind: Inbound.Kind, chat: Int64 = 42, id: Int64, attachment: Inbound.Attachment? = nil, group: String? = nil, hint: String = "zh-hans")
        async throws -> Exchange
    {
        Exchange(chat: chat, outputs: try await d.send(Inbound(chatID: chat, userID: chat, languageHint: hint, messageID: id, kind: kind, attachment: attachment, mediaGroup: group)))
    }

    @Test func aPictureWithoutWordsIsAcknowledgedAndOffersAPerson() async throws {
        let d = try await Dialogue()
        let photo = try await send(d, .attachment(.photo), id: 1)
        #expect(photo.replies.count == 1)
        #expect(photo.text.contains("收到您发来的图片或文件"), "\(photo.text)")
        #expect(photo.replies.first?.buttons.joined().map(\.payload) == [Self.agent])
        let english = try await send(d, .attachment(.document), chat: 43, id: 2, hint: "en")
        #expect(english.text.contains("Got your picture or file"), "\(english.text)")
    }

    @Test func eachOtherKindGetsItsOwnShortReply() async throws {
        let d = try await Dialogue()
        let voice = try await send(d, .attachment(.voice), id: 1)
        #expect(voice.text.contains("我听不了语音") && voice.replies.first?.buttons.joined().map(\.payload) == [Self.agent], "\(voice.text)")
        let sticker = try await send(d, .attachment(.sticker), id: 2)
        #expect(sticker.text.contains("有什么可以帮您") && (sticker.replies.first?.buttons.joined().count ?? 0) == 5)
        #expect(try await send(d, .attachment(.location), id: 3).text.contains("任何国家都可以续费"))
        #expect(try await send(d, .attachment(.contact), id: 4).text.contains("/bind"))
        #expect(try await send(d, .attachment(.other), id: 5).text.contains("这类消息我看不懂"))
    }

    /// An album is one message: its first picture is answered, the others are not, and the
    /// next album is answered again.
    @Test func anAlbumGetsOneReply() async throws {
        let d = try await Dialogue()
        var replies = 0
        for (id, group) in [(1, "A"), (2, "A"), (3, "A"), (4, "B"), (5, "B")] {
            replies += try await send(d, .attachment(.photo), id: Int64(id), group: group).replies.count
        }
        #expect(replies == 2)
    }

    /// An edit of the last question whose answer left it open (out of scope) is answered
    /// again; an edit of an answered question is kept quietly; with a ticket open, the
    /// operators see it as an edit.
    @Test func anEditIsAnsweredAgainOnlyWhenTheFirstAnswerLeftItOpen() async throws {
        let d = try await Dialogue()
        let first = try await send(d, .text("明天天气怎么样"), id: 10)
        #expect(first.text.contains(HTML.plainText(ShippedAssistantData.replies.text(.fallback, .zhHans)).prefix(8)), "\(first.text)")
        let edit = Exchange(chat: 42, outputs: try await d.send(Inbound(chatID: 42, userID: 42, languageHint: "zh-hans", messageID: 10, kind: .text("怎么查余额"), isEdit: true)))
        #expect(edit.replies.count == 1)
        #expect(edit.replies.first?.answering == 10)
        #expect(!edit.text.contains(HTML.plainText(ShippedAssistantData.replies.text(.fallback, .zhHans)).prefix(8)), "\(edit.text)")
        // Answered now: a second edit is kept without a reply.
        let again = Exchange(chat: 42, outputs: try await d.send(Inbound(chatID: 42, userID: 42, messageID: 10, kind: .text("怎么查余额呢"), isEdit: true)))
        #expect(again.outputs.isEmpty)
        // A person has the conversation: they see the edit.
        _ = try await send(d, .text("转人工"), id: 11)
        let edited = Exchange(chat: 42, outputs: try await d.send(Inbound(chatID: 42, userID: 42, messageID: 11, kind: .text("转人工，急"), isEdit: true)))
        #expect(edited.replies.isEmpty)
        #expect(edited.notices(to: Dialogue.operatorChat).map { HTML.plainText($0.html) } == ["✏️ 客户修改了这条消息：\n转人工，急"])
    }

    /// A caption is read like a text; a screenshot of a payment problem also offers a person.
    @Test func aCaptionIsAnsweredAndAPaymentScreenshotOffersAPerson() async throws {
        let d = try await Dialogue()
        let paid = try await send(d, .text("我付款了但是没到账，截图在这"), id: 1, attachment: .photo)
        #expect(paid.replies.count == 1)
        #expect(paid.replies.first?.buttons.joined().contains { $0.payload == Self.agent } == true, "\(paid.text)")
        // The same words without a picture get the usual answer, which need not offer one.
        let plain = try await send(d, .text("我付款了但是没到账"), chat: 44, id: 2)
        #expect(plain.text == paid.text)
        // A caption about something else is answered as usual.
        let balance = try await send(d, .text("怎么查余额"), chat: 45, id: 3, attachment: .photo)
        #expect(!balance.text.contains("收到您发来的图片"))
    }
}

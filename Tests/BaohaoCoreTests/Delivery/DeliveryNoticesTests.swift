import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// What the customer and the operators read about delivery itself.
@Suite struct DeliveryNoticesTests {
    let notices = DeliveryNotices(replies: ShippedAssistantData.replies, defaultLanguage: .zhHans, operatorChatID: -500)

    /// The late notice is in the chat's language and quotes its question while the chat's
    /// recent messages hold it; without it the notice still says how late; long questions
    /// are cut, and the quote is escaped HTML.
    @Test func aLateReplyNoticeSpeaksTheChatsLanguageAndQuotesTheQuestion() async throws {
        let database = try await Database.open(path: temporaryDatabase("notices"), migrations: BaohaoSchema.migrations)
        let now = Instant(iso: "2026-11-22T12:00:00.000Z")!
        let notices = self.notices
        let texts = try await database.write { db in
            for (chat, language) in [(1, "zh-Hant"), (2, "en")] {
                try db.execute("INSERT INTO conversations (chat_id, language, updated_at) VALUES (?, ?, ?)", Int64(chat), language, now.description)
            }
            try RecentMessages.remember(db, chat: 1, messageID: 10, text: "點樣續費呀", at: now)
            try RecentMessages.remember(db, chat: 2, messageID: 20, text: "is my <number> ok? " + String(repeating: "x", count: 100), at: now)
            return [
                try notices.lateReply(db, chat: 1, question: 10, delaySeconds: 400),
                try notices.lateReply(db, chat: 2, question: 20, delaySeconds: 3 * 3600 + 59),
                try notices.lateReply(db, chat: 3, question: 30, delaySeconds: 150),
            ]
        }
        #expect(texts[0] == "⏳ 唔好意思，呢個回覆遲咗 6 分鐘：當時 Telegram 暫時連唔上。你問嘅係：「點樣續費呀」")
        #expect(texts[1].hasPrefix("⏳ Sorry, this reply is 3 hours late: Telegram could not be reached. You asked: “is my &lt;number&gt; ok? xxx"))
        #expect(texts[1].hasSuffix("x…”"))
        #expect(texts[2] == "⏳ 抱歉，这条回复晚了 2 分钟：当时 Telegram 暂时连不上。")
        #expect(texts.allSatisfy { if case .success = TelegramHTMLCheck.check($0) { true } else { false } })
    }

    /// The operators' notice says how long, from when to when, how many waited and expired;
    /// without an operators' chat there is none.
    @Test func theOutageNoticeCountsWhatWaitedAndWhatExpired() {
        let since = Instant(iso: "2026-11-22T12:00:00.000Z")!
        let notice = notices.outage(since: since, until: since.adding(seconds: 754), waited: 31, expired: 2)
        #expect(notice?.chatID == -500)
        #expect(notice?.html == "⚠️ Telegram 接口中断了 12 分钟（2026-11-22 12:00 至 2026-11-22 12:12，UTC）。期间等待发送的消息 31 条，已送达或仍在发送；超时未送达 2 条（<code>baohao outbox status</code> 可查看）。")
        #expect(DeliveryNotices(replies: ShippedAssistantData.replies, defaultLanguage: .en, operatorChatID: nil).outage(since: since, until: since, waited: 0, expired: 0) == nil)
    }
}

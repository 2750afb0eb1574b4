import BaohaoCore
import BotAPIDouble
import Storage
import Testing
import Understanding
@testable import Telegram
import BaohaoSupport

private let replies = Shipped.knowledge.replies
private func plain(_ key: ReplyKey, _ language: Language) -> String { HTML.plainText(replies.text(key, language)) }

@Suite(.serialized) struct EndToEndTests {
    @Test func messagesInThreeLanguagesGetTheirRepliesAndButtonsAreAnswered() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        rig.start()
        double.injectMessage(chatID: 1, text: "你好")
        double.injectMessage(chatID: 2, text: "點樣先可以退款呀")
        double.injectMessage(chatID: 3, text: "thanks a lot", languageCode: "en")
        #expect(await rig.waitFor { [1, 2, 3].allSatisfy { !double.sentMessages(to: $0).isEmpty } })
        #expect(double.sentMessages(to: 1).first?.text == replies.text(.greeting, .zhHans))
        #expect(double.sentMessages(to: 1).first?.parseMode == "HTML")
        #expect(double.sentMessages(to: 1).first?.disableLinkPreview == true)
        #expect(double.sentMessages(to: 1).first?.callbackData == ["m:bal", "m:renew", "m:cancel", "m:faq", "m:agent"])
        #expect(double.sentMessages(to: 2).first?.text.contains("退") == true)
        #expect(double.sentMessages(to: 3).first?.text == replies.text(.thanks, .en))

        // A press on the menu: acknowledged, and answered with one message.
        let greeting = try #require(double.sentMessages(to: 1).first)
        let press = double.injectCallback(chatID: 1, messageID: greeting.messageID, data: "m:faq")
        #expect(await rig.waitFor { double.answeredCallbackIDs().contains(press.callbackID) && double.sentMessages(to: 1).count == 2 })
        #expect(double.sentMessages(to: 1).last?.text == replies.text(.faqBrowse, .zhHans))
        try await rig.stop()
        // Shutdown confirmed everything handled.
        #expect(double.confirmedOffset == press.updateID + 1)
        #expect(double.pendingUpdateCount == 0)
    }

    @Test func aRestartNeitherLosesNorRepeatsAnUpdate() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        var expected = 0
        func burst(_ round: Int) {
            for i in 0..<15 {
                double.injectMessage(chatID: Int64(10 + i % 5), text: "第\(round)轮 \(i) 我的余额")
                expected += 1
            }
        }
        burst(1)
        rig.start()
        burst(2)
        #expect(await rig.waitFor { double.sentMessages().count >= 10 })
        try await rig.stop()
        burst(3)  // while the bot is down
        rig.start()
        let total = expected
        #expect(await rig.waitFor { double.sentMessages().count >= total })
        try await rig.stop()
        // Exactly one reply per message, in each chat's order.
        #expect(double.sentMessages().count == expected)
        for chat in 10..<15 {
            let count = double.sentMessages(to: Int64(chat)).count
            #expect(count == 9, "chat \(chat): \(count)")
        }
        let handled = try await rig.database.read { db in try BotState.value(db, .telegramOffset) }
        #expect(handled == double.confirmedOffset)
    }

    @Test func faultsLoseNothingAndDuplicateNothing() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("sendMessage", with: .status(429, description: "Too Many Requests: retry after 1", retryAfter: 1))
        double.failNext("sendMessage", with: .htmlStatus(502))
        double.failNext("getUpdates", with: .htmlStatus(502))
        double.failNext("getUpdates", with: .dropConnection)
        rig.start()
        for i in 0..<6 { double.injectMessage(chatID: 40 + Int64(i), text: "谢谢") }
        let delivered = await rig.waitFor(30) { double.sentMessages().count >= 6 }
        let rows = try await rig.database.read { db in try db.query("SELECT id, chat_id, state, attempts, error FROM outbox") { "\($0.int64(0)) \($0.int64(1)) \($0.string(2)) \($0.int(3)) \($0.optionalString(4) ?? "")" } }
        let offset = try await rig.database.read { db in try BotState.value(db, .telegramOffset) }
        #expect(delivered, "\(rows) offset \(offset.map(String.init) ?? "") calls \(double.calls().map { "\($0.method) \($0.httpStatus)" })")
        try await rig.stop()
        #expect(double.sentMessages().count == 6)
        #expect(Set(double.sentMessages().map(\.chatID)).count == 6)
        #expect(rig.logs.lines.contains { $0.contains("outbox.rate_limited") })
        #expect(rig.logs.lines.contains { $0.contains("poll.failed") })
    }

    @Test func aBlockedChatIsMarkedInactiveAndBadRequestsAreDeadLettered() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.blockChat(66)
        double.failNext("sendMessage", with: .status(400, description: "Bad Request: chat not found"))
        rig.start()
        double.injectMessage(chatID: 67, text: "你好")
        #expect(await rig.waitFor { rig.logs.lines.contains { $0.contains("outbox.dead_letter") } })
        double.injectMessage(chatID: 66, text: "你好")
        #expect(await rig.waitFor { rig.logs.lines.contains { $0.contains("outbox.chat_inactive") } })
        try await rig.stop()
        let state = try await rig.database.read { db in
            (
                try db.queryFirst("SELECT inactive_reason FROM chat_state WHERE chat_id = 66") { $0.optionalString(0) } ?? nil,
                try Outbox.counts(db)
            )
        }
        #expect(state.0 == "Forbidden: bot was blocked by the user")
        #expect(state.1["dead"] == 2)
        #expect(double.sentMessages(to: 66).isEmpty)
    }

    @Test func longAnswersAreSplitAndBadHTMLFallsBackToPlainText() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        let long = (0..<400).map { "第\($0)行：余额还有多少，到期日是哪天" }.joined(separator: "\n")
        let now = rig.clock.now()
        try await rig.database.write { db in
            try Outbox.enqueue(db, OutboundMessage(chatID: 80, html: long, buttons: [[OutboundButton("OK", .menu(.balance))]]), at: now)
            try Outbox.enqueue(db, OutboundMessage(chatID: 81, html: "<div>not Telegram HTML</div> & more"), at: now)
        }
        rig.start()
        #expect(await rig.waitFor { double.sentMessages(to: 80).count >= 2 && double.sentMessages(to: 81).count == 1 })
        try await rig.stop()
        let parts = double.sentMessages(to: 80)
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.text.unicodeScalars.count <= 4096 })
        #expect(parts.dropLast().allSatisfy { $0.callbackData.isEmpty })
        #expect(parts.last?.callbackData == ["m:bal"])
        #expect(parts.map(\.text).joined(separator: "\n") == long)
        let plainOne = try #require(double.sentMessages(to: 81).first)
        #expect(plainOne.parseMode == nil)
        #expect(plainOne.text == "not Telegram HTML & more")
    }

    @Test func aRefusedTokenStopsTheBotWithAClearError() async throws {
        let rig = try await TelegramRig()
        let bot = rig.makeBot(token: "999:wrong-secret-token")
        let (stream, _) = AsyncStream<Int32>.makeStream()
        await #expect(throws: TelegramBot.StartError.unauthorized) { try await bot.run(shutdown: stream) }
        #expect(rig.double.calls("getMe").count == 1)
    }

    @Test func theTokenAppearsInNoLogLine() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("getUpdates", with: .dropConnection)
        double.failNext("sendMessage", with: .htmlStatus(500))
        rig.start()
        double.injectMessage(chatID: 90, text: "+12125550142 的余额是多少")
        #expect(await rig.waitFor { !double.sentMessages(to: 90).isEmpty })
        try await rig.stop()
        let secret = String(double.token.split(separator: ":").last!)
        #expect(!rig.logs.lines.isEmpty)
        for line in rig.logs.lines {
            #expect(!line.contains(secret), "\(line)")
            #expect(!line.contains("12125550142"), "\(line)")
        }
    }
}

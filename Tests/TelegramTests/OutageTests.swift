import BaohaoCore
import BaohaoSupport
import BotAPIDouble
import Storage
import Testing

/// What the customer gets when Telegram is down for a while: every reply, once it is back.
@Suite(.serialized) struct OutageTests {
    /// sendMessage answers an nginx 502 page 23 times in a row (every chat's first attempt,
    /// then three probes, the sender pausing 0.5, 1, 2 and 4 s around them): once the API
    /// answers again every chat gets its reply, once. Nothing is dead-lettered, and no HTML page
    /// reaches the logs or the outbox.
    @Test func repliesWaitingThroughAnOutageAreAllDelivered() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("sendMessage", with: .htmlStatus(502), count: 23)
        rig.start()
        let chats = (1...20).map { Int64(700 + $0) }
        for chat in chats { double.injectMessage(chatID: chat, text: "我的余额") }
        #expect(await rig.waitFor(60) { chats.allSatisfy { !double.sentMessages(to: $0).isEmpty } }, "replies lost in the outage")
        let failed = double.calls("sendMessage").filter { $0.httpStatus == 502 }.count
        #expect(failed == 23, "the double refused \(failed) sends")
        let (dead, errors) = try await rig.database.read { db in
            (try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'dead'") { $0.int(0) } ?? -1,
             try db.query("SELECT coalesce(error, '') FROM outbox") { $0.string(0) })
        }
        #expect(dead == 0)
        #expect(errors.allSatisfy { !$0.contains("<") }, "\(errors.filter { $0.contains("<") })")
        #expect(errors.contains("HTTP 502 Bad Gateway"), "the retried items keep the readable reason")
        #expect(chats.allSatisfy { double.sentMessages(to: $0).count == 1 }, "a reply sent twice")
        try await rig.stop()
        #expect(!rig.logs.lines.contains { $0.contains("<html") })
    }

    /// The double handles the send (the customer has the reply) and then drops the connection:
    /// the sender cannot know, retries, and the customer gets the reply twice. A lost reply
    /// would be worse; the duplicate is logged and counted.
    @Test func aReplyWhoseAnswerWasLostIsSentAgainAndCountedAsAPossibleDuplicate() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("sendMessage", with: .dropAfterHandling)
        rig.start()
        double.injectMessage(chatID: 801, text: "我的余额")
        #expect(await rig.waitFor(30) { double.sentMessages(to: 801).count == 2 })
        let texts = double.sentMessages(to: 801).map(\.text)
        #expect(texts.count == 2 && texts[0] == texts[1], "the same reply twice: \(texts)")
        try await rig.stop()
        // Stopped: every outcome is stored.
        let counted = try await rig.database.read { db in try Outbox.status(db, sending: []).possibleDuplicates }
        #expect(counted == 1)
        #expect(rig.logs.lines.contains { $0.contains("event=outbox.possible_duplicate") && $0.contains("chat=801") }, "\(rig.logs.lines.filter { $0.contains("outbox") })")
        #expect(double.sentMessages(to: 801).count == 2, "and no third")
    }

    /// Queues a reminder to each chat, due until `until` (as the alert scheduler does: the
    /// end of the expiry day); returns the outbox ids.
    static func queueReminders(_ rig: TelegramRig, chats: [Int64], until: Instant) async throws -> [Int64] {
        let now = rig.clock.now()
        return try await rig.database.write { db in
            try chats.map { chat in
                try Outbox.enqueueReturningID(db, OutboundMessage(chatID: chat, html: "⏰ 提醒：您的号码 3 天后到期"), priority: .bulk, at: now, expiresAt: until)
            }
        }
    }

    /// A 15-second outage (every sendMessage answered with a 502 page) with replies and
    /// reminders waiting: once it ends, every reply and every reminder arrives, once.
    @Test func aFifteenSecondOutageLosesNoReplyAndNoReminder() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("sendMessage", with: .htmlStatus(502), count: 100_000)
        rig.start()
        let chats = (1...10).map { Int64(1_100 + $0) }
        for chat in chats { double.injectMessage(chatID: chat, text: "点样续费") }
        let reminded = (1...5).map { Int64(1_200 + $0) }
        _ = try await Self.queueReminders(rig, chats: reminded, until: rig.clock.now().adding(seconds: 86_400))
        try await Task.sleep(nanoseconds: 15_000_000_000)
        let refused = double.calls("sendMessage").filter { $0.httpStatus == 502 }.count
        double.clearFaults("sendMessage")
        #expect(await rig.waitFor(60) { (chats + reminded).allSatisfy { !double.sentMessages(to: $0).isEmpty } }, "lost in the outage")
        try await rig.stop()
        #expect(refused >= 5, "the outage refused only \(refused) sends")
        #expect((chats + reminded).allSatisfy { double.sentMessages(to: $0).count == 1 }, "something twice")
        let dead = try await rig.database.read { db in try Outbox.counts(db)["dead"] ?? 0 }
        #expect(dead == 0)
    }

    /// A 6-minute outage on an injected clock. When the API is back: every reply arrives,
    /// led by a notice in the customer's language that says it is late and quotes the
    /// question (as a reply to it); the reminders still in their time arrive, the one whose
    /// moment passed does not; and the operators learn how long it lasted, how many messages
    /// waited and how many expired.
    @Test func afterAFiveMinuteOutageLateRepliesSaySoAndOperatorsAreTold() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("sendMessage", with: .htmlStatus(502), count: 100_000)
        rig.start()
        let chats = (1...10).map { Int64(1_300 + $0) }
        for chat in chats { double.injectMessage(chatID: chat, text: "我的余额") }
        let start = rig.clock.now()
        let reminded = (1...5).map { Int64(1_400 + $0) }
        _ = try await Self.queueReminders(rig, chats: reminded, until: start.adding(seconds: 86_400))
        let stale = try await Self.queueReminders(rig, chats: [1_499], until: start.adding(seconds: 180))[0]
        // Every reply queued (at the clock's start), and a failed round settled.
        let queued = { @Sendable () async throws -> (all: Int, failed: Int) in
            try await rig.database.read { db in
                try db.queryFirst("SELECT count(*), count(*) FILTER (WHERE attempts > 0) FROM outbox WHERE chat_id > 0") { ($0.int(0), $0.int(1)) } ?? (0, 0)
            }
        }
        for _ in 0..<400 {
            let (all, failed) = try await queued()
            if all == 16 && failed > 0 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(try await queued().all == 16)
        rig.clock.advance(seconds: 360)
        #expect(await rig.waitFor(30) { double.calls("sendMessage").count >= 4 }, "the sender stopped probing")
        double.clearFaults("sendMessage")
        #expect(await rig.waitFor(60) {
            chats.allSatisfy { double.sentMessages(to: $0).count >= 2 } && reminded.allSatisfy { !double.sentMessages(to: $0).isEmpty }
                && !double.sentMessages(to: -500).isEmpty
        })
        try await rig.stop()

        for chat in chats {
            let messages = double.sentMessages(to: chat)
            #expect(messages.count == 2, "chat \(chat): \(messages.map(\.text))")
            guard messages.count == 2 else { continue }
            #expect(messages[0].text.contains("这条回复晚了 6 分钟") && messages[0].text.contains("「我的余额」"), "\(messages[0].text)")
            #expect(messages[0].replyToMessageID != nil, "the notice quotes the question")
            #expect(!messages[1].text.contains("晚了"), "the answer itself follows")
        }
        #expect(reminded.allSatisfy { double.sentMessages(to: $0).count == 1 })
        #expect(double.sentMessages(to: 1_499).isEmpty, "a reminder past its moment was sent")
        let staleError = try await rig.database.read { db in
            try db.queryFirst("SELECT state, error FROM outbox WHERE id = ?", stale) { ($0.string(0), $0.optionalString(1) ?? "") }
        }
        #expect(staleError?.0 == "dead" && staleError?.1.hasPrefix("not delivered before its moment passed") == true, "\(String(describing: staleError))")
        let notice = double.sentMessages(to: -500).map(\.text).joined(separator: "\n")
        #expect(notice.contains("中断了 6 分钟"), "\(notice)")
        #expect(notice.contains("等待发送的消息 16 条") && notice.contains("超时未送达 1 条"), "\(notice)")
        #expect(rig.logs.lines.contains { $0.contains("event=outbox.outage_ended") && $0.contains("waited=16") && $0.contains("expired=1") })
    }
}

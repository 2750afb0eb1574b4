import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// The scheduler on a real database, with the shipped catalogue and replies.
@Suite struct AlertSchedulerTests {
    let scheduler = AlertScheduler(catalogue: ShippedAssistantData.catalogue, replies: ShippedAssistantData.replies, settings: AssistantSettings(configuration: BotConfiguration()))

    private func enqueue(_ d: Dialogue, at iso: String) async throws -> [PlannedAlert] {
        let scheduler = self.scheduler
        return try await d.database.write { db in try scheduler.enqueueDue(db, now: Instant(iso: iso)!) }
    }

    private func outbox(_ d: Dialogue) async throws -> [Outbox.Item] { try await d.database.read { db in try Outbox.pending(db, limit: 1000) } }

    @Test func aReminderGoesOnceAtTheLeadTimeInTheCarriersMorning() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-30", boundTo: 42)
        // 2026-11-23 03:00 New York: quiet hours; nothing yet.
        #expect(try await enqueue(d, at: "2026-11-23T08:00:00.000Z").isEmpty)
        // 08:00 New York: the T-7 reminder.
        let queued = try await enqueue(d, at: "2026-11-23T13:00:00.000Z")
        #expect(queued.map(\.alert) == [DueAlert(kind: .expiring, leadDays: 7, date: CivilDate(iso: "2026-11-23")!)])
        // Twice, or after a restart: nothing more.
        #expect(try await enqueue(d, at: "2026-11-23T13:05:00.000Z").isEmpty)
        let items = try await outbox(d)
        #expect(items.count == 1)
        #expect(items.first?.priority == .bulk)
        let text = HTML.plainText(items.first?.message?.html ?? "")
        #expect(text.contains("+1 ••• 0117"))
        #expect(text.contains("2026-11-30"))
        #expect(text.contains("US$3.00"))
        #expect(!text.contains("+13105550117"))
        #expect(items.first?.message?.buttons.flatMap { $0 }.map(\.payload).contains("rn:+13105550117") == true)
    }

    /// A reminder is worth sending until the end of the expiry day in the carrier's time
    /// zone; a later reminder of the same line to the same chat replaces one not sent yet.
    @Test func aReminderLastsUntilTheEndOfTheExpiryDayUnlessALaterOneSupersedesIt() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-30", boundTo: 42)
        #expect(try await enqueue(d, at: "2026-11-23T13:00:00.000Z").map(\.alert.leadDays) == [7])
        let first = try await d.database.read { db in try Outbox.nextPerChat(db, limit: 10) }
        // Midnight in New York (EST, UTC-5) after 30 November.
        #expect(first.map(\.expiresAt) == [Instant(iso: "2026-12-01T05:00:00.000Z")])
        // Still unsent four days later (Telegram down): the T-3 reminder replaces it.
        #expect(try await enqueue(d, at: "2026-11-27T13:00:00.000Z").map(\.alert.leadDays) == [3])
        let rows = try await d.database.read { db in
            try db.query("SELECT state, coalesce(error, '') FROM outbox ORDER BY id") { ($0.string(0), $0.string(1)) }
        }
        #expect(rows.map(\.0) == ["dead", "pending"])
        #expect(rows.first?.1 == "superseded by a later reminder of the same line")
        // A reminder already sent is left as it is.
        try await d.database.write { db in try Outbox.markSent(db, id: 2, at: Instant(iso: "2026-11-27T13:00:01.000Z")!) }
        #expect(try await enqueue(d, at: "2026-11-29T13:00:00.000Z").map(\.alert.leadDays) == [1])
        let states = try await d.database.read { db in try db.query("SELECT state FROM outbox ORDER BY id") { $0.string(0) } }
        #expect(states == ["dead", "sent", "pending"])
    }

    @Test func twoSchedulersOnTwoConnectionsQueueEachAlertOnce() async throws {
        let path = temporaryDatabase("alerts-two")
        let first = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let service = SQLiteLineService(database: first, catalogue: ShippedAssistantData.catalogue, clock: ManualWallClock("2026-11-22"))
        for i in 0..<20 {
            let number = PhoneNumber(e164: "+1212555\(String(1000 + i))")!
            _ = try await service.importLines(
                [LineImportRow(line: 2, number: number, carrier: "ultra", plan: "paygo", balance: Money(minorUnits: 0, currency: "USD"), expiresOn: CivilDate(iso: "2026-11-25")!, autoRenew: false, note: "")],
                by: .operator("t"))
            let code = try await service.issueBindingCode(for: number, by: .operator("t")).code
            _ = try await service.redeemBindingCode(code, chat: Int64(500 + i))
        }
        let second = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let scheduler = self.scheduler
        let now = Instant(iso: "2026-11-22T14:00:00.000Z")!
        async let a = first.write { db in try scheduler.enqueueDue(db, now: now).count }
        async let b = second.write { db in try scheduler.enqueueDue(db, now: now).count }
        let counts = try await [a, b]
        #expect(counts.reduce(0, +) == 20)
        let outboxCount = try await first.read { db in try db.queryFirst("SELECT count(*) FROM outbox") { $0.int(0) } }
        #expect(outboxCount == 20)
    }

    @Test func aRenewalCancelsThePendingReminderAndStartsAFreshSchedule() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        #expect(try await enqueue(d, at: "2026-11-22T14:00:00.000Z").count == 1)
        _ = try await d.service.renew(PhoneNumber(e164: "+13105550117")!, .option("1m"), reference: "r1", by: .operator("t"))
        #expect(try await outbox(d).isEmpty)
        let dead = try await d.database.read { db in try db.queryFirst("SELECT error FROM outbox WHERE state = 'dead'") { $0.optionalString(0) } ?? nil }
        #expect(dead == "line renewed before the reminder went out")
        // The new expiry (2026-12-25) gets its own T-7 reminder in due time.
        #expect(try await enqueue(d, at: "2026-11-23T14:00:00.000Z").isEmpty)
        let fresh = try await enqueue(d, at: "2026-12-18T14:00:00.000Z")
        #expect(fresh.map(\.alert.leadDays) == [7])
    }

    @Test func optOutSnoozeAndBlockedChatsGetNothing() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        try await d.line("+13105550118", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 43)
        try await d.line("+13105550119", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 44)
        let lineID = { (n: String) in try await d.database.read { db in try db.queryFirst("SELECT id FROM lines WHERE number = ?", n) { $0.int64(0) } ?? 0 } }
        // Chat 42 turns reminders off for its line; chat 43 asks for tomorrow; chat 44 blocked the bot.
        _ = try await d.press(payload: "ax:\(try await lineID("+13105550117"))", chat: 42)
        _ = try await d.press(payload: "az:\(try await lineID("+13105550118"))", chat: 43)
        try await d.database.write { db in try Outbox.markChatInactive(db, chat: 44, reason: "Forbidden: bot was blocked by the user", at: Instant(secondsSinceEpoch: 0)) }
        #expect(try await enqueue(d, at: "2026-11-22T14:00:00.000Z").isEmpty)
        // The snooze ends a day later (2026-11-23 12:00 UTC); by then T-1 is due for chat 43 only.
        let later = try await enqueue(d, at: "2026-11-24T14:00:00.000Z")
        #expect(later.map(\.chatID) == [43])
        // /alerts on clears the chat's per-line opt-outs.
        _ = try await d.press(payload: "al:on", chat: 42)
        #expect(try await enqueue(d, at: "2026-11-24T14:05:00.000Z").map(\.chatID) == [42])
    }
}

@Suite struct OperatorDigestTests {
    @Test func theDigestCountsTheDayAndGoesOnce() async throws {
        let d = try await Dialogue()
        // Ultra: grace 30, recycled on day 31. Expired yesterday → entered grace; expired 26 days ago → within 7 days of recycling.
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "0.00", expires: "2026-11-21", boundTo: nil)
        try await d.line("+13105550118", carrier: "ultra", plan: "paygo", balance: "0.00", expires: "2026-10-27", boundTo: nil)
        try await d.line("+13105550119", carrier: "ultra", plan: "paygo", balance: "0.00", expires: "2027-01-10", boundTo: nil)
        let now = Instant(iso: "2026-11-22T10:00:00.000Z")!
        try await d.database.write { db in
            try Outbox.enqueue(db, OutboundMessage(chatID: 1, html: "alert a"), priority: .bulk, at: now)
            try Outbox.enqueue(db, OutboundMessage(chatID: 2, html: "alert b"), priority: .bulk, at: now)
            try Outbox.enqueue(db, OutboundMessage(chatID: 3, html: "reply"), priority: .live, at: now)
            let items = try Outbox.pending(db)
            for item in items { try Outbox.markSent(db, id: item.id, at: now) }
            let dead = try Outbox.enqueueReturningID(db, OutboundMessage(chatID: 4, html: "alert c"), priority: .bulk, at: now)
            try Outbox.markDead(db, id: dead, reason: "Bad Request: chat not found", at: now)
        }
        let catalogue = ShippedAssistantData.catalogue, replies = ShippedAssistantData.replies
        let early = try await d.database.write { db in
            try OperatorDigest.queueIfDue(db, catalogue: catalogue, replies: replies, language: .en, chat: -500, minute: 11 * 60, now: now)
        }
        #expect(early == nil)
        let digest = try await d.database.write { db in
            try OperatorDigest.queueIfDue(db, catalogue: catalogue, replies: replies, language: .en, chat: -500, minute: 9 * 60, now: now)
        }
        #expect(digest == OperatorDigest(sent: 2, failed: 1, enteredGrace: 1, nearRecycling: 1))
        let again = try await d.database.write { db in
            try OperatorDigest.queueIfDue(db, catalogue: catalogue, replies: replies, language: .en, chat: -500, minute: 9 * 60, now: now.adding(seconds: 3600))
        }
        #expect(again == nil)
        let queued = try await d.database.read { db in try Outbox.pending(db).filter { $0.chatID == -500 } }
        #expect(queued.count == 1)
        let text = HTML.plainText(queued.first?.message?.html ?? "")
        #expect(text.contains("reminders sent 2, failed deliveries 1"))
    }
}

@Suite struct RenewalFailureAlertTests {
    @Test func aFailedAutomaticRenewalIsAnnouncedOnceAtOnce() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "0.00", expires: "2027-03-01", boundTo: 42)
        let number = PhoneNumber(e164: "+13105550117")!
        let catalogue = ShippedAssistantData.catalogue
        let now = Instant(iso: "2026-11-22T15:00:00.000Z")!  // 10:00 in New York
        _ = try await d.database.write { db in
            try db.transaction { try LineSession(db: db, catalogue: catalogue, now: now).recordAutoRenewFailure(number, reason: "card declined (expired)", reference: "pay-1", by: .operator("hook")) }
        }
        let scheduler = AlertScheduler(catalogue: catalogue, replies: ShippedAssistantData.replies, settings: AssistantSettings(configuration: BotConfiguration()))
        let queued = try await d.database.write { db in try scheduler.enqueueDue(db, now: now) }
        #expect(queued.map(\.alert.kind) == [.renewalFailed])
        let text = HTML.plainText(queued.first?.message.html ?? "")
        #expect(text.contains("card declined (expired)"))
        #expect(try await d.database.write { db in try scheduler.enqueueDue(db, now: now.adding(seconds: 60)) }.isEmpty)
        // The same failure reported again with its reference changes nothing.
        _ = try await d.database.write { db in
            try db.transaction { try LineSession(db: db, catalogue: catalogue, now: now).recordAutoRenewFailure(number, reason: "card declined (expired)", reference: "pay-1", by: .operator("hook")) }
        }
        #expect(try await d.service.ledger(number, visibleTo: .operator("t")).filter { $0.reason == "auto_renew_failed" }.count == 1)
    }
}

@Suite struct AlertZoneTests {
    @Test func aChatsOwnTimeZoneDecidesWhenItsRemindersGo() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "0.00", expires: "2026-11-30", boundTo: 42)
        let changed = try await d.press(payload: "al:tz:Asia/Shanghai")
        #expect(changed.text.contains("Asia/Shanghai"))
        let scheduler = AlertScheduler(catalogue: ShippedAssistantData.catalogue, replies: ShippedAssistantData.replies, settings: AssistantSettings(configuration: BotConfiguration()))
        // 2026-11-23 08:00 in Shanghai is 00:00 UTC: the T-7 reminder goes then, not at 08:00 New York.
        #expect(try await d.database.write { db in try scheduler.enqueueDue(db, now: Instant(iso: "2026-11-22T23:59:00.000Z")!) }.isEmpty)
        let queued = try await d.database.write { db in try scheduler.enqueueDue(db, now: Instant(iso: "2026-11-23T00:00:00.000Z")!) }
        #expect(queued.map(\.deliverAt.description) == ["2026-11-23T00:00:00.000Z"])
        // Bad zones are ignored; "default" goes back to the carrier's.
        _ = try await d.press(payload: "al:tz:Mars/Base")
        let settings = try await d.database.read { db in try AlertPreferences.settings(db, chat: 42) }
        #expect(settings.timeZone == "Asia/Shanghai")
        _ = try await d.press(payload: "al:tz:default")
        #expect(try await d.database.read { db in try AlertPreferences.settings(db, chat: 42) }.timeZone == nil)
    }
}

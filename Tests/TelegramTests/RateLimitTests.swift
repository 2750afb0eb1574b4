import BaohaoCore
import BaohaoSupport
import Foundation
import BotAPIDouble
import Storage
import TestSupport
import Testing
@testable import Telegram

/// The real sender, with the rate limits of the default configuration, against a Bot API
/// double that enforces Telegram's limits (`FloodControl.Limits.telegram`): a send beyond
/// them would be answered 429 and not delivered. None is.
@Suite struct RateLimitTests {
    static let configuration = BotConfiguration()

    /// Runs the sender until `done` holds (or `timeout` seconds pass), then stops it.
    static func send(_ rig: SenderRig, timeout: Double, until done: @escaping @Sendable () -> Bool) async -> Bool {
        let sender = rig.sender(configuration: configuration)
        let task = Task { await sender.run() }
        let finished = await rig.double.waitAsync(timeout: timeout, until: done)
        task.cancel()
        await task.value
        return finished
    }

    /// Queues each text as a reply to `chat`, in order.
    static func enqueue(_ rig: SenderRig, chat: Int64, texts: [String]) async throws {
        let now = SystemWallClock().now()
        try await rig.database.write { db in
            try db.transaction { for text in texts { try Outbox.enqueue(db, OutboundMessage(chatID: chat, html: text), at: now) } }
        }
    }

    /// 1,000 lines expiring on 2026-11-25, each bound to its own chat: at 2026-11-22 15:00 UTC
    /// each is due its T-3 reminder, which the alert scheduler queues (bulk). The sender
    /// delivers all of them at the configured overall rate: within 5 % of it over the run,
    /// never more in any second, and not one 429. About 34 s.
    @Test func aThousandRemindersGoAtTheOverallLimitWithoutA429() async throws {
        let rig = try await SenderRig("rate-fanout", enforceLimits: .telegram)
        defer { rig.stop() }
        let double = rig.double
        let count = 1000
        try await rig.database.write { db in
            try db.transaction {
                let line = try db.prepare(
                    "INSERT INTO lines (number, carrier, plan, balance_minor, currency, expires_on, auto_renew, created_at, updated_at) VALUES (?, 'ultra', 'paygo', 450, 'USD', '2026-11-25', 0, '', '')")
                let binding = try db.prepare("INSERT INTO bindings (chat_id, line_id, bound_at) VALUES (?, ?, '')")
                for i in 0..<count {
                    let digits = String(i)
                    try line.execute(["+1310555" + String(repeating: "0", count: 4 - digits.count) + digits])
                    try binding.execute([Int64(20_000 + i), db.lastInsertRowID])
                }
            }
        }
        let alerts = AlertScheduler(
            catalogue: Shipped.catalogue, replies: try ReplyBook.load(path: repositoryRoot + "/Intents/replies.json"),
            settings: AssistantSettings(configuration: Self.configuration))
        let queued = try await rig.database.write { db in try alerts.enqueueDue(db, now: Instant(iso: "2026-11-22T15:00:00.000Z")!) }
        #expect(queued.count == count)
        let priorities = try await rig.database.read { db in try Outbox.pending(db, limit: 2 * count).map(\.priority) }
        #expect(priorities.count == count && priorities.allSatisfy { $0 == .bulk })

        let started = ContinuousClock.now
        #expect(await Self.send(rig, timeout: 120) { double.sentMessages().count >= count }, "\(double.sentMessages().count) of \(count) delivered")
        let elapsed = started.duration(to: .now)

        let sent = double.sentMessages()
        #expect(sent.count == count)
        #expect(Set(sent.map(\.chatID)).count == count, "one reminder to each chat")
        #expect(double.tooManyRequestsSent == 0, "\(double.tooManyRequestsSent) sends beyond Telegram's limits")
        let times = double.acceptedSends().map(\.at)
        try #require(times.count == count)
        let limit = Self.configuration.rateLimits.globalPerSecond
        let span = times.last! - times.first!
        let rate = Double(times.count - 1) / span
        // The overall bucket lets a few go at once (a tenth of a second's worth), which at
        // most adds that many to the whole run's count.
        let burst = SendScheduler.Limits(configuration: Self.configuration).globalBurst
        #expect(rate >= 0.95 * limit, "\(rate) a second")
        #expect(rate <= limit + (burst - 1) / span + 0.01, "\(rate) a second")
        var busiest = 0, end = 0
        for start in times.indices {
            while end < times.count && times[end] < times[start] + 1 { end += 1 }
            busiest = max(busiest, end - start)
        }
        #expect(Double(busiest) <= limit, "\(busiest) sends in one second")
        print("rate-limits fan-out: \(count) reminders in \(elapsed), \(String(format: "%.2f", rate))/s over \(String(format: "%.2f", span)) s, busiest second \(busiest), 429s \(double.tooManyRequestsSent)")
    }

    /// Ten replies queued for one chat: three go at once, then one a second; not one 429.
    @Test func tenRepliesToOneChatGoAtItsPace() async throws {
        let rig = try await SenderRig("rate-one-chat", enforceLimits: .telegram)
        defer { rig.stop() }
        let double = rig.double
        let texts = (1...10).map { "reply \($0)" }
        try await Self.enqueue(rig, chat: 4242, texts: texts)
        #expect(await Self.send(rig, timeout: 60) { double.sentMessages(to: 4242).count >= 10 })
        #expect(double.sentMessages(to: 4242).map(\.text) == texts, "all ten, in order")
        #expect(double.tooManyRequestsSent == 0)
    }

    /// Twenty-five messages queued for one group: Telegram allows 20 in any minute, so the
    /// last ones wait for the first to leave the minute; not one 429. About 72 s (one every 3 s).
    @Test func twentyFiveMessagesToOneGroupKeepToTwentyAMinute() async throws {
        let rig = try await SenderRig("rate-group", enforceLimits: .telegram)
        defer { rig.stop() }
        let double = rig.double
        let group: Int64 = -100_777_000
        let texts = (1...25).map { "notice \($0)" }
        try await Self.enqueue(rig, chat: group, texts: texts)
        #expect(await Self.send(rig, timeout: 150) { double.sentMessages(to: group).count >= 25 })
        #expect(double.sentMessages(to: group).map(\.text) == texts)
        #expect(double.tooManyRequestsSent == 0)
    }

    /// A text too long for one message goes in more parts than the chat's burst, each a send
    /// Telegram counts: the parts go at the chat's pace, the replies after them wait for the
    /// parts, and not one draws a 429.
    @Test func aLongTextInMorePartsThanTheBurstDrawsNo429() async throws {
        let rig = try await SenderRig("rate-parts", enforceLimits: .telegram)
        defer { rig.stop() }
        let double = rig.double
        let long = String(repeating: "余额查询。\n", count: 3000)
        let parts = MessageSplitter.split(long).count
        try #require(parts > FloodControl.Limits.telegram.perChatBurst, "\(parts) parts")
        try await Self.enqueue(rig, chat: 4343, texts: [long, "after 1", "after 2"])
        #expect(await Self.send(rig, timeout: 60) { double.sentMessages(to: 4343).count >= parts + 2 })
        let sent = double.sentMessages(to: 4343)
        #expect(sent.count == parts + 2)
        #expect(sent.suffix(2).map(\.text) == ["after 1", "after 2"])
        #expect(double.acceptedSends().filter { $0.chatID == 4343 }.count == parts + 2, "each part is a send")
        #expect(double.tooManyRequestsSent == 0)
    }
}

import BaohaoCore
import BaohaoSupport
import Foundation
import BotAPIDouble
import Glibc
import Storage
import TestSupport
import Testing
@testable import Telegram

/// The real sender, with the rate limits of the default configuration, against a Bot API
/// double that enforces Telegram's limits (`FloodControl.Limits.telegram`): a send beyond
/// them would be answered 429 and not delivered. None is. The fan-out runs the `baohao`
/// binary; the others run `OutboxSender` in this process (their only timing is the double's).
@Suite struct RateLimitTests {
    static let configuration = BotConfiguration()

    /// Runs the sender until `done` holds (or `timeout` seconds pass), then stops it. Polls
    /// without blocking a thread: these waits are long, and a blocked dispatch or
    /// cooperative thread would hold up every other test running meanwhile.
    static func send(_ rig: SenderRig, timeout: Double, until done: @escaping @Sendable () -> Bool) async -> Bool {
        let sender = rig.sender(configuration: configuration)
        let task = Task { await sender.run() }
        let deadline = ContinuousClock.now + .seconds(timeout)
        var finished = done()
        while !finished && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            finished = done()
        }
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
    /// each is due its T-3 reminder. `baohao alerts run-once` (the production cron job: the
    /// alert scheduler queues them as bulk, then the sender built from the default
    /// configuration delivers them) runs as its own process, so the ~500 other tests sharing
    /// this process's threads cannot slow it down: all 1,000 go at the configured overall
    /// rate, within 5 % of it over the run, never more in any second, and not one 429.
    /// About 34 s.
    @Test func aThousandRemindersGoAtTheOverallLimitWithoutA429() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: CrashRestartTests.binary), "no executable at \(CrashRestartTests.binary)")
        let double = try BotAPIDouble(enforceLimits: .telegram)
        double.start()
        defer { double.stop() }
        let directory = makeTemporaryDirectory("rate-fanout")
        let path = directory + "/bot.sqlite"
        let count = 1000
        do {
            let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
            try await database.write { db in
                try db.transaction {
                    for i in 0..<count {
                        let digits = String(i)
                        let lineID = try db.queryFirst(
                            "INSERT INTO lines (number, carrier, plan, balance_minor, currency, expires_on, auto_renew, created_at, updated_at) VALUES (?, 'ultra', 'paygo', 450, 'USD', '2026-11-25', 0, '', '') RETURNING id",
                            "+1310555" + String(repeating: "0", count: 4 - digits.count) + digits
                        ) { $0.int64(0) }
                        try db.execute("INSERT INTO bindings (chat_id, line_id, bound_at) VALUES (?, ?, '')", Int64(20_000 + i), lineID)
                    }
                }
            }
        }
        // The default configuration (rate limits on), with absolute paths to the shipped data.
        let config = directory + "/bot.json"
        try #"{"intents_dir": "\#(repositoryRoot)/Intents", "carriers_file": "\#(repositoryRoot)/Config/carriers.json"}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["BOT_TOKEN"] = double.token
        environment["BAOHAO_API_BASE"] = double.baseURL
        environment["BAOHAO_CONFIG"] = config
        environment["BAOHAO_DB"] = path

        let started = ContinuousClock.now
        let status = try await Self.runProcess(
            ["alerts", "run-once", "--now", "2026-11-22T15:00:00Z", "--deadline", "120"], environment: environment,
            stdout: directory + "/out.txt", stderr: directory + "/err.log", timeout: 180)
        let elapsed = started.duration(to: .now)
        let out = (try? String(contentsOfFile: directory + "/out.txt", encoding: .utf8)) ?? ""
        #expect(status == 0, "\(out)")
        #expect(out.contains("queued \(count) messages"), "\(out)")
        #expect(out.contains("delivered \(count);"), "\(out)")
        InstanceLockTests.checkLogFile(directory + "/err.log", token: double.token)

        let sent = double.sentMessages()
        #expect(sent.count == count)
        #expect(Set(sent.map(\.chatID)).count == count, "one reminder to each chat")
        #expect(double.tooManyRequestsSent == 0, "\(double.tooManyRequestsSent) sends beyond Telegram's limits")
        let times = double.acceptedSends().map(\.at)
        try #require(times.count == count)
        let limit = Self.configuration.rateLimits.globalPerSecond
        let span = times.last! - times.first!
        let rate = Double(times.count - 1) / span
        // At most `limit` in any second: 999 sends span at least 33 s, whatever the pattern,
        // so no sender within the limit measures more than 999 / 33 = 30.27 a second.
        let most = Double(count - 1) / (Double(count - 1) / limit).rounded(.down)
        #expect(rate >= 0.95 * limit, "\(rate) a second")
        #expect(rate <= most, "\(rate) a second")
        var busiest = 0, end = 0
        for start in times.indices {
            while end < times.count && times[end] < times[start] + 1 { end += 1 }
            busiest = max(busiest, end - start)
        }
        #expect(Double(busiest) <= limit, "\(busiest) sends in one second")
        print("rate-limits fan-out: \(count) reminders, run-once took \(elapsed); \(String(format: "%.2f", rate))/s over \(String(format: "%.2f", span)) s, busiest second \(busiest), 429s \(double.tooManyRequestsSent)")
    }

    /// Runs `baohao ARGUMENTS` with `environment`, its output in files, and waits for it
    /// without blocking a thread; returns its exit status (or 128 + the signal). Killed
    /// after `timeout` seconds.
    static func runProcess(_ arguments: [String], environment: [String: String], stdout: String, stderr: String, timeout: Double) async throws -> Int32 {
        let pid = try BaohaoProcess.spawn(arguments, environment: environment, stdout: stdout, stderr: stderr)
        let deadline = ContinuousClock.now + .seconds(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                Issue.record("baohao \(arguments.joined(separator: " ")) still ran after \(timeout) s")
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
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

import BaohaoCore
import BaohaoSupport
import BotAPIDouble
import Storage
import TestSupport
import Testing
@testable import Telegram

/// `/metrics` and `/healthz` of the real bot against the Bot API double, read over real HTTP
/// after known events.
@Suite(.serialized) struct HealthMetricsEndToEndTests {
    /// A rig whose bot serves the endpoint on a free loopback port and probes every 0.1 s.
    static func rig() async throws -> TelegramRig {
        let rig = try await TelegramRig()
        rig.settings.metricsListen = .loopback(port: 0)
        rig.settings.healthProbeIntervalSeconds = 0.1
        return rig
    }

    /// The port the bot serves on, once it does.
    static func port(of bot: TelegramBot) async throws -> Int {
        for _ in 0..<1000 {
            if let port = bot.monitoringPort { return port }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        throw MonitoringHTTP.Failure(description: "the bot never served /metrics")
    }

    /// Scrapes `/metrics` until `done` holds for its samples (or 60 s pass); the last samples.
    static func scrape(_ port: Int, until done: ([String: String]) -> Bool) async throws -> [String: String] {
        var samples: [String: String] = [:]
        for _ in 0..<1200 {
            samples = MonitoringHTTP.samples(try MonitoringHTTP.request("http://127.0.0.1:\(port)/metrics").body)
            if done(samples) { return samples }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return samples
    }

    /// Asks `/healthz` until its status is `status` (or 60 s pass); the last answer.
    static func health(_ port: Int, until status: Int) async throws -> MonitoringHTTP.Response {
        var answer = try MonitoringHTTP.request("http://127.0.0.1:\(port)/healthz")
        for _ in 0..<1200 where answer.status != status {
            try await Task.sleep(nanoseconds: 50_000_000)
            answer = try MonitoringHTTP.request("http://127.0.0.1:\(port)/healthz")
        }
        return answer
    }

    /// Five customer messages: five updates handled, five classified, five replies delivered
    /// and nothing left in the outbox; then a 429, a chat that blocked the bot, a reminder and
    /// a ticket, each counted where it belongs.
    @Test func metricsCountWhatHappened() async throws {
        let rig = try await Self.rig()
        let double = rig.double
        let bot = rig.start()
        let port = try await Self.port(of: bot)
        let chats: [Int64] = [901, 902, 903, 904, 905]
        for (chat, text) in zip(chats, ["我的余额", "點樣續費呀", "how do I cancel", "可以退款吗", "what is the grace period for csl"]) {
            double.injectMessage(chatID: chat, text: text)
        }
        #expect(await rig.waitFor(60) { chats.allSatisfy { double.sentMessages(to: $0).count == 1 } })
        var s = try await Self.scrape(port) { $0[#"baohao_replies_total{outcome="delivered"}"#] == "5" && $0["baohao_outbox_pending"] == "0" }
        let exact = [
            "baohao_updates_handled_total": "5", "baohao_updates_malformed_total": "0",
            #"baohao_replies_total{outcome="delivered"}"#: "5", #"baohao_replies_total{outcome="retried"}"#: "0",
            #"baohao_replies_total{outcome="dead"}"#: "0", #"baohao_replies_total{outcome="chat_inactive"}"#: "0",
            "baohao_dead_letters_total": "0", "baohao_telegram_429_total": "0", "baohao_alerts_sent_total": "0",
            "baohao_classification_seconds_count": "5", #"baohao_classification_seconds_bucket{le="+Inf"}"#: "5",
            "baohao_outbox_pending": "0", "baohao_outbox_oldest_pending_age_seconds": "0", "baohao_tickets_open": "0", "baohao_healthy": "1",
        ]
        for (name, value) in exact { #expect(s[name] == value, "\(name) is \(s[name] ?? "missing"), expected \(value)") }
        let metrics = try MonitoringHTTP.request("http://127.0.0.1:\(port)/metrics")
        #expect(metrics.status == 200 && metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.body.contains("# TYPE baohao_replies_total counter\n"))
        #expect(metrics.body.contains("# TYPE baohao_classification_seconds histogram\n"))
        #expect(metrics.body.contains("# TYPE baohao_outbox_pending gauge\n"))

        // A 429 on the next send: retried after retry_after, then delivered.
        double.failNext("sendMessage", with: .status(429, description: "Too Many Requests: retry after 1", retryAfter: 1))
        double.injectMessage(chatID: 906, text: "我的余额")
        // A chat that blocked the bot: its reply is a dead letter, the chat inactive.
        double.blockChat(907)
        double.injectMessage(chatID: 907, text: "我的余额")
        // A reminder (a bulk item) queued by something other than a customer message.
        let now = rig.clock.now()
        try await rig.database.write { db in _ = try Outbox.enqueue(db, OutboundMessage(chatID: 908, html: "reminder"), priority: .bulk, at: now) }
        await bot.sender.wake()
        // A customer asks for a person: a ticket opens (the reply and the operators' notice are sent).
        double.injectMessage(chatID: 909, text: "/agent")
        s = try await Self.scrape(port) { $0[#"baohao_replies_total{outcome="delivered"}"#] == "9" && $0["baohao_tickets_open"] == "1" && $0["baohao_outbox_pending"] == "0" }
        let after = [
            "baohao_updates_handled_total": "8", "baohao_classification_seconds_count": "7",
            #"baohao_replies_total{outcome="delivered"}"#: "9", #"baohao_replies_total{outcome="retried"}"#: "1",
            #"baohao_replies_total{outcome="chat_inactive"}"#: "1", #"baohao_replies_total{outcome="dead"}"#: "0",
            "baohao_dead_letters_total": "1", #"baohao_retries_total{cause="rate_limited"}"#: "1", "baohao_telegram_429_total": "1",
            "baohao_alerts_sent_total": "1", "baohao_tickets_open": "1", "baohao_outbox_pending": "0",
        ]
        for (name, value) in after { #expect(s[name] == value, "\(name) is \(s[name] ?? "missing"), expected \(value)") }
        try await rig.stop()
        #expect(bot.monitoringPort == nil)
        #expect(throws: MonitoringHTTP.Failure.self) { try MonitoringHTTP.request("http://127.0.0.1:\(port)/healthz") }
        #expect(rig.logs.lines.contains { $0.contains("event=monitoring.listening") && $0.contains("address=127.0.0.1:\(port)") })
    }

    /// A bot at work answers 200 with every check; other paths are 404, other methods 405.
    @Test func healthzIs200WithEveryCheckWhileTheBotWorks() async throws {
        let rig = try await Self.rig()
        let double = rig.double
        let bot = rig.start()
        let port = try await Self.port(of: bot)
        double.injectMessage(chatID: 920, text: "我的余额")
        #expect(await rig.waitFor(60) { !double.sentMessages(to: 920).isEmpty })
        _ = try await Self.scrape(port) { $0["baohao_outbox_pending"] == "0" }
        let answer = try MonitoringHTTP.request("http://127.0.0.1:\(port)/healthz")
        #expect(answer.status == 200 && answer.headers["content-type"] == "application/json", "\(answer)")
        let json = try JSONValue.parse(Array(answer.body.utf8))
        guard case .object(let root) = json, case .object(let checks)? = root["checks"] else {
            Issue.record("not a report: \(answer.body)")
            return
        }
        #expect(root["status"] == .string("ok"))
        #expect(root["failing"] == .array([]))
        #expect(checks.keys.sorted() == ["database", "get_updates", "outbox", "poll_loop", "telegram_api"])
        for (name, check) in checks {
            guard case .object(let fields) = check else { continue }
            #expect(fields["ok"] == .bool(true), "\(name): \(check)")
        }
        if case .object(let database)? = checks["database"] { #expect(database["writable"] == .bool(true)) }
        if case .object(let outbox)? = checks["outbox"] { #expect(outbox["pending"] == .integer(0)) }
        if case .object(let api)? = checks["telegram_api"] { #expect(api["consecutive_failures"] == .integer(0)) }
        if case .object(let updates)? = checks["get_updates"] {
            let age: Double? = switch updates["last_success_age_seconds"] {
            case .integer(let i)?: Double(i)
            case .number(let d)?: d
            default: nil
            }
            #expect(age.map { $0 < 5 } == true, "\(updates)")
        }
        #expect(try MonitoringHTTP.request("http://127.0.0.1:\(port)/health").status == 404)
        #expect(try MonitoringHTTP.request("http://127.0.0.1:\(port)/healthz", method: "POST", body: "x").status == 405)
        try await rig.stop()
    }

    /// getUpdates answers 502 again and again: after 3 requests in a row without an answer
    /// `/healthz` is 503 naming the API and the error, `/metrics` says `baohao_healthy 0`; once the
    /// API answers again, 200.
    @Test func healthzIs503WhileTheAPIIsDownAnd200WhenItIsBack() async throws {
        let rig = try await Self.rig()
        rig.settings.healthAPIFailureLimit = 3
        rig.settings.maximumBackoffSeconds = 0.2
        let double = rig.double
        double.failNext("getUpdates", with: .htmlStatus(502), count: 30)
        let bot = rig.start()
        let port = try await Self.port(of: bot)
        let down = try await Self.health(port, until: 503)
        #expect(down.status == 503, "\(down.body)")
        #expect(down.body.contains(#""status": "unhealthy""#) && down.body.contains(#""failing": ["telegram_api"]"#), "\(down.body)")
        #expect(down.body.contains(#""last_error": "HTTP 502 Bad Gateway""#), "\(down.body)")
        #expect(!down.body.contains("<html"))
        let samples = MonitoringHTTP.samples(try MonitoringHTTP.request("http://127.0.0.1:\(port)/metrics").body)
        #expect(samples["baohao_healthy"] == "0")
        let back = try await Self.health(port, until: 200)
        #expect(back.status == 200, "\(back.body)")
        #expect(back.body.contains(#""consecutive_failures": 0"#))
        try await rig.stop()
    }

    /// Another connection holds the database's write lock: the probe cannot write, and
    /// `/healthz` is 503 naming the database, until the lock is released.
    @Test func healthzIs503WhileTheDatabaseCannotBeWritten() async throws {
        let rig = try await Self.rig()
        let bot = rig.start()
        let port = try await Self.port(of: bot)
        #expect(try await Self.health(port, until: 200).status == 200)
        let blocker = try HeldWriteLock(rig.databasePath)
        let down = try await Self.health(port, until: 503)
        #expect(down.status == 503, "\(down.body)")
        #expect(down.body.contains(#""failing": ["database"]"#) && down.body.contains(#""writable": false"#), "\(down.body)")
        #expect(down.body.contains(testsUsePostgres ? "lock timeout" : "database is locked"), "\(down.body)")
        try blocker.release()
        #expect(try await Self.health(port, until: 200).status == 200)
        try await rig.stop()
    }
}

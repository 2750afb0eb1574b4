import BaohaoCore
import Testing
@testable import Telegram

/// `/healthz`'s rules, without I/O: each check against its limit.
@Suite struct HealthReportTests {
    let limits = HealthThresholds(settings: TelegramBot.Settings(configuration: BotConfiguration()))

    /// Everything recent: the facts of a bot at work.
    var working: HealthFacts {
        var f = HealthFacts()
        f.pollIterationAt = 99.5
        f.getUpdatesSuccessAt = 99.5
        f.apiAnsweredAt = 99.9
        f.probeSuccessAt = 98
        f.figures = .init(at: 98, outboxPending: 2, oldestPendingAgeSeconds: 1.5, ticketsOpen: 1)
        return f
    }

    @Test func theDefaultLimitsFollowFromTheSettings() {
        #expect(limits.pollLoopStallSeconds == 110, "a 50 s poll plus the 30 s watchdog margin, plus 30 s")
        #expect(limits.getUpdatesStaleSeconds == 180, "3 × 50 s + 30 s")
        #expect(limits.databaseStaleSeconds == 25, "3 probes of 5 s + 10 s")
        #expect(limits.apiFailureLimit == 5)
        #expect(limits.outboxStaleSeconds == 1800)
        var settings = TelegramBot.Settings(configuration: BotConfiguration())
        settings.pollTimeoutSeconds = 10
        let short = HealthThresholds(settings: settings)
        #expect(short.pollLoopStallSeconds == 102, "the longest back-off, 60 s × 1.2, is the longest step then")
        #expect(short.getUpdatesStaleSeconds == 60)
    }

    @Test func aWorkingBotIsHealthyAndSaysWhatItJudged() {
        let report = HealthReport(facts: working, now: 100, thresholds: limits)
        #expect(report.healthy && report.failing.isEmpty)
        #expect(report.json == """
            {
              "status": "ok",
              "uptime_seconds": 100,
              "failing": [],
              "checks": {
                "poll_loop": {"ok": true, "last_iteration_age_seconds": 0.5, "limit_seconds": 110},
                "get_updates": {"ok": true, "last_success_age_seconds": 0.5, "limit_seconds": 180},
                "database": {"ok": true, "writable": true, "last_write_probe_age_seconds": 2, "limit_seconds": 25, "last_error": null},
                "telegram_api": {"ok": true, "reachable": true, "consecutive_failures": 0, "failure_limit": 5, "last_answer_age_seconds": 0.1, "last_error": null},
                "outbox": {"ok": true, "pending": 2, "oldest_pending_age_seconds": 3.5, "limit_seconds": 1800, "read_age_seconds": 2}
              }
            }

            """)
    }

    @Test func aBotJustStartedIsHealthyUntilItsLimitsPass() {
        let fresh = HealthReport(facts: HealthFacts(), now: 10, thresholds: limits)
        #expect(fresh.healthy)
        #expect(fresh.json.contains(#""pending": null, "oldest_pending_age_seconds": null"#))
        #expect(HealthReport(facts: HealthFacts(), now: 26, thresholds: limits).failing == ["database"], "never probed in 25 s")
        #expect(HealthReport(facts: HealthFacts(), now: 181, thresholds: limits).failing == ["poll_loop", "get_updates", "database"])
    }

    @Test func eachCheckFailsPastItsOwnLimit() {
        func failing(_ change: (inout HealthFacts) -> Void) -> [String] {
            var f = working
            change(&f)
            return HealthReport(facts: f, now: 100, thresholds: limits).failing
        }
        #expect(failing({ $0.pollIterationAt = 100 - 110 }) == [])
        #expect(failing({ $0.pollIterationAt = 100 - 110.5 }) == ["poll_loop"])
        #expect(failing({ $0.getUpdatesSuccessAt = 100 - 181 }) == ["get_updates"])
        #expect(failing({ $0.probeError = "database is locked" }) == ["database"])
        #expect(failing({ $0.probeSuccessAt = 100 - 26 }) == ["database"])
        #expect(failing({ $0.apiConsecutiveFailures = 4 }) == [])
        #expect(failing({ $0.apiConsecutiveFailures = 5 }) == ["telegram_api"])
        #expect(failing({ $0.figures?.oldestPendingAgeSeconds = 1798.5 }) == ["outbox"], "1,798.5 s when read 2 s ago: 1,800.5 s now")
        #expect(failing({ $0.figures?.oldestPendingAgeSeconds = 1797.5 }) == [])
        #expect(failing({ $0.figures?.oldestPendingAgeSeconds = nil }) == [], "nothing waits")
    }

    @Test func anUnhealthyReportNamesWhatFailsAndWhy() {
        var f = working
        f.apiConsecutiveFailures = 7
        f.apiLastError = "HTTP 502 Bad Gateway"
        f.probeError = "disk I/O error"
        let report = HealthReport(facts: f, now: 100, thresholds: limits)
        #expect(!report.healthy)
        #expect(report.json.contains(#""status": "unhealthy""#))
        #expect(report.json.contains(#""failing": ["database", "telegram_api"]"#))
        #expect(report.json.contains(#""telegram_api": {"ok": false, "reachable": false, "consecutive_failures": 7, "failure_limit": 5, "last_answer_age_seconds": 0.1, "last_error": "HTTP 502 Bad Gateway"}"#))
        #expect(report.json.contains(#""database": {"ok": false, "writable": false, "last_write_probe_age_seconds": 2, "limit_seconds": 25, "last_error": "disk I/O error"}"#))
    }
}

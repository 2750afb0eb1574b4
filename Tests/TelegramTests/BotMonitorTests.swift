import BaohaoSupport
import Testing
@testable import BaohaoCore
@testable import Telegram

/// What the services report becomes counters and health facts.
@Suite struct BotMonitorTests {
    func item(_ id: Int64, _ priority: Outbox.Priority = .live) -> Outbox.Item {
        Outbox.Item(id: id, chatID: 100 + id, outbound: .send(OutboundMessage(chatID: 100 + id, html: "x")), priority: priority, attempts: 0)
    }

    func samples(_ monitor: BotMonitor) -> [String: String] { MonitoringHTTP.samples(monitor.metrics.exposition()) }

    /// Each outcome of a sender round is counted where it belongs.
    @Test func aRoundsOutcomesAreCountedByKind() {
        let monitor = BotMonitor()
        let results: [(Outbox.Item, Result<Void, BotAPIError>)] = [
            (item(1), .success(())), (item(2, .bulk), .success(())), (item(3), .failure(.tooManyRequests(retryAfter: 3))),
            (item(4), .failure(.server(status: 502, body: "<html>"))), (item(5), .failure(.connect("refused"))),
            (item(6), .failure(.forbidden("bot was blocked by the user"))), (item(7), .failure(.badRequest("chat not found"))),
        ]
        var state = SenderState(limits: .off)
        let outcomes = state.settle(results, at: 0).outcomes
        monitor.roundSettled(results, outcomes)
        let s = samples(monitor)
        #expect(s[#"baohao_replies_total{outcome="delivered"}"#] == "2")
        #expect(s[#"baohao_replies_total{outcome="retried"}"#] == "3")
        #expect(s[#"baohao_replies_total{outcome="dead"}"#] == "1")
        #expect(s[#"baohao_replies_total{outcome="chat_inactive"}"#] == "1")
        #expect(s["baohao_dead_letters_total"] == "2")
        #expect(s[#"baohao_retries_total{cause="rate_limited"}"#] == "1")
        #expect(s[#"baohao_retries_total{cause="transient"}"#] == "1")
        #expect(s[#"baohao_retries_total{cause="no_connection"}"#] == "1")
        #expect(s["baohao_telegram_429_total"] == "1")
        #expect(s["baohao_alerts_sent_total"] == "1", "the bulk item")
        #expect(s["baohao_updates_handled_total"] == "0")
    }

    /// Requests without an answer count against the API; any answer (a 4xx, a 429) resets the
    /// count. The error shown is redacted.
    @Test func consecutiveFailuresCountOnlyRequestsWithoutAnAnswer() {
        let monitor = BotMonitor(redactor: Redactor(secrets: ["123:SECRET"]))
        func failures() -> Int? {
            let figure = monitor.report().checks.first { $0.name == "telegram_api" }?.figures.first { $0.name == "consecutive_failures" }
            if case .count(let n)? = figure?.value { return n }
            return nil
        }
        for _ in 0..<4 { monitor.requestFailed(BotAPIError.server(status: 502, body: "<html>")) }
        #expect(monitor.report().healthy)
        monitor.requestFailed(BotAPIError.connect("Failed to connect to host for /bot123:SECRET/getUpdates"))
        let report = monitor.report()
        #expect(report.failing == ["telegram_api"])
        #expect(failures() == 5)
        #expect(report.json.contains(#""last_error": "cannot connect: Failed to connect to host for /bot[REDACTED]/getUpdates""#), "\(report.json)")
        monitor.requestFailed(BotAPIError.tooManyRequests(retryAfter: 5))
        #expect(monitor.report().healthy, "a 429 is an answer")
        #expect(failures() == 0)
        #expect(samples(monitor)["baohao_telegram_429_total"] == "1")
        monitor.requestFailed(BotAPIError.cancelled)
        monitor.requestFailed(CancellationError())
        #expect(failures() == 0, "cancelling is not failing")
        monitor.getUpdatesAnswered()
        #expect(monitor.report().json.contains(#""last_success_age_seconds": 0,"#))
    }

    /// The probe's figures are the gauges; before the first probe they are NaN.
    @Test func theProbesFiguresAreGauges() {
        let monitor = BotMonitor()
        #expect(samples(monitor)["baohao_outbox_pending"] == "NaN")
        #expect(samples(monitor)["baohao_tickets_open"] == "NaN")
        #expect(samples(monitor)["baohao_healthy"] == "1")
        let now = Instant(millisecondsSinceEpoch: 1_000_000)
        monitor.probed(ServiceFigures(outboxPending: 3, oldestPendingQueuedAt: Instant(millisecondsSinceEpoch: 990_000), ticketsOpen: 2), at: now)
        let s = samples(monitor)
        #expect(s["baohao_outbox_pending"] == "3")
        #expect(s["baohao_tickets_open"] == "2")
        #expect(Double(s["baohao_outbox_oldest_pending_age_seconds"] ?? "") ?? 0 >= 10)
        monitor.probed(ServiceFigures(outboxPending: 0, oldestPendingQueuedAt: nil, ticketsOpen: 0), at: now)
        #expect(samples(monitor)["baohao_outbox_oldest_pending_age_seconds"] == "0")
        monitor.probeFailed(DatabaseFailure())
        #expect(monitor.report().failing == ["database"])
        #expect(samples(monitor)["baohao_healthy"] == "0")
    }

    struct DatabaseFailure: Error, CustomStringConvertible {
        var description: String { "database is locked" }
    }

    @Test func classificationTimesFallInTheirBuckets() {
        let monitor = BotMonitor()
        monitor.classification.observe(nanoseconds: 4_000)
        monitor.classification.observe(nanoseconds: 9_000)
        monitor.classification.observe(.milliseconds(20))
        let s = samples(monitor)
        #expect(s[#"baohao_classification_seconds_bucket{le="5e-06"}"#] == "1")
        #expect(s[#"baohao_classification_seconds_bucket{le="1e-05"}"#] == "2")
        #expect(s[#"baohao_classification_seconds_bucket{le="0.01"}"#] == "2")
        #expect(s[#"baohao_classification_seconds_bucket{le="+Inf"}"#] == "3")
        #expect(s["baohao_classification_seconds_count"] == "3")
        #expect(s["baohao_classification_seconds_sum"] == "0.020013")
    }
}

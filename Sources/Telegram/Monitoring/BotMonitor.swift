public import BaohaoCore
public import Monitoring
import Synchronization
public import BaohaoSupport

/// What the running bot tells the people who run it: the counters, gauges and histogram of
/// `/metrics`, and the facts `/healthz` judges. The poll loop, the update handler, the sender
/// and the health probe report here; the endpoint's thread reads. No call waits for Swift
/// concurrency or the database: counters are atomics, and the facts sit behind a lock held
/// only for a few assignments or one copy.
public final class BotMonitor: Sendable {
    /// The registry `/metrics` renders.
    public let metrics = Metrics()
    /// When `/healthz` calls the bot unhealthy.
    public let thresholds: HealthThresholds

    let updatesHandled: MetricCounter
    let updatesMalformed: MetricCounter
    let delivered: MetricCounter
    let retried: MetricCounter
    let dead: MetricCounter
    let chatInactive: MetricCounter
    let deadLetters: MetricCounter
    let retriesRateLimited: MetricCounter
    let retriesTransient: MetricCounter
    let retriesNoConnection: MetricCounter
    let tooManyRequests: MetricCounter
    let alertsSent: MetricCounter
    /// How long classifying one message takes (`Assistant.prepare` of a text that is not a command).
    public let classification: MetricHistogram

    /// The classification histogram's bounds, seconds: 5 µs to 10 ms (the budget is 20 µs
    /// median, 100 µs with a 10,000-entry FAQ).
    public static let classificationBounds = [5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]

    private let facts = Mutex(HealthFacts())
    private let started = ContinuousClock.now
    /// Masks the token (and phone numbers) in the errors `/healthz` shows.
    private let redactor: Redactor

    /// A monitor judging health by `thresholds` (by default those of the default settings),
    /// masking what `redactor` masks in the errors it shows.
    public init(thresholds: HealthThresholds = HealthThresholds(settings: TelegramBot.Settings(configuration: BotConfiguration())), redactor: Redactor = Redactor()) {
        self.thresholds = thresholds
        self.redactor = redactor
        let m = metrics
        updatesHandled = m.counter("baohao_updates_handled_total", help: "Updates from getUpdates handled and committed (including those the bot ignores).")
        updatesMalformed = m.counter("baohao_updates_malformed_total", help: "Updates from getUpdates that could not be decoded, logged and skipped.")
        let replies = "Send attempts of outbox items (replies, button answers, reminders, notices) by outcome: delivered, retried (kept for another try), dead (given up), chat_inactive (the chat blocked the bot)."
        delivered = m.counter("baohao_replies_total", help: replies, labels: ["outcome": "delivered"])
        retried = m.counter("baohao_replies_total", help: replies, labels: ["outcome": "retried"])
        dead = m.counter("baohao_replies_total", help: replies, labels: ["outcome": "dead"])
        chatInactive = m.counter("baohao_replies_total", help: replies, labels: ["outcome": "chat_inactive"])
        deadLetters = m.counter("baohao_dead_letters_total", help: "Outbox items given up for good (dead and chat_inactive outcomes); `baohao outbox retry` can queue them again.")
        let retries = "Send attempts to be tried again, by cause: rate_limited (a 429), transient (5xx, no response or a garbled one; the attempt counts against the item's lifetime), no_connection (nothing reached Telegram)."
        retriesRateLimited = m.counter("baohao_retries_total", help: retries, labels: ["cause": "rate_limited"])
        retriesTransient = m.counter("baohao_retries_total", help: retries, labels: ["cause": "transient"])
        retriesNoConnection = m.counter("baohao_retries_total", help: retries, labels: ["cause": "no_connection"])
        tooManyRequests = m.counter("baohao_telegram_429_total", help: "429 Too Many Requests answers from the Bot API, to sends and to getUpdates.")
        alertsSent = m.counter("baohao_alerts_sent_total", help: "Reminders and operator digests delivered.")
        classification = m.histogram(
            "baohao_classification_seconds", help: "Time to classify one customer message (normalize, retrieve, decide, find entities), seconds.",
            bounds: Self.classificationBounds)
        m.gauge("baohao_outbox_pending", help: "Outbox items waiting to be sent, as of the latest health probe (NaN before the first).") { [weak self] in
            self?.facts.withLock { $0.figures.map { Double($0.outboxPending) } } ?? .nan
        }
        m.gauge("baohao_outbox_oldest_pending_age_seconds", help: "How long the oldest pending outbox item has waited, seconds (0 when none waits; NaN before the first probe).") { [weak self] in
            guard let self else { return .nan }
            let now = self.monotonicNow()
            return self.facts.withLock { $0.figures == nil ? .nan : Self.milliseconds($0.oldestPendingAge(at: now) ?? 0) }
        }
        m.gauge("baohao_tickets_open", help: "Tickets a person holds, as of the latest health probe (NaN before the first).") { [weak self] in
            self?.facts.withLock { $0.figures.map { Double($0.ticketsOpen) } } ?? .nan
        }
        m.gauge("baohao_getupdates_last_success_age_seconds", help: "Seconds since getUpdates last answered (since start when it never did).") { [weak self] in
            guard let self else { return .nan }
            let now = self.monotonicNow()
            return self.facts.withLock { Self.milliseconds(now - ($0.getUpdatesSuccessAt ?? 0)) }
        }
        m.gauge("baohao_healthy", help: "1 when /healthz answers 200, 0 when it answers 503.") { [weak self] in
            self?.report().healthy == true ? 1 : 0
        }
    }

    /// Seconds to the millisecond, as `/healthz` shows them.
    private static func milliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    private func monotonicNow() -> Double {
        let d = started.duration(to: .now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: - What the services report

    /// The poll loop begins a step (a poll, a batch, a wait).
    func pollLoopIterated() {
        let now = monotonicNow()
        facts.withLock { $0.pollIterationAt = now }
    }

    /// getUpdates answered.
    func getUpdatesAnswered() {
        let now = monotonicNow()
        facts.withLock {
            $0.getUpdatesSuccessAt = now
            Self.answered(&$0, at: now)
        }
    }

    /// A start-up call (getMe, deleteWebhook) was answered.
    func requestAnswered() {
        let now = monotonicNow()
        facts.withLock { Self.answered(&$0, at: now) }
    }

    /// getUpdates or a start-up call failed with `error` (a 429 is counted).
    func requestFailed(_ error: any Error) {
        guard let error = error as? BotAPIError else { return }
        if case .tooManyRequests = error { tooManyRequests.increment() }
        let now = monotonicNow(), text = redactor.redact(error.description)
        facts.withLock { Self.record(error, text: text, in: &$0, at: now) }
    }

    /// The poll loop committed a batch.
    func batchHandled(updates: Int, malformed: Int) {
        updatesHandled.increment(by: updates)
        if malformed > 0 { updatesMalformed.increment(by: malformed) }
    }

    /// A sender round's results and the outcomes decided from them (in the same order), once
    /// the outcomes are stored.
    func roundSettled(_ results: [(Outbox.Item, Result<Void, BotAPIError>)], _ outcomes: [(item: Outbox.Item, outcome: DeliveryOutcome)]) {
        for (item, outcome) in outcomes {
            switch outcome {
            case .delivered:
                delivered.increment()
                if item.priority == .bulk { alertsSent.increment() }
            case .retryLater:
                retried.increment()
                retriesNoConnection.increment()
            case .retryCounted:
                retried.increment()
                retriesTransient.increment()
            case .wait:
                retried.increment()
                retriesRateLimited.increment()
                tooManyRequests.increment()
            case .chatInactive:
                chatInactive.increment()
                deadLetters.increment()
            case .dead:
                dead.increment()
                deadLetters.increment()
            case .stop: break
            }
        }
        guard !results.isEmpty else { return }
        let now = monotonicNow()
        let failures = results.compactMap { _, result -> (BotAPIError, String)? in
            guard case .failure(let error) = result else { return nil }
            return (error, redactor.redact(error.description))
        }
        facts.withLock { facts in
            for (_, result) in results {
                if case .success = result { Self.answered(&facts, at: now) }
            }
            for (error, text) in failures { Self.record(error, text: text, in: &facts, at: now) }
        }
    }

    /// The health probe wrote to the database and read `figures`, at `wallNow` on the bot's clock.
    func probed(_ figures: ServiceFigures, at wallNow: Instant) {
        let now = monotonicNow()
        let oldestAge = figures.oldestPendingQueuedAt.map { max(0, Double(wallNow.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) / 1000) }
        facts.withLock {
            $0.probeSuccessAt = now
            $0.probeError = nil
            $0.figures = .init(at: now, outboxPending: figures.outboxPending, oldestPendingAgeSeconds: oldestAge, ticketsOpen: figures.ticketsOpen)
        }
    }

    /// The health probe failed.
    func probeFailed(_ error: any Error) {
        let text = redactor.redact("\(error)")
        facts.withLock { $0.probeError = text }
    }

    /// A request got an answer (a success or any 4xx): the API is reachable.
    private static func answered(_ facts: inout HealthFacts, at now: Double) {
        facts.apiConsecutiveFailures = 0
        facts.apiAnsweredAt = now
    }

    /// A request failed: without an answer it counts against the API; with one (a 4xx) the
    /// API answered.
    private static func record(_ error: BotAPIError, text: String, in facts: inout HealthFacts, at now: Double) {
        switch error {
        case .connect, .noResponse, .server, .malformedResponse:
            facts.apiConsecutiveFailures += 1
            facts.apiLastError = text
        case .cancelled: break
        case .unauthorized, .notFound, .conflict, .tooManyRequests, .forbidden, .badRequest: answered(&facts, at: now)
        }
    }

    // MARK: - What the endpoint reads

    /// The health verdict now.
    public func report() -> HealthReport {
        let now = monotonicNow()
        return HealthReport(facts: facts.withLock { $0 }, now: now, thresholds: thresholds)
    }

    /// `GET /healthz`: the report as JSON, 200 when healthy, 503 when not.
    public func healthPage() -> MonitoringPage {
        let report = report()
        return MonitoringPage(status: report.healthy ? 200 : 503, contentType: "application/json", body: report.json)
    }

    /// `GET /metrics`: the Prometheus text exposition.
    public func metricsPage() -> MonitoringPage {
        MonitoringPage(status: 200, contentType: Metrics.contentType, body: metrics.exposition())
    }

    /// The endpoint's routes.
    public var routes: [String: MonitoringServer.Route] {
        ["/healthz": { [self] in healthPage() }, "/metrics": { [self] in metricsPage() }]
    }
}

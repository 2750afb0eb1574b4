/// When `/healthz` calls the bot unhealthy. Every limit follows from the bot's settings, so a
/// bot that polls or backs off longer is given longer:
/// - the poll loop: no iteration for longer than its longest legitimate step (a long poll
///   up to its watchdog, `poll_timeout_seconds` + 30 s, or the longest back-off with jitter,
///   60 s × 1.2) plus 30 s: 110 s by default;
/// - getUpdates: no successful call for 3 × `poll_timeout_seconds` + 30 s (180 s by default);
/// - the database: no successful write probe for 3 probe intervals + 10 s (25 s by default),
///   or the last probe failed;
/// - the Bot API: `healthAPIFailureLimit` requests in a row (5) got no answer (no connection,
///   a timeout, a 5xx or a garbled answer; any 4xx, 429 included, is an answer);
/// - the outbox: the oldest pending item has waited longer than `healthOutboxStaleSeconds`
///   (30 min).
public struct HealthThresholds: Sendable, Equatable {
    public var pollLoopStallSeconds: Double
    public var getUpdatesStaleSeconds: Double
    public var databaseStaleSeconds: Double
    public var apiFailureLimit: Int
    public var outboxStaleSeconds: Double

    /// The limits for a bot with `settings`.
    public init(settings s: TelegramBot.Settings) {
        pollLoopStallSeconds = max(Double(s.pollTimeoutSeconds) + s.watchdogMarginSeconds, s.maximumBackoffSeconds * PollState<SystemRandomNumberGenerator>.jitter.upperBound) + 30
        getUpdatesStaleSeconds = 3 * Double(s.pollTimeoutSeconds) + 30
        databaseStaleSeconds = 3 * s.healthProbeIntervalSeconds + 10
        apiFailureLimit = max(1, s.healthAPIFailureLimit)
        outboxStaleSeconds = s.healthOutboxStaleSeconds
    }
}

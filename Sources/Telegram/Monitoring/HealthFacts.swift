/// What the bot's services last told `BotMonitor`, for `/healthz`. Times are monotonic
/// seconds since the monitor was made; nil means "not yet".
struct HealthFacts: Sendable, Equatable {
    /// The poll loop began its latest step (a poll, a batch, a wait).
    var pollIterationAt: Double?
    /// getUpdates last answered.
    var getUpdatesSuccessAt: Double?
    /// Bot API requests in a row that got no answer.
    var apiConsecutiveFailures = 0
    /// A Bot API request last got an answer.
    var apiAnsweredAt: Double?
    /// Why the latest request without an answer failed (kept after the API answers again).
    var apiLastError: String?
    /// The database last took the probe's write.
    var probeSuccessAt: Double?
    /// Why the latest probe failed; nil once one succeeds.
    var probeError: String?
    /// The latest probe's figures, when they were read, and the oldest pending item's age then.
    var figures: ServiceFiguresReading?

    /// How long the oldest pending item has waited at `now`: its age when the probe read it,
    /// plus the time since; nil when none waited then (or nothing was read yet).
    func oldestPendingAge(at now: Double) -> Double? {
        figures.flatMap { reading in reading.oldestPendingAgeSeconds.map { $0 + max(0, now - reading.at) } }
    }

    /// The probe's figures as read at `at`.
    struct ServiceFiguresReading: Sendable, Equatable {
        var at: Double
        var outboxPending: Int
        var oldestPendingAgeSeconds: Double?
        var ticketsOpen: Int
    }
}

/// The poll loop's decisions, with no I/O: the offset to poll from, the wait after a failure
/// (doubling up to a maximum, with jitter, at least 5 s after a 409, from the first wait again
/// once a poll is answered), a poll the watchdog abandoned, and when to stop.
/// `TelegramBot.pollLoop` performs the actions it returns.
struct PollState<Random: RandomNumberGenerator> {
    enum Action: Equatable, Sendable {
        /// getUpdates from `offset`, long-polling `timeout` seconds; the watchdog abandons it
        /// after `deadline` seconds.
        case poll(offset: Int64, timeout: Int, deadline: Double)
        /// Handle the batch just received, whose highest update id is `through`, and commit it.
        case handle(through: Int64)
        /// Wait, then poll again.
        case sleep(seconds: Double)
        case stop(Stop)
    }

    enum Stop: Equatable, Sendable {
        case cancelled
        /// 401: the token was refused; retrying cannot help.
        case tokenRefused
    }

    /// Why a poll (or the handling of its batch) failed, as far as the loop cares.
    enum Failure: Equatable, Sendable {
        /// 409: another instance polls this token, or a webhook is set.
        case conflict
        case tokenRefused
        case cancelled
        /// A network error, a 5xx, a batch that did not commit.
        case other

        init(_ error: any Error) {
            switch error {
            case BotAPIError.unauthorized: self = .tokenRefused
            case BotAPIError.conflict: self = .conflict
            case BotAPIError.cancelled, is CancellationError: self = .cancelled
            default: self = .other
            }
        }
    }

    /// After a 409 the wait is at least this: the other poller takes a while to go away.
    static var conflictFloorSeconds: Double { 5 }
    /// Each wait is the back-off times a random factor in this range, so restarted bots do not
    /// retry in step.
    static var jitter: ClosedRange<Double> { 0.8...1.2 }

    /// One past the last update handled.
    private(set) var offset: Int64
    /// The wait the next failure gets, before jitter.
    private(set) var backoff: Backoff
    let timeoutSeconds: Int
    let watchdogMarginSeconds: Double
    private var random: Random

    init(offset: Int64, settings: TelegramBot.Settings, random: Random) {
        self.offset = offset
        backoff = Backoff(initial: 1, maximum: settings.maximumBackoffSeconds)
        timeoutSeconds = settings.pollTimeoutSeconds
        watchdogMarginSeconds = settings.watchdogMarginSeconds
        self.random = random
    }

    private var poll: Action { .poll(offset: offset, timeout: timeoutSeconds, deadline: Double(timeoutSeconds) + watchdogMarginSeconds) }

    /// The first action.
    func start() -> Action { poll }

    /// getUpdates answered with these update ids (malformed ones included): the next failure
    /// waits the first wait again; a batch is handled, an empty answer polls again.
    mutating func answered(_ updateIDs: [Int64]) -> Action {
        backoff.reset()
        guard let highest = updateIDs.max() else { return poll }
        return .handle(through: highest)
    }

    /// The batch through `highest` committed: poll past it (the offset never moves back).
    mutating func handled(through highest: Int64) -> Action {
        offset = max(offset, highest + 1)
        return poll
    }

    /// The watchdog abandoned a poll that hung past its deadline: poll again at once.
    func watchdogFired() -> Action { poll }

    mutating func failed(_ failure: Failure) -> Action {
        switch failure {
        case .tokenRefused: return .stop(.tokenRefused)
        case .cancelled: return .stop(.cancelled)
        case .conflict, .other:
            if failure == .conflict { backoff.raise(toAtLeast: Self.conflictFloorSeconds) }
            return .sleep(seconds: backoff.next() * Double.random(in: Self.jitter, using: &random))
        }
    }

    /// The wait after a failure is over.
    func slept() -> Action { poll }
}

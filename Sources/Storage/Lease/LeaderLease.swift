/// The leader lease of one bot token, as a pure state machine: no I/O, no clock of its own.
/// The driver feeds it what happened (a tick of its monotonic clock, the result of a renewal
/// or an acquisition, a fenced commit) and performs the action it returns.
///
/// The lease itself is a database row (`holder, epoch, expires_at` beside the update offset):
/// a standby takes it only once `expires_at < now()` on the database's clock, incrementing
/// `epoch`; the leader renews it every `renewInterval`; every batch commits its offset
/// `WHERE epoch = mine`. This machine adds the half the database cannot enforce: a leader
/// that cannot renew (paused, partitioned, its database gone) stops polling and sending by
/// itself once its own monotonic clock passes the last renewal's *send* instant plus
/// `ttl − margin`. The database set `expires_at` no earlier than that send instant plus
/// `ttl`, so the old leader has stopped before any standby can take over, as long as the two
/// clocks drift apart by less than `margin` over one TTL.
///
/// Guarantees, each tested in `LeaderLeaseTests`:
/// - `startLeading` is returned only after `acquired`, with an epoch above every epoch seen;
///   epochs never go back.
/// - A leader returns `stopLeading` at the first input at or past its deadline, and is never
///   a leader at or past it (`isLeading(at:)`).
/// - A fenced commit (zero rows `WHERE epoch = mine`) stops leadership at once.
/// - Time is taken from the earliest instant the machine knows for a request, so a driver
///   that reports a reply's arrival time instead of its send time cannot stretch the lease.
public struct LeaderLease: Sendable, Equatable {
    /// Timings of the lease. `ttl` is the lease's length in the database (`lease_ttl_seconds`).
    public struct Configuration: Sendable, Equatable {
        /// How long a renewal keeps the lease in the database. Default 10 s.
        public var ttl: Duration
        /// How much earlier than `ttl` the leader stops on its own clock. Default ttl / 5.
        public var margin: Duration
        /// How often the leader renews. Default ttl / 4: three tries fit before the margin.
        public var renewInterval: Duration
        /// How often a standby tries to acquire. Default ttl / 10.
        public var acquireInterval: Duration

        /// Timings from `ttl`, each other value defaulting to its share of it. Requires
        /// 0 ≤ margin < ttl and 0 < renewInterval < ttl − margin.
        public init(
            ttl: Duration = .seconds(10), margin: Duration? = nil, renewInterval: Duration? = nil,
            acquireInterval: Duration? = nil
        ) {
            self.ttl = ttl
            self.margin = margin ?? ttl / 5
            self.renewInterval = renewInterval ?? ttl / 4
            self.acquireInterval = acquireInterval ?? ttl / 10
            precondition(self.margin >= .zero && self.margin < ttl, "the lease margin must be in 0..<ttl")
            precondition(
                self.renewInterval > .zero && self.renewInterval < ttl - self.margin,
                "the renew interval must be shorter than ttl - margin")
            precondition(self.acquireInterval > .zero, "the acquire interval must be positive")
        }

        /// How long after a renewal was sent the leader may still act: ttl − margin.
        public var leadership: Duration { ttl - margin }
    }

    /// Where the machine is.
    public enum State: Sendable, Equatable {
        /// Not leading. `nextAttempt` is when the next `tryAcquire` is due; `attemptSentAt` is
        /// set while one is in flight.
        case standby(nextAttempt: ContinuousClock.Instant?, attemptSentAt: ContinuousClock.Instant?)
        /// Leading with `epoch`, whose last successful renewal (or acquisition) was sent at
        /// `renewedAt`; `renewalSentAt` is set while a renewal is in flight.
        case leader(epoch: Int64, renewedAt: ContinuousClock.Instant, renewalSentAt: ContinuousClock.Instant?)
        /// Told to stop leading `epoch`; waits for `stoppedLeading` before it may acquire again.
        case steppingDown(epoch: Int64, reason: StepDownReason)
    }

    /// Why a leader stops.
    public enum StepDownReason: Sendable, Equatable {
        /// Its monotonic clock passed the last renewal + ttl − margin (paused, partitioned,
        /// or the database unreachable): the lease may already be another's.
        case leaseExpired
        /// A commit or renewal `WHERE epoch = mine` changed zero rows: another instance holds
        /// a newer epoch.
        case fenced
        /// A renewal answered with an epoch newer than this leader's.
        case superseded(by: Int64)
        /// The instance is shutting down and hands the lease over.
        case resigned
    }

    /// What the driver must do now.
    public enum Action: Sendable, Equatable {
        /// Start polling and sending as the holder of `epoch`; carry it in every fenced write.
        case startLeading(epoch: Int64)
        /// Stop polling and sending now, then report `stoppedLeading`.
        case stopLeading(StepDownReason)
        /// Renew the lease (`UPDATE … SET expires_at = now() + ttl WHERE epoch = mine`), then
        /// report `renewed`, `renewFailed` or (zero rows) `commitFenced`, with the instant the
        /// request was sent.
        case renewNow
        /// Try to take the lease (`UPDATE … SET epoch = epoch + 1, holder = me, expires_at =
        /// now() + ttl WHERE expires_at < now() RETURNING epoch`), then report `acquired`
        /// (the lease had expired) or `acquireRefused` (it had not).
        case tryAcquire
        /// Nothing to do; call `tick` again after this long (or sooner on news).
        case wait(Duration)
    }

    /// The timings in use.
    public let configuration: Configuration
    /// Where the machine is now.
    public private(set) var state: State
    /// The highest epoch this instance has seen (acquired, renewed or been refused by); an
    /// acquisition at or below it is ignored.
    public private(set) var highestEpoch: Int64

    /// A standby that has seen no epoch yet and may try to acquire at its first tick.
    public init(configuration: Configuration = Configuration(), highestEpochSeen: Int64 = 0) {
        self.configuration = configuration
        self.state = .standby(nextAttempt: nil, attemptSentAt: nil)
        self.highestEpoch = highestEpochSeen
    }

    /// The epoch this instance leads with, when it is a leader.
    public var epoch: Int64? {
        if case .leader(let epoch, _, _) = state { return epoch }
        return nil
    }

    /// The instant at or after which a leader must no longer act: last renewal + ttl − margin.
    public var deadline: ContinuousClock.Instant? {
        if case .leader(_, let renewedAt, _) = state { return renewedAt + configuration.leadership }
        return nil
    }

    /// True when this instance may poll and send at `now`: a leader before its deadline.
    /// Check it before each `getUpdates` and each send, not only at ticks.
    public func isLeading(at now: ContinuousClock.Instant) -> Bool {
        guard let deadline else { return false }
        return now < deadline
    }

    // MARK: - Inputs

    /// The driver's clock moved to `now`: renew, acquire, step down or wait.
    public mutating func tick(at now: ContinuousClock.Instant) -> Action {
        switch state {
        case .standby(let nextAttempt, let sentAt):
            // An attempt in flight is never doubled: the driver answers every `tryAcquire`.
            guard sentAt == nil else { return .wait(configuration.acquireInterval) }
            if let nextAttempt, now < nextAttempt { return .wait(nextAttempt - now) }
            state = .standby(nextAttempt: nil, attemptSentAt: now)
            return .tryAcquire
        case .leader(let epoch, let renewedAt, let renewalSentAt):
            if let stop = stepDownIfExpired(at: now) { return stop }
            let deadline = renewedAt + configuration.leadership
            // A renewal in flight is never doubled (the driver answers every `renewNow`, its
            // database call having a timeout): the lease is then counted from the earliest
            // unanswered request, never from a later one.
            guard renewalSentAt == nil else { return .wait(deadline - now) }
            let due = renewedAt + configuration.renewInterval
            guard now >= due else { return .wait(min(due, deadline) - now) }
            state = .leader(epoch: epoch, renewedAt: renewedAt, renewalSentAt: now)
            return .renewNow
        case .steppingDown:
            return .wait(configuration.acquireInterval)
        }
    }

    /// The renewal sent at `sentAt` succeeded for `epoch`. The lease is extended from the
    /// earlier of `sentAt` and the machine's own record of the request.
    public mutating func renewed(epoch renewedEpoch: Int64, at sentAt: ContinuousClock.Instant) -> Action {
        guard case .leader(let epoch, let renewedAt, let renewalSentAt) = state else { return idle(at: sentAt) }
        if renewedEpoch > epoch {
            highestEpoch = max(highestEpoch, renewedEpoch)
            return stepDown(epoch: epoch, .superseded(by: renewedEpoch))
        }
        guard renewedEpoch == epoch else { return idle(at: sentAt) }  // a stale reply
        let start = min(sentAt, renewalSentAt ?? sentAt)
        // A renewal sent after the deadline cannot resurrect the leadership that lapsed.
        if start >= renewedAt + configuration.leadership { return stepDown(epoch: epoch, .leaseExpired) }
        state = .leader(epoch: epoch, renewedAt: max(renewedAt, start), renewalSentAt: nil)
        return idle(at: sentAt)
    }

    /// The renewal could not be made (timeout, connection lost). The leader keeps leading
    /// until its deadline and retries at the next tick.
    public mutating func renewFailed(at now: ContinuousClock.Instant) -> Action {
        guard case .leader(let epoch, let renewedAt, _) = state else { return idle(at: now) }
        if let stop = stepDownIfExpired(at: now) { return stop }
        state = .leader(epoch: epoch, renewedAt: renewedAt, renewalSentAt: nil)
        let retry = min(now + configuration.renewInterval / 2, renewedAt + configuration.leadership)
        return .wait(retry - now)
    }

    /// The acquisition sent at `sentAt` found the lease expired and took it with `epoch`.
    /// Leads only if `epoch` is above every epoch seen; otherwise nothing changes.
    public mutating func acquired(epoch newEpoch: Int64, at sentAt: ContinuousClock.Instant) -> Action {
        guard case .standby(_, let attemptSentAt) = state, newEpoch > highestEpoch else { return idle(at: sentAt) }
        highestEpoch = newEpoch
        let start = min(sentAt, attemptSentAt ?? sentAt)
        state = .leader(epoch: newEpoch, renewedAt: start, renewalSentAt: nil)
        return .startLeading(epoch: newEpoch)
    }

    /// The acquisition found the lease still held (by the holder of `heldAtEpoch`, when known).
    public mutating func acquireRefused(heldAtEpoch: Int64? = nil, at now: ContinuousClock.Instant) -> Action {
        if let heldAtEpoch { highestEpoch = max(highestEpoch, heldAtEpoch) }
        guard case .standby = state else { return idle(at: now) }
        state = .standby(nextAttempt: now + configuration.acquireInterval, attemptSentAt: nil)
        return .wait(configuration.acquireInterval)
    }

    /// A commit (or renewal) `WHERE epoch = mine` changed zero rows: another instance holds a
    /// newer epoch. The leader stops at once; its transaction must be rolled back.
    public mutating func commitFenced() -> Action {
        guard case .leader(let epoch, _, _) = state else { return .wait(configuration.acquireInterval) }
        highestEpoch = max(highestEpoch, epoch + 1)
        return stepDown(epoch: epoch, .fenced)
    }

    /// The instance is shutting down: a leader stops (and should then release the lease).
    public mutating func resign() -> Action {
        guard case .leader(let epoch, _, _) = state else { return .wait(configuration.acquireInterval) }
        return stepDown(epoch: epoch, .resigned)
    }

    /// Polling and sending have stopped after `stopLeading`: the instance is a standby again
    /// and may try to acquire (a newer epoch) from `now`.
    public mutating func stoppedLeading(at now: ContinuousClock.Instant) -> Action {
        guard case .steppingDown = state else { return idle(at: now) }
        state = .standby(nextAttempt: now, attemptSentAt: nil)
        return tick(at: now)
    }

    // MARK: - Helpers

    private mutating func stepDownIfExpired(at now: ContinuousClock.Instant) -> Action? {
        guard case .leader(let epoch, let renewedAt, _) = state, now >= renewedAt + configuration.leadership else {
            return nil
        }
        return stepDown(epoch: epoch, .leaseExpired)
    }

    private mutating func stepDown(epoch: Int64, _ reason: StepDownReason) -> Action {
        state = .steppingDown(epoch: epoch, reason: reason)
        return .stopLeading(reason)
    }

    /// After an input that changes nothing to do now: step down if the deadline passed, else
    /// wait until the next thing due.
    private mutating func idle(at now: ContinuousClock.Instant) -> Action {
        if let stop = stepDownIfExpired(at: now) { return stop }
        switch state {
        case .leader(_, let renewedAt, let renewalSentAt):
            let deadline = renewedAt + configuration.leadership
            let next = renewalSentAt == nil ? min(renewedAt + configuration.renewInterval, deadline) : deadline
            return .wait(max(.zero, next - now))
        case .standby(let nextAttempt, _):
            return .wait(max(.zero, (nextAttempt ?? now) - now))
        case .steppingDown:
            return .wait(configuration.acquireInterval)
        }
    }
}

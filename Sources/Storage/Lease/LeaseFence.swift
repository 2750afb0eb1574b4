import Synchronization

/// What the work of a leader checks before it acts: the epoch it leads with and the instant
/// (on this process's monotonic clock) after which it must no longer act, however the
/// database is doing. The lease driver sets both as the lease is taken and renewed, and
/// clears them when it stops leading; a fenced commit marks it lost at once.
///
/// Shared between the driver and the leader's tasks (poll loop, sender): every read and
/// write goes through one mutex.
public final class LeaseFence: Sendable {
    /// The bot whose lease this is (its token's numeric id).
    public let botID: Int64
    private struct State {
        var epoch: Int64?
        var deadline: ContinuousClock.Instant?
        var fenced = false
    }
    private let state = Mutex(State())

    public init(botID: Int64) { self.botID = botID }

    /// The epoch to carry in fenced writes, while leading.
    public var epoch: Int64? { state.withLock { $0.fenced ? nil : $0.epoch } }

    /// True while this process may poll and send: it leads, was not fenced, and its deadline
    /// has not passed.
    public func mayAct(at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { s in
            guard !s.fenced, s.epoch != nil, let deadline = s.deadline else { return false }
            return now < deadline
        }
    }

    /// The driver started leading with `epoch`, acting until `deadline`.
    public func lead(epoch: Int64, until deadline: ContinuousClock.Instant) {
        state.withLock { $0 = State(epoch: epoch, deadline: deadline, fenced: false) }
    }

    /// A renewal moved the deadline.
    public func extend(until deadline: ContinuousClock.Instant) {
        state.withLock { if $0.epoch != nil { $0.deadline = deadline } }
    }

    /// A commit `WHERE epoch = mine` changed nothing: another instance leads. Acting stops now.
    public func markFenced() { state.withLock { $0.fenced = true } }

    /// True once a commit was fenced (until the next `lead`).
    public var wasFenced: Bool { state.withLock { $0.fenced } }

    /// The driver stopped leading.
    public func clear() { state.withLock { $0 = State() } }
}

/// A batch tried to commit after another instance took the lease: it was rolled back.
public struct LeaseLost: Error, Sendable, CustomStringConvertible {
    public let epoch: Int64?
    public init(epoch: Int64?) { self.epoch = epoch }
    public var description: String {
        "the leader lease was lost" + (epoch.map { " (epoch \($0) is no longer the lease's)" } ?? "") + "; the batch was rolled back"
    }
}

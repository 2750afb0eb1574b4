public import Storage
public import BaohaoSupport

/// What the health probe of `baohao run` learns from the database in one write transaction:
/// that it can write (it stores the probe's time in `bot_state`), how much the outbox holds
/// and how many tickets are open. Cheap: a one-row write and three index lookups.
public struct ServiceFigures: Sendable, Equatable {
    /// Outbox items waiting to be sent.
    public var outboxPending: Int
    /// When the oldest of them was queued (nil when none waits).
    public var oldestPendingQueuedAt: Instant?
    /// Tickets a person holds.
    public var ticketsOpen: Int

    public init(outboxPending: Int, oldestPendingQueuedAt: Instant?, ticketsOpen: Int) {
        self.outboxPending = outboxPending
        self.oldestPendingQueuedAt = oldestPendingQueuedAt
        self.ticketsOpen = ticketsOpen
    }

    /// Writes the probe's time and reads the figures, in the caller's (write) transaction.
    public static func probe(_ db: any Connection, at now: Instant) throws -> ServiceFigures {
        try BotState.set(db, .healthProbe, to: now.millisecondsSinceEpoch, at: now)
        let depth = try Outbox.depth(db)
        return ServiceFigures(outboxPending: depth.pending, oldestPendingQueuedAt: depth.oldestQueuedAt, ticketsOpen: try Tickets.openCount(db))
    }
}

public import Storage
public import BaohaoSupport

extension Outbox {
    /// How much waits to be sent: the pending items and when the oldest of them was queued
    /// (nil when none waits). Both come from the pending index, so the cost grows with the
    /// pending items, never with the sent ones.
    public static func depth(_ db: any Connection) throws -> (pending: Int, oldestQueuedAt: Instant?) {
        let pending = try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'pending'") { $0.int(0) } ?? 0
        guard pending > 0 else { return (0, nil) }
        // The oldest is the lowest pending id of either priority (one index probe each).
        let oldest = try db.queryFirst(
            """
            SELECT created_at FROM outbox WHERE id = (SELECT min(m) FROM (
                SELECT min(id) AS m FROM outbox WHERE state = 'pending' AND priority = 0
                UNION ALL SELECT min(id) FROM outbox WHERE state = 'pending' AND priority = 1) AS heads)
            """
        ) { $0.string(0) }
        return (pending, oldest.flatMap { Instant(iso: $0) })
    }
}

/// The leader lease's statements on PostgreSQL, on the `leader_lease` row of one bot
/// (migration 12): `holder`, `epoch`, `expires_ms` (milliseconds since 1970 on the
/// database's clock, never a client's) and the update offset beside them, so that storing
/// the offset and checking the fence are one statement. Each call is one statement: run it
/// outside any transaction (acquire, renew, release) or inside the batch's transaction
/// (`storeOffset`).
///
/// The results feed `LeaderLease`: `acquire` → `acquired`/`acquireRefused`, `renew` →
/// `renewed`/`commitFenced`, `storeOffset` false → `commitFenced` (and roll back the batch).
public struct PGLeaseStore: Sendable {
    /// The database's clock, in milliseconds since 1970.
    static let nowMilliseconds = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"

    /// The bot whose row this is (its token's numeric id).
    public let botID: Int64
    /// This instance's name in the row (host and process), for operators.
    public let holder: String
    /// How long an acquisition or renewal keeps the lease, on the database's clock.
    public let ttl: Duration

    /// A store for `botID`'s row, held as `holder` for `ttl` at a time.
    public init(botID: Int64, holder: String, ttl: Duration) {
        self.botID = botID
        self.holder = holder
        self.ttl = ttl
    }

    private var ttlMilliseconds: Int64 {
        ttl.components.seconds * 1000 + ttl.components.attoseconds / 1_000_000_000_000_000
    }

    /// Takes the lease if it has expired on the database's clock, incrementing the epoch.
    /// Returns the new epoch, or nil and the current holder's epoch when the lease is held.
    public func acquire(_ connection: any Connection) throws -> (acquired: Int64?, current: Int64) {
        try connection.execute("INSERT INTO leader_lease (bot_id) VALUES (?) ON CONFLICT (bot_id) DO NOTHING", botID)
        let taken = try connection.queryFirst(
            """
            UPDATE leader_lease SET holder = ?, epoch = epoch + 1, expires_ms = \(Self.nowMilliseconds) + ?
            WHERE bot_id = ? AND expires_ms < \(Self.nowMilliseconds) RETURNING epoch
            """, holder, ttlMilliseconds, botID
        ) { $0.int64(0) }
        if let taken { return (taken, taken) }
        let current = try connection.queryFirst("SELECT epoch FROM leader_lease WHERE bot_id = ?", botID) { $0.int64(0) }
        return (nil, current ?? 0)
    }

    /// Extends the lease held with `epoch`. False when another instance holds a newer epoch
    /// (fenced): the caller must stop leading.
    public func renew(_ connection: any Connection, epoch: Int64) throws -> Bool {
        try connection.execute(
            "UPDATE leader_lease SET expires_ms = \(Self.nowMilliseconds) + ? WHERE bot_id = ? AND epoch = ?", ttlMilliseconds, botID, epoch)
        return connection.changes == 1
    }

    /// Stores the update offset in the batch's transaction, fenced on `epoch`. False when the
    /// lease belongs to a newer epoch: the caller must roll the batch back and step down.
    /// The offset never goes back: a lower one than stored changes nothing but still passes
    /// the fence.
    public func storeOffset(_ connection: any Connection, _ offset: Int64, epoch: Int64) throws -> Bool {
        try connection.execute(
            """
            UPDATE leader_lease SET update_offset = CASE WHEN update_offset > ? THEN update_offset ELSE ? END
            WHERE bot_id = ? AND epoch = ?
            """, offset, offset, botID, epoch)
        return connection.changes == 1
    }

    /// True while `epoch` still holds the lease, checked inside the caller's transaction
    /// with the row share-locked: a takeover (which updates the row) waits for that
    /// transaction to end, so what it writes under `epoch` is committed before the next
    /// epoch begins, or not at all.
    public func holds(_ connection: any Connection, epoch: Int64) throws -> Bool {
        try connection.queryFirst("SELECT epoch FROM leader_lease WHERE bot_id = ? AND epoch = ? FOR SHARE", botID, epoch) { $0.int64(0) } != nil
    }

    /// The stored offset, from which `getUpdates` resumes (0 before any).
    public func offset(_ connection: any Connection) throws -> Int64 {
        try connection.queryFirst("SELECT update_offset FROM leader_lease WHERE bot_id = ?", botID) { $0.int64(0) } ?? 0
    }

    /// Gives the lease up at once (on shutdown), if still held with `epoch`, so that a
    /// standby takes over at its next attempt instead of after the TTL.
    public func release(_ connection: any Connection, epoch: Int64) throws {
        try connection.execute("UPDATE leader_lease SET expires_ms = 0 WHERE bot_id = ? AND epoch = ?", botID, epoch)
    }
}

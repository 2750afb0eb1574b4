/// The lease row's statements on PostgreSQL: one row per bot in `bot_state`, holding the
/// update offset beside the lease (`holder`, `epoch`, `expires_at`), so that storing the
/// offset and checking the fence are one statement. Expiry is computed on the database's
/// clock (`now()`), never on a client's. Each call is one statement: run it outside any
/// transaction (acquire, renew, release) or inside the batch's transaction (`storeOffset`).
///
/// The results feed `LeaderLease`: `acquire` → `acquired`/`acquireRefused`, `renew` →
/// `renewed`/`commitFenced`, `storeOffset` false → `commitFenced` (and roll back the batch).
public struct PGLeaseStore: Sendable {
    /// The statement creating the table (idempotent); a migration will own it later.
    public static let createTable = """
        CREATE TABLE IF NOT EXISTS bot_state (
            bot_id BIGINT PRIMARY KEY,
            update_offset BIGINT NOT NULL DEFAULT 0,
            holder TEXT,
            epoch BIGINT NOT NULL DEFAULT 0,
            expires_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity'
        )
        """

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

    private var ttlSeconds: Double {
        Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
    }

    /// Takes the lease if it has expired on the database's clock, incrementing the epoch.
    /// Returns the new epoch, or nil and the current holder's epoch when the lease is held.
    public func acquire(_ connection: PGConnection) throws -> (acquired: Int64?, current: Int64) {
        try connection.execute("INSERT INTO bot_state (bot_id) VALUES ($1) ON CONFLICT (bot_id) DO NOTHING", botID)
        let taken = try connection.queryFirst(
            """
            UPDATE bot_state SET holder = $2, epoch = epoch + 1, expires_at = now() + make_interval(secs => $3)
            WHERE bot_id = $1 AND expires_at < now() RETURNING epoch
            """, botID, holder, ttlSeconds
        ) { $0.int64(0) }
        if let taken { return (taken, taken) }
        let current = try connection.queryFirst("SELECT epoch FROM bot_state WHERE bot_id = $1", botID) { $0.int64(0) }
        return (nil, current ?? 0)
    }

    /// Extends the lease held with `epoch`. False when another instance holds a newer epoch
    /// (fenced): the caller must stop leading.
    public func renew(_ connection: PGConnection, epoch: Int64) throws -> Bool {
        try connection.execute(
            "UPDATE bot_state SET expires_at = now() + make_interval(secs => $3) WHERE bot_id = $1 AND epoch = $2",
            botID, epoch, ttlSeconds)
        return connection.changes == 1
    }

    /// Stores the update offset in the batch's transaction, fenced on `epoch`. False when the
    /// lease belongs to a newer epoch: the caller must roll the batch back and step down.
    /// The offset never goes back: a lower one than stored changes nothing but still passes
    /// the fence.
    public func storeOffset(_ connection: PGConnection, _ offset: Int64, epoch: Int64) throws -> Bool {
        let fenced = try connection.queryFirst(
            """
            UPDATE bot_state SET update_offset = GREATEST(update_offset, $3) WHERE bot_id = $1 AND epoch = $2
            RETURNING update_offset
            """, botID, epoch, offset
        ) { $0.int64(0) }
        return fenced != nil
    }

    /// The stored offset, from which `getUpdates` resumes (0 before any).
    public func offset(_ connection: PGConnection) throws -> Int64 {
        try connection.queryFirst("SELECT update_offset FROM bot_state WHERE bot_id = $1", botID) { $0.int64(0) } ?? 0
    }

    /// Gives the lease up at once (on shutdown), if still held with `epoch`, so that a
    /// standby takes over at its next attempt instead of after the TTL.
    public func release(_ connection: PGConnection, epoch: Int64) throws {
        try connection.execute(
            "UPDATE bot_state SET expires_at = '-infinity' WHERE bot_id = $1 AND epoch = $2", botID, epoch)
    }
}

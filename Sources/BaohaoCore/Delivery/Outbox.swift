import FoundationEssentials
public import Storage
public import BaohaoSupport

/// What waits to be delivered, stored in the same transaction as the change that produced
/// it. Live replies go before bulk ones (alerts); one chat's items go in order. The one owner
/// of the `outbox` and `chat_state` tables: every query of them is here.
public enum Outbox {
    public enum Priority: Int, Sendable { case live = 0, bulk = 1 }

    public struct Item: Sendable, Equatable {
        public let id: Int64
        /// The chat, or 0 for a button acknowledgement.
        public let chatID: Int64
        /// (A variable: the sender fills in a copy's quote just before sending.)
        public var outbound: Outbound
        public let priority: Priority
        public let attempts: Int
        /// The newest message id the chat has sent (to quote an older one being answered).
        public var lastInbound: Int64 = 0
        /// When it was queued (its age decides how long a failing send is retried).
        public var createdAt: Instant? = nil
        /// When it stops being worth sending, if earlier than its kind's lifetime says (a
        /// reminder: the end of its expiry day in the carrier's time zone).
        public var expiresAt: Instant? = nil
        /// Of a text sent in parts, how many reached Telegram already (a retry sends the rest).
        public var partsSent = 0
        /// Whether the parts sent so far began with the late-reply notice (so the rest are
        /// split from the same text).
        public var lateNotice = false
        /// Why the last attempt failed.
        public var lastError: String? = nil
        /// The epoch of the leader that claimed it last (`claimNext`), before this claim; nil
        /// when never claimed under a lease.
        public var claimedEpoch: Int64? = nil

        /// The message, for a send or an edit.
        public var message: OutboundMessage? {
            switch outbound {
            case .send(let m), .edit(_, let m): m
            case .answerButton, .copy, .topic, .invoice, .refundStars: nil
            }
        }
    }

    /// Queues `message`.
    public static func enqueue(_ db: any Connection, _ message: OutboundMessage, priority: Priority = .live, at now: Instant, expiresAt: Instant? = nil) throws {
        try enqueue(db, .send(message), priority: priority, at: now, expiresAt: expiresAt)
    }

    /// Queues `outbound`; `expiresAt` ends its usefulness earlier than its kind's lifetime.
    /// (No id comes back, so on PostgreSQL the insert costs no round trip of its own.)
    public static func enqueue(_ db: any Connection, _ outbound: Outbound, priority: Priority = .live, at now: Instant, expiresAt: Instant? = nil) throws {
        try db.execute(
            "INSERT INTO outbox (chat_id, priority, message, created_at, expires_at) VALUES (?, ?, ?, ?, ?)", outbound.chatID ?? 0,
            priority.rawValue, OutboxCodec.encode(outbound), now.description, expiresAt?.description)
    }

    /// `enqueue`, returning the item's id.
    public static func enqueueReturningID(
        _ db: any Connection, _ message: OutboundMessage, priority: Priority = .live, at now: Instant, expiresAt: Instant? = nil
    ) throws -> Int64 {
        try db.queryFirst(
            "INSERT INTO outbox (chat_id, priority, message, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id", message.chatID,
            priority.rawValue, OutboxCodec.encode(.send(message)), now.description, expiresAt?.description, map: { $0.int64(0) })!
    }

    /// Marks the items `ids` sent (the round's deliveries, in one statement).
    public static func markSent(_ db: any Connection, ids: [Int64], at now: Instant) throws {
        guard !ids.isEmpty else { return }
        let list = idList(ids)
        try db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id IN (\(list.sql))", arguments: [now.description] + list.ids)
    }

    /// `ids` as an `IN (…)` list padded to a power of two with its last id (which changes
    /// nothing), so that rounds of any size share a few prepared statements.
    private static func idList(_ ids: [Int64]) -> (sql: String, ids: [Int64]) {
        var size = 1
        while size < ids.count { size *= 2 }
        return (Array(repeating: "?", count: size).joined(separator: ", "), ids + Array(repeating: ids.last ?? 0, count: size - ids.count))
    }

    /// The next item of each chat with something pending (a chat's items go in order, so
    /// only its oldest can go), live first, oldest first.
    public static func nextPerChat(_ db: any Connection, limit: Int) throws -> [Item] {
        try db.query(nextPerChatSQL, limit, map: item)
    }

    /// `nextPerChat` for the leader under a lease, in the caller's transaction: the rows are
    /// locked until it ends, those another transaction holds are passed over (PostgreSQL's
    /// `SKIP LOCKED`), and each row taken records `epoch` as its claimant. The caller checks
    /// the fence in the same transaction (`BatchFence.heldEpoch`). Each item returned carries
    /// the epoch that claimed it before, so a send another leader may have made is known.
    public static func claimNext(_ db: any Connection, limit: Int, epoch: Int64) throws -> [Item] {
        let items = try db.query(nextPerChatSQL + db.engine.claimClause(of: "o"), limit, map: item)
        guard !items.isEmpty else { return items }
        let list = idList(items.map(\.id))
        try db.execute("UPDATE outbox SET claimed_epoch = ? WHERE id IN (\(list.sql))", arguments: [epoch] + list.ids)
        return items
    }

    private static let nextPerChatSQL = """
        SELECT o.id, o.chat_id, o.message, o.priority, o.attempts, coalesce(cs.last_inbound_message_id, 0), o.created_at,
               o.expires_at, o.parts_sent, o.late_notice, o.error, o.claimed_epoch FROM outbox o
        JOIN (SELECT chat_id, min(id) AS id FROM outbox WHERE state = 'pending' GROUP BY chat_id) AS head ON head.id = o.id
        LEFT JOIN chat_state cs ON cs.chat_id = o.chat_id
        ORDER BY o.priority, o.id LIMIT ?
        """

    private static func item(_ row: Row) throws -> Item {
        Item(
            id: row.int64(0), chatID: row.int64(1), outbound: try OutboxCodec.decode(row.string(2)),
            priority: Priority(rawValue: row.int(3)) ?? .bulk, attempts: row.int(4), lastInbound: row.int64(5), createdAt: Instant(iso: row.string(6)),
            expiresAt: row.optionalString(7).flatMap(Instant.init(iso:)), partsSent: row.int(8), lateNotice: row.bool(9), lastError: row.optionalString(10),
            claimedEpoch: row.isNull(11) ? nil : row.int64(11))
    }

    /// Every pending item's deadline facts, for the sweep that gives up what waited too long.
    public static func pendingDeadlines(_ db: any Connection) throws -> [Item] {
        try db.query("SELECT id, chat_id, priority, attempts, created_at, expires_at, error FROM outbox WHERE state = 'pending' ORDER BY id") { row in
            Item(
                id: row.int64(0), chatID: row.int64(1), outbound: .answerButton(callbackID: "", text: nil), priority: Priority(rawValue: row.int(2)) ?? .bulk,
                attempts: row.int(3), createdAt: Instant(iso: row.string(4)), expiresAt: row.optionalString(5).flatMap(Instant.init(iso:)),
                lastError: row.optionalString(6))
        }
    }

    /// Pending items, live first, oldest first.
    public static func pending(_ db: any Connection, limit: Int = 100) throws -> [Item] {
        try db.query("SELECT id, chat_id, message, priority, attempts FROM outbox WHERE state = 'pending' ORDER BY priority, id LIMIT ?", limit) { row in
            Item(
                id: row.int64(0), chatID: row.int64(1), outbound: try OutboxCodec.decode(row.string(2)),
                priority: Priority(rawValue: row.int(3)) ?? .bulk, attempts: row.int(4))
        }
    }

    public static func markSent(_ db: any Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?", now.description, id)
    }

    /// Marks an item sent unless something else already settled it (crash recovery).
    public static func markSentIfPending(_ db: any Connection, id: Int64, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'", now.description, id)
    }

    /// Gives up on an item: it stays in the table with the reason, for operators.
    public static func markDead(_ db: any Connection, id: Int64, reason: String, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'dead', sent_at = ?, attempts = attempts + 1, error = ? WHERE id = ?", now.description, reason, id)
    }

    /// Gives up an item whose time passed before it could be delivered (no attempt is counted).
    public static func markExpired(_ db: any Connection, id: Int64, reason: String, at now: Instant) throws {
        try db.execute("UPDATE outbox SET state = 'dead', sent_at = ?, error = ? WHERE id = ? AND state = 'pending'", now.description, reason, id)
    }

    /// Why dead letters could not be queued again; nothing was changed.
    public struct RequeueError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Dead letters queued again as fresh items (no attempts, no reason), in one transaction
    /// the caller holds: the item `id`, or every dead letter (that died at or after `since`).
    /// An `id` that is not a dead letter refuses the change, naming it. Returns the ids.
    public static func requeueDead(_ db: any Connection, id: Int64?, since: Instant?) throws -> [Int64] {
        let ids: [Int64]
        if let id {
            guard let state = try db.queryFirst("SELECT state FROM outbox WHERE id = ?", id, map: { $0.string(0) }) else {
                throw RequeueError(description: "no outbox item #\(id)")
            }
            guard state == "dead" else { throw RequeueError(description: "outbox item #\(id) is \(state), not a dead letter") }
            ids = [id]
        } else {
            ids = try db.query("SELECT id FROM outbox WHERE state = 'dead' AND sent_at >= ? ORDER BY id", (since ?? Instant(millisecondsSinceEpoch: 0)).description) { $0.int64(0) }
        }
        for id in ids {
            try db.execute("UPDATE outbox SET state = 'pending', attempts = 0, error = NULL, sent_at = NULL WHERE id = ? AND state = 'dead'", id)
        }
        return ids
    }

    /// Counts a failed attempt; the item stays pending.
    public static func countAttempt(_ db: any Connection, id: Int64, error: String) throws {
        try db.execute("UPDATE outbox SET attempts = attempts + 1, error = ? WHERE id = ?", error, id)
    }

    /// Records how far a text sent in parts got: `partsSent` parts reached Telegram, the
    /// first of them led by the late-reply notice when `lateNotice`. Progress never goes back.
    public static func recordProgress(_ db: any Connection, id: Int64, partsSent: Int, lateNotice: Bool) throws {
        try db.execute(
            "UPDATE outbox SET parts_sent = ?, late_notice = ? WHERE id = ? AND state = 'pending' AND parts_sent < ?", partsSent, lateNotice, id, partsSent)
    }

    /// Pending items queued at or before `until` plus those settled since `since`: what
    /// waited through an outage from `since` to `until`.
    public static func waitedCount(_ db: any Connection, since: Instant, until: Instant) throws -> Int {
        try db.queryFirst(
            "SELECT count(*) FROM outbox WHERE created_at <= ? AND (state = 'pending' OR sent_at >= ?)", until.description, since.description
        ) { $0.int(0) } ?? 0
    }

    /// A chat that blocked the bot: nothing more is sent to it, and its pending alerts are dropped.
    public static func markChatInactive(_ db: any Connection, chat: Int64, reason: String, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO chat_state (chat_id, inactive_since, inactive_reason) VALUES (?, ?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET inactive_since = excluded.inactive_since, inactive_reason = excluded.inactive_reason
            """, chat, now.description, reason)
        try db.execute(
            "UPDATE outbox SET state = 'dead', error = ?, sent_at = ? WHERE chat_id = ? AND state = 'pending' AND priority = ?", "chat inactive: \(reason)",
            now.description, chat, Priority.bulk.rawValue)
    }

    /// The user allowed the bot again (`my_chat_member`): the chat is no longer inactive.
    public static func noteChatActive(_ db: any Connection, chat: Int64) throws {
        try db.execute("UPDATE chat_state SET inactive_since = NULL, inactive_reason = NULL WHERE chat_id = ?", chat)
    }

    /// A message from the chat: it is active again, and later replies may need to quote.
    public static func noteInbound(_ db: any Connection, chat: Int64, messageID: Int64) throws {
        try db.execute(
            """
            INSERT INTO chat_state (chat_id, last_inbound_message_id) VALUES (?, ?)
            ON CONFLICT (chat_id) DO UPDATE SET last_inbound_message_id = CASE
                    WHEN chat_state.last_inbound_message_id > excluded.last_inbound_message_id THEN chat_state.last_inbound_message_id
                    ELSE excluded.last_inbound_message_id END,
                inactive_since = NULL, inactive_reason = NULL
            """, chat, messageID)
    }

    public static func lastInboundMessage(_ db: any Connection, chat: Int64) throws -> Int64 {
        try db.queryFirst("SELECT last_inbound_message_id FROM chat_state WHERE chat_id = ?", chat) { $0.int64(0) } ?? 0
    }

    /// Gives up pending items that no longer apply (a reminder about an expiry the line has
    /// left behind); items already settled stay as they are.
    public static func dropPending(_ db: any Connection, ids: [Int64], reason: String) throws {
        for id in ids { try db.execute("UPDATE outbox SET state = 'dead', error = ? WHERE id = ? AND state = 'pending'", reason, id) }
    }

    /// Counts by state: pending, sent, dead.
    public static func counts(_ db: any Connection) throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try db.query("SELECT state, count(*) FROM outbox GROUP BY state") { ($0.string(0), $0.int(1)) })
    }

    /// Items of `priority` sent after `since`.
    public static func sentCount(_ db: any Connection, priority: Priority, since: Instant) throws -> Int {
        try db.queryFirst("SELECT count(*) FROM outbox WHERE priority = ? AND state = 'sent' AND sent_at > ?", priority.rawValue, since.description) { $0.int(0) } ?? 0
    }

    /// Items given up since `since` because their time passed (`markExpired`).
    public static func expiredCount(_ db: any Connection, since: Instant) throws -> Int {
        try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'dead' AND sent_at >= ? AND error LIKE 'not delivered %'", since.description) { $0.int(0) } ?? 0
    }

    /// Items given up after `since`.
    public static func deadCount(_ db: any Connection, since: Instant) throws -> Int {
        try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'dead' AND sent_at > ?", since.description) { $0.int(0) } ?? 0
    }

    /// An item given up, with the reason.
    public struct DeadLetter: Sendable, Equatable {
        public let id: Int64
        public let chatID: Int64
        public let error: String
    }

    /// What `baohao outbox status` shows.
    public struct Status: Sendable, Equatable {
        /// Items by state: pending, sent, dead.
        public let counts: [String: Int]
        /// Pending items with a failed attempt.
        public let retrying: Int
        /// Of the ids a running sender names as in flight, those still pending.
        public let inFlight: Int
        /// Chats that blocked the bot.
        public let inactiveChats: Int
        /// The latest dead letters, newest first.
        public let latestDead: [DeadLetter]
        /// When the oldest pending item was queued (nil when nothing waits).
        public var oldestPending: Instant? = nil
        /// Items delivered after an attempt that failed once the request may have reached
        /// Telegram: the customer may have them twice.
        public var possibleDuplicates = 0
    }

    /// The outbox's state; `sending` are the ids a running sender says it is sending now.
    public static func status(_ db: any Connection, sending: [Int64], deadLetters: Int = 10) throws -> Status {
        Status(
            counts: try counts(db),
            retrying: try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'pending' AND attempts > 0") { $0.int(0) } ?? 0,
            inFlight: try sending.reduce(0) { n, id in n + (try db.queryFirst("SELECT 1 FROM outbox WHERE id = ? AND state = 'pending'", id) { _ in 1 } ?? 0) },
            inactiveChats: try db.queryFirst("SELECT count(*) FROM chat_state WHERE inactive_since IS NOT NULL") { $0.int(0) } ?? 0,
            latestDead: try db.query("SELECT id, chat_id, error FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT ?", deadLetters) {
                DeadLetter(id: $0.int64(0), chatID: $0.int64(1), error: $0.optionalString(2) ?? "")
            },
            oldestPending: try db.queryFirst("SELECT created_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1") { $0.optionalString(0) }
                .flatMap { $0 }.flatMap { Instant(iso: $0) },
            possibleDuplicates: try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'sent' AND attempts > 1") { $0.int(0) } ?? 0)
    }
}

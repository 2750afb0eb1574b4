import BaohaoCore
import BaohaoSupport
import Storage
import TestSupport
import Testing

/// `Outbox.claimNext`: the leader's claim of the next items, on both engines; and on a real
/// PostgreSQL server, what makes it a claim: rows another transaction holds are passed over
/// without waiting, and the check of the lease in the claim's transaction holds a takeover off
/// until it ends.
struct OutboxClaimTests {
    private static let now = Instant(iso: "2026-12-05T08:00:00.000Z")!

    /// Three items for chat 1, one each for chats 2 and 3.
    private static func fill(_ db: any Connection) throws {
        try db.transaction {
            for (chat, text) in [(1, "a"), (1, "b"), (2, "c"), (1, "d"), (3, "e")] {
                try Outbox.enqueue(db, OutboundMessage(chatID: Int64(chat), html: text), at: now)
            }
        }
    }

    private static func claimedEpochs(_ db: any Connection) throws -> [String] {
        try db.query("SELECT chat_id, claimed_epoch FROM outbox ORDER BY id") { "\($0.int64(0)):\($0.isNull(1) ? "-" : String($0.int64(1)))" }
    }

    @Test func aClaimTakesEachChatsOldestItemAndRecordsTheEpoch() async throws {
        let database = try await Database.open(path: temporaryDatabase("claims"), migrations: BaohaoSchema.migrations)
        try await database.withConnection { db in
            try Self.fill(db)
            let first = try db.transaction(.rowLocking) { try Outbox.claimNext(db, limit: 10, epoch: 4) }
            #expect(first.map(\.chatID) == [1, 2, 3])
            #expect(first.map(\.message?.html) == ["a", "c", "e"])
            #expect(first.allSatisfy { $0.claimedEpoch == nil })
            #expect(try Self.claimedEpochs(db) == ["1:4", "1:-", "2:4", "1:-", "3:4"])
            // The next epoch claims the same (unsent) items, and learns who had them.
            let second = try db.transaction(.rowLocking) { try Outbox.claimNext(db, limit: 2, epoch: 5) }
            #expect(second.map(\.chatID) == [1, 2])
            #expect(second.map(\.claimedEpoch) == [4, 4])
            #expect(try Self.claimedEpochs(db) == ["1:5", "1:-", "2:5", "1:-", "3:4"])
            // A sent item leaves the claim to its chat's next.
            try db.transaction { try Outbox.markSent(db, id: second[0].id, at: Self.now) }
            let third = try db.transaction(.rowLocking) { try Outbox.claimNext(db, limit: 10, epoch: 5) }
            #expect(third.map(\.message?.html) == ["b", "c", "e"])
        }
    }

    @Test func aRoundsDeliveriesAreMarkedSentTogetherAndNothingElse() async throws {
        let database = try await Database.open(path: temporaryDatabase("mark-sent"), migrations: BaohaoSchema.migrations)
        let states = try await database.write { db in
            try Self.fill(db)
            let ids = try db.query("SELECT id FROM outbox ORDER BY id") { $0.int64(0) }
            try Outbox.markSent(db, ids: [ids[0], ids[2], ids[4]], at: Self.now)  // three: padded to four
            try Outbox.markSent(db, ids: [], at: Self.now)
            return try db.query("SELECT state, attempts, coalesce(sent_at, '-') FROM outbox ORDER BY id") { "\($0.string(0))/\($0.int(1))/\($0.string(2))" }
        }
        let sent = "sent/1/\(Self.now.description)"
        #expect(states == [sent, "pending/0/-", sent, "pending/0/-", sent])
    }

    @Test(.requiresPostgres) func rowsAnotherTransactionHoldsArePassedOverWithoutWaiting() async throws {
        let url = try PostgresCluster.shared().makeDatabase()
        _ = try await Database.open(path: url, migrations: BaohaoSchema.migrations)
        let a = try PGConnection(url), b = try PGConnection(url, sessionSetup: "SET lock_timeout = '2s'")
        try Self.fill(a)
        try a.transaction(.rowLocking) {
            let mine = try Outbox.claimNext(a, limit: 2, epoch: 1)
            #expect(mine.map(\.chatID) == [1, 2])
            // While A's transaction holds those rows, B takes what is left, and does not wait.
            let theirs = try b.transaction(.rowLocking) { try Outbox.claimNext(b, limit: 10, epoch: 1) }
            #expect(theirs.map(\.chatID) == [3])
        }
        // A writer holding the write lock (a batch being handled) does not hold a claim up.
        try a.transaction(.immediate) {
            try Outbox.enqueue(a, OutboundMessage(chatID: 4, html: "f"), at: Self.now)
            let claimed = try b.transaction(.rowLocking) { try Outbox.claimNext(b, limit: 10, epoch: 2) }
            #expect(claimed.map(\.chatID) == [1, 2, 3])  // chat 4's item is not committed yet
        }
        #expect(try Self.claimedEpochs(a) == ["1:2", "1:-", "2:2", "1:-", "3:2", "4:-"])
    }

    @Test(.requiresPostgres) func theLeaseCheckedInAClaimHoldsATakeoverOffAndFailsAfterIt() async throws {
        let url = try PostgresCluster.shared().makeDatabase()
        _ = try await Database.open(path: url, migrations: BaohaoSchema.migrations)
        let leader = try PGConnection(url), standby = try PGConnection(url, sessionSetup: "SET lock_timeout = '300ms'")
        try Self.fill(leader)
        let mine = PGLeaseStore(botID: 7, holder: "a/1", ttl: .milliseconds(200))
        let theirs = PGLeaseStore(botID: 7, holder: "b/2", ttl: .seconds(30))
        let epoch = try #require(try mine.acquire(leader).acquired)
        let fence = LeaseFence(botID: 7)
        fence.lead(epoch: epoch, until: .now + .seconds(30))
        let claims = BatchFence(fence: fence, store: mine)
        try await Task.sleep(for: .milliseconds(300))  // the lease expires on the database's clock
        try leader.transaction(.rowLocking) { () throws -> Void in
            #expect(try claims.heldEpoch(leader) == epoch)
            #expect(try Outbox.claimNext(leader, limit: 10, epoch: epoch).count == 3)
            // The standby cannot take the lease while the claim's transaction is open.
            let blocked = #expect(throws: DatabaseError.self) { _ = try theirs.acquire(standby) }
            #expect(blocked?.sqlState == "55P03")
        }
        #expect(try theirs.acquire(standby).acquired == epoch + 1)
        // Now the old epoch's claim finds the fence and takes nothing.
        let late = try leader.transaction(.rowLocking) { () -> Int64? in try claims.heldEpoch(leader) }
        #expect(late == nil)
        #expect(fence.wasFenced)
        #expect(try Self.claimedEpochs(leader) == ["1:\(epoch)", "1:-", "2:\(epoch)", "1:-", "3:\(epoch)"])
    }
}

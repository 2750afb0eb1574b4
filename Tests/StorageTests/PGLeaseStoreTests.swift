import Testing
import TestSupport
@testable import Storage

/// The lease row on a real server: two instances of one bot, expiry on the database's clock.
@Suite(.requiresPostgres)
struct PGLeaseStoreTests {
    private func twoInstances(ttl: Duration) throws -> (PGConnection, PGLeaseStore, PGConnection, PGLeaseStore) {
        let url = try PostgresCluster.shared().makeDatabase()
        let a = try PGConnection(url), b = try PGConnection(url)
        try a.executeScript(
            "CREATE TABLE leader_lease (bot_id BIGINT PRIMARY KEY, holder TEXT, epoch BIGINT NOT NULL DEFAULT 0, expires_ms BIGINT NOT NULL DEFAULT 0, update_offset BIGINT NOT NULL DEFAULT 0)")
        return (a, PGLeaseStore(botID: 42, holder: "a", ttl: ttl), b, PGLeaseStore(botID: 42, holder: "b", ttl: ttl))
    }

    @Test func oneHolderAtATimeAndTheFenceStopsTheStaleOne() throws {
        let (a, leaseA, b, leaseB) = try twoInstances(ttl: .milliseconds(400))
        let first = try leaseA.acquire(a)
        #expect(first.acquired == 1)
        #expect(try leaseB.acquire(b) == (nil, 1))  // held: refused, and told the epoch
        #expect(try leaseA.renew(a, epoch: 1))
        #expect(try a.transaction { try leaseA.storeOffset(a, 100, epoch: 1) })
        // A stops renewing (paused); once expired on the database's clock, B takes epoch 2.
        try b.executeScript("SELECT pg_sleep(0.6)")
        #expect(try leaseB.acquire(b) == (2, 2))
        // A wakes up: its renewal and its commit are fenced; its batch is rolled back.
        #expect(try !leaseA.renew(a, epoch: 1))
        #expect(throws: Fenced.self) {
            try a.transaction {
                guard try leaseA.storeOffset(a, 150, epoch: 1) else { throw Fenced() }
            }
        }
        #expect(try leaseB.offset(b) == 100)
        #expect(try b.transaction { try leaseB.storeOffset(b, 120, epoch: 2) })
        #expect(try b.transaction { try leaseB.storeOffset(b, 110, epoch: 2) })  // never goes back
        #expect(try leaseA.offset(a) == 120)
    }

    @Test func releaseHandsOverAtOnce() throws {
        let (a, leaseA, b, leaseB) = try twoInstances(ttl: .seconds(60))
        #expect(try leaseA.acquire(a).acquired == 1)
        #expect(try leaseB.acquire(b).acquired == nil)
        try leaseA.release(a, epoch: 1)
        #expect(try leaseB.acquire(b).acquired == 2)
        try leaseA.release(a, epoch: 1)  // stale: changes nothing
        #expect(try leaseA.acquire(a).acquired == nil)
    }

    private struct Fenced: Error {}
}

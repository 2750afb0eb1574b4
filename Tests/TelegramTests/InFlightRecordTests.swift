import BaohaoCore
import BotAPIDouble
import FoundationEssentials
import Storage
import TestSupport
import Testing
@testable import Telegram

#if canImport(Glibc)
import Glibc
#endif

/// What a running sender is delivering is visible to another process, and a record a dead
/// process left is told apart.
@Suite struct InFlightRecordTests {
    @Test func aRecordNamesItsWriterAndItsItemsUntilItEnds() throws {
        let path = InFlightRecord.path(forDatabase: temporaryDatabasePath("inflight"))
        let record = try #require(InFlightRecord(path: path))
        #expect(InFlightRecord.read(path: path) == nil)
        record.begin([41, 42, 9_000_000_001])
        let read = try #require(InFlightRecord.read(path: path))
        #expect(read.pid == getpid() && read.ids == [41, 42, 9_000_000_001])
        // A shorter round replaces the longer one entirely.
        record.begin([7])
        #expect(InFlightRecord.read(path: path)?.ids == [7])
        record.end()
        #expect(InFlightRecord.read(path: path) == nil)
        try "not a record\n5\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(InFlightRecord.read(path: path) == nil)
    }

    @Test func aRecordIsAliveOnlyWhileABotHoldsTheDatabase() async throws {
        let database = temporaryDatabasePath("inflight")
        let record = try #require(InFlightRecord(path: InFlightRecord.path(forDatabase: database)))
        record.begin([5, 6])
        // Our own, live pid, but nobody serves the database: what a kill -9 leaves for a restart with the same pid.
        #expect(InFlightRecord.read(databasePath: database)?.alive == false)
        var lock: InstanceLock? = try await InstanceLock.acquire(databasePath: database, waitSeconds: 0)
        #expect(InFlightRecord.read(databasePath: database)?.alive == true)
        #expect(InFlightRecord.read(databasePath: database)?.ids == [5, 6])
        withExtendedLifetime(lock) {}
        lock = nil
        #expect(InFlightRecord.read(databasePath: database)?.alive == false)
    }

    @Test func theSenderRecordsTheItemsItIsSendingAndClearsThemOnceStored() async throws {
        let rig = try await SenderRig("inflight", sqliteFile: true)
        defer { rig.stop() }
        let (double, path) = (rig.double, rig.path)
        let ids = try await rig.enqueue(chats: [1, 2])
        // The first send hangs for 4 s: the window in which the record must list both items.
        // (1.5 s was too short when the suite's other tests kept both cores busy and this
        // test's wait began after the window had closed.)
        double.failNext("sendMessage", with: .delay(seconds: 4))
        let sender = rig.sender("inflight")
        let drained = Task { await sender.drain(seconds: 30) }
        let recordPath = InFlightRecord.path(forDatabase: path)
        let seen = await double.waitAsync(timeout: 20) { InFlightRecord.read(path: recordPath)?.ids == ids }
        #expect(seen, "the record never listed both items")
        #expect(InFlightRecord.read(path: recordPath)?.pid == getpid())
        await drained.value
        #expect(double.sentMessages().map(\.chatID) == [1, 2])
        #expect(InFlightRecord.read(path: recordPath) == nil)
    }
}

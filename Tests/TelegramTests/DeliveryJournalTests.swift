import BaohaoCore
import BotAPIDouble
import Storage
import TestSupport
import Testing
@testable import Telegram

#if canImport(Glibc)
import Glibc
#endif

/// Sends Telegram accepted just before a crash are recorded, not sent again.
@Suite struct DeliveryJournalTests {
    @Test func theJournalKeepsIdsAndIgnoresATornLine() throws {
        let path = temporaryDatabasePath("journal") + "-delivered"
        let journal = try #require(DeliveryJournal(path: path))
        journal.record(7)
        journal.record(12)
        #expect(journal.recorded() == [7, 12])
        // A second opener (the restarted process) reads the same ids.
        #expect(DeliveryJournal(path: path)?.recorded() == [7, 12])
        journal.clear()
        #expect(journal.recorded().isEmpty)
        journal.record(3)
        let torn = open(path, O_WRONLY | O_APPEND)
        _ = write(torn, "4x", 2)
        close(torn)
        #expect(journal.recorded() == [3])
    }

    @Test func aRestartedSenderMarksJournaledItemsSentInsteadOfSendingThem() async throws {
        let rig = try await SenderRig("journal", sqliteFile: true)
        defer { rig.stop() }
        let (double, path, database) = (rig.double, rig.path, rig.database)
        let ids = try await rig.enqueue(chats: [1, 2, 3])
        // The previous process was killed after Telegram accepted items 1 and 2.
        let journal = try #require(DeliveryJournal(path: path + "-delivered"))
        journal.record(ids[0])
        journal.record(ids[1])
        let sender = rig.sender("journal")
        await sender.drain(seconds: 10)
        #expect(double.sentMessages().map(\.chatID) == [3])
        let counts = try await database.read { db in try Outbox.counts(db) }
        #expect(counts["sent"] == 3)
        #expect(counts["pending"] == nil)
        #expect(journal.recorded().isEmpty)
    }
}

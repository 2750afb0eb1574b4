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
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let path = temporaryDatabasePath("journal")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let now = SystemWallClock().now()
        let ids = try await database.write { db in
            try (1...3).map { i -> Int64 in
                try Outbox.enqueue(db, .send(OutboundMessage(chatID: Int64(i), html: "reply \(i)")), at: now)
                return db.lastInsertRowID
            }
        }
        // The previous process was killed after Telegram accepted items 1 and 2.
        let journal = try #require(DeliveryJournal(path: path + "-delivered"))
        journal.record(ids[0])
        journal.record(ids[1])
        let api = BotAPI(baseURL: double.baseURL, token: double.token, client: HTTPClient(label: "journal"))
        let sender = OutboxSender(database: database, clients: [api], limits: .off, logger: Logger(level: .error))
        await sender.drain(seconds: 10)
        #expect(double.sentMessages().map(\.chatID) == [3])
        let counts = try await database.read { db in try Outbox.counts(db) }
        #expect(counts["sent"] == 3)
        #expect(counts["pending"] == nil)
        #expect(journal.recorded().isEmpty)
    }
}

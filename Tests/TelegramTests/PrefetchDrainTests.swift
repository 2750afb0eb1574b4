import BaohaoCore
import BotAPIDouble
import Storage
import TestSupport
import Testing
@testable import Telegram

@Suite struct PrefetchDrainTests {
    /// The run loop's last round emptied the outbox (prefetched = []); a reply queued after
    /// that (a batch finishing during shutdown) must still go out in drain.
    @Test func drainSendsWhatWasQueuedAfterAnEmptyPrefetch() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let path = temporaryDatabasePath("prefetch")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let now = SystemWallClock().now()
        try await database.write { db in try Outbox.enqueue(db, .send(OutboundMessage(chatID: 1, html: "first")), at: now) }
        let api = BotAPI(baseURL: double.baseURL, token: double.token, client: HTTPClient(label: "prefetch"))
        let sender = OutboxSender(database: database, clients: [api], limits: .off, logger: Logger(level: .error))
        #expect(try await sender.round() == 0)  // sends "first", prefetches an empty list
        try await database.write { db in try Outbox.enqueue(db, .send(OutboundMessage(chatID: 2, html: "second")), at: now) }
        await sender.drain(seconds: 5)
        #expect(double.sentMessages().map(\.chatID) == [1, 2])
        let counts = try await database.read { db in try Outbox.counts(db) }
        #expect(counts["pending"] == nil, "left pending: \(counts)")
    }
}

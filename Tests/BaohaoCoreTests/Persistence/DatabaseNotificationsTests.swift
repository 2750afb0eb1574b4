import BaohaoCore
import BaohaoSupport
import Foundation
import Storage
import Synchronization
import TestSupport
import Testing

/// Migration 14's triggers on a real server: whoever queues in the outbox or changes the FAQ,
/// a listening bot hears it at the commit; other writes stay silent.
@Suite(.requiresPostgres)
struct DatabaseNotificationsTests {
    final class Heard: Sendable {
        let channels = Mutex<[String]>([])
    }

    @Test func queuingAndFAQChangesNotifyAndNothingElseDoes() async throws {
        let url = try PostgresCluster.shared().makeDatabase()
        let database = try await Database.open(path: url, migrations: BaohaoSchema.migrations)
        let heard = Heard()
        let listener = PGNotificationListener(url, channels: [DatabaseNotifications.outbox, DatabaseNotifications.faq], logger: Logger(sink: CapturingLogSink())) { channel in
            heard.channels.withLock { $0.append(channel) }
        }
        listener.start()
        defer { listener.stop() }
        func settle(_ count: Int) async -> [String] {
            await Task.detached {
                for _ in 0..<2000 where heard.channels.withLock({ $0.count }) < count { usleep(10_000) }
                usleep(200_000)  // and nothing more after it
                return heard.channels.withLock { $0 }
            }.value
        }
        #expect(await settle(2).count == 2)  // the rescan
        let now = Instant(iso: "2026-12-05T08:00:00.000Z")!
        // Other writes: no notification.
        try await database.write { db in
            try BotState.set(db, .telegramOffset, to: 41, at: now)
            try DailyCounts.increment(db, .messages, at: now)
        }
        // Two items in one transaction: one notification.
        try await database.write { db in
            try Outbox.enqueue(db, OutboundMessage(chatID: 1, html: "a"), at: now)
            try Outbox.enqueue(db, OutboundMessage(chatID: 2, html: "b"), at: now)
        }
        #expect(await settle(3).dropFirst(2) == [DatabaseNotifications.outbox])
        // A rolled-back insert notifies nobody.
        _ = try? await database.write { db in
            try Outbox.enqueue(db, OutboundMessage(chatID: 3, html: "c"), at: now)
            throw CancellationError()
        }
        try await database.write { db in try BotState.increment(db, .faqGeneration, at: now) }
        #expect(await settle(4).dropFirst(3) == [DatabaseNotifications.faq])
    }
}

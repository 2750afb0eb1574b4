import BaohaoSupport
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Storage

/// The listener against a real server: notifications arrive, a lost connection is made
/// again, and every (re)connection is announced for every channel (a rescan).
@Suite(.requiresPostgres)
struct PGNotificationListenerTests {
    final class Heard: Sendable {
        let channels = Mutex<[String]>([])
        func add(_ channel: String) { channels.withLock { $0.append(channel) } }
        var all: [String] { channels.withLock { $0 } }

        /// Waits (off the test's pool thread) until `condition` holds or 20 s pass.
        func wait(until condition: @escaping @Sendable ([String]) -> Bool) async -> Bool {
            await Task.detached {
                for _ in 0..<2000 {
                    if condition(self.all) { return true }
                    usleep(10_000)
                }
                return condition(self.all)
            }.value
        }
    }

    @Test func notificationsArriveAndALostConnectionIsMadeAgainWithARescan() async throws {
        let url = try PostgresCluster.shared().makeDatabase()
        let heard = Heard()
        let log = CapturingLogSink()
        let listener = PGNotificationListener(url, channels: ["jobs", "faq"], logger: Logger(sink: log)) { heard.add($0) }
        listener.start()
        defer { listener.stop() }
        // Connected: one rescan per channel.
        #expect(await heard.wait { Set($0) == ["jobs", "faq"] })
        let other = try PGConnection(url)
        // LISTEN is in place once the rescan came; only the channels listened to arrive.
        try other.executeScript("NOTIFY other; NOTIFY jobs")
        #expect(await heard.wait { $0.count >= 3 })
        #expect(heard.all.dropFirst(2) == ["jobs"])
        // Notifications are sent at commit, one per channel and transaction.
        try other.transaction {
            try other.execute("SELECT pg_notify('faq', '')")
            try other.execute("SELECT pg_notify('faq', '')")
            try other.execute("SELECT pg_notify('jobs', '')")
        }
        #expect(await heard.wait { $0.count >= 5 })
        #expect(heard.all.dropFirst(3).sorted() == ["faq", "jobs"])
        // The server ends the listener's session: it connects again and rescans.
        let ended = try other.queryFirst(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        ) { $0.int(0) }
        #expect(ended == 1)
        #expect(await heard.wait { $0.count >= 7 })
        #expect(heard.all.dropFirst(5).sorted() == ["faq", "jobs"])
        #expect(log.lines.contains { $0.contains("notifications.disconnected") })
        #expect(log.lines.contains { $0.contains("notifications.listening_again") })
        try other.executeScript("NOTIFY jobs")
        #expect(await heard.wait { $0.count >= 8 })
        #expect(heard.all.last == "jobs")
    }
}

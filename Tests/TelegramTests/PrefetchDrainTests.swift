import BaohaoCore
import BotAPIDouble
import Storage
import Testing
@testable import Telegram

/// The sender's prefetched round never hides what was queued after it.
@Suite struct PrefetchDrainTests {
    /// The run loop's last round emptied the outbox (prefetched = []); a reply queued after
    /// that (a batch finishing during shutdown) must still go out in drain.
    @Test func drainSendsWhatWasQueuedAfterAnEmptyPrefetch() async throws {
        let rig = try await SenderRig("prefetch")
        defer { rig.stop() }
        try await rig.enqueue(chats: [1], html: "first")
        let sender = rig.sender("prefetch")
        #expect(try await sender.round() == .goOn)  // sends "first", prefetches an empty list
        try await rig.enqueue(chats: [2], html: "second")
        await sender.drain(seconds: 5)
        #expect(rig.double.sentMessages().map(\.chatID) == [1, 2])
        let counts = try await rig.database.read { db in try Outbox.counts(db) }
        #expect(counts["pending"] == nil, "left pending: \(counts)")
    }
}

import BaohaoCore
import BaohaoSupport
import BotAPIDouble
import Storage
import TestSupport
import Testing
@testable import Telegram

/// The real sender against the Bot API double failing the ways Telegram and the network
/// fail, judged by what the customers receive.
@Suite(.serialized) struct DeliveryFaultTests {
    /// Sends until nothing is pending (or `seconds` pass); true when the outbox is empty.
    static func deliverAll(_ rig: SenderRig, _ sender: OutboxSender, seconds: Double = 120) async throws -> Bool {
        let task = Task { await sender.run() }
        defer { task.cancel() }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let pending = try await rig.database.read { db in try Outbox.counts(db)["pending"] ?? 0 }
            if pending == 0 {
                task.cancel()
                await task.value
                return true
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    /// A reply long enough for five parts; the third part's send fails with a 502. The
    /// retry sends parts 3 to 5 only: the customer reads each part once, in order.
    @Test func aSplitMessageFailingAtPartThreeResendsOnlyTheRest() async throws {
        let rig = try await SenderRig("split-progress")
        defer { rig.stop() }
        let html = (1...900).map { "第 \($0) 行：您的号码余额与到期日说明。" }.joined(separator: "\n")
        let parts = MessageSplitter.split(html)
        #expect(parts.count == 5, "\(parts.count) parts")
        try await rig.enqueue(chats: [42], html: html)
        rig.double.failNext("sendMessage", with: .delay(seconds: 0), count: 2)
        rig.double.failNext("sendMessage", with: .htmlStatus(502))
        #expect(try await Self.deliverAll(rig, rig.sender("split")))
        let received = rig.double.sentMessages(to: 42).map(\.text)
        #expect(received == parts, "received \(received.count) messages for \(parts.count) parts")
        #expect(rig.double.calls("sendMessage").filter { $0.httpStatus == 502 }.count == 1)
        let row = try await rig.database.read { db in
            try db.queryFirst("SELECT state, parts_sent, attempts FROM outbox") { ($0.string(0), $0.int(1), $0.int(2)) }
        }
        #expect(row?.0 == "sent" && row?.1 == 2 && row?.2 == 2, "\(String(describing: row))")
    }

    /// Progress survives a crash: the journal holds the parts Telegram accepted before the
    /// process died, and the restarted sender records them instead of sending them again.
    @Test func partsAcceptedBeforeACrashAreNotSentAgain() async throws {
        let rig = try await SenderRig("split-journal", sqliteFile: true)
        defer { rig.stop() }
        let html = (1...900).map { "第 \($0) 行：您的号码余额与到期日说明。" }.joined(separator: "\n")
        let parts = MessageSplitter.split(html)
        let id = try await rig.enqueue(chats: [43], html: html)[0]
        // What a process that sent parts 1 and 2 and then died left behind.
        let journal = try #require(DeliveryJournal(path: rig.path + "-delivered"))
        journal.recordProgress(id, partsSent: 2, lateNotice: false)
        #expect(try await Self.deliverAll(rig, rig.sender("restarted")))
        #expect(rig.double.sentMessages(to: 43).map(\.text) == Array(parts[2...]))
    }

    /// 2,000 replies to 200 chats while the API answers at random (seeded): 429s, 502 pages,
    /// connections dropped before the request is handled, and, worst, requests handled and
    /// then answered with a dropped connection or a 502. Nothing is lost; each chat reads its
    /// replies in order; a reply twice only where an outcome was ambiguous, and counted.
    @Test func twoThousandRepliesUnderMixedFaultsAreAllDeliveredInOrder() async throws {
        let rig = try await SenderRig("mixed-faults")
        defer { rig.stop() }
        let seed = testSeed(default: 0x5EED_2000)
        let replay = "TEST_SEED=\(seed) swift test --filter DeliveryFaultTests"
        var generator = SeededGenerator(seed: seed)
        var faults: [BotAPIDouble.Fault] = []
        for _ in 0..<3_000 {
            let r = Double(generator.next() % 1000) / 1000
            faults.append(
                r < 0.10 ? .status(429, description: "Too Many Requests: retry after 1", retryAfter: 1)
                    : r < 0.15 ? .htmlStatus(502)
                    : r < 0.18 ? .dropConnection
                    : r < 0.20 ? .dropAfterHandling
                    : r < 0.22 ? .htmlStatusAfterHandling(502)
                    : .delay(seconds: 0))
        }
        for fault in faults { rig.double.failNext("sendMessage", with: fault) }
        let chats = (0..<200).map { Int64(20_000 + $0) }
        for k in 0..<10 {
            for chat in chats { try await rig.enqueue(chats: [chat], html: "c\(chat) m\(k)") }
        }
        let sender = OutboxSender(database: rig.database, clients: [rig.api("mixed0"), rig.api("mixed1")], limits: .off, logger: Logger(level: .error))
        #expect(try await Self.deliverAll(rig, sender, seconds: 240), "replay: \(replay)")

        var duplicates = 0
        for chat in chats {
            let texts = rig.double.sentMessages(to: chat).map(\.text)
            var inOrder: [String] = []
            for text in texts where text != inOrder.last { inOrder.append(text) }
            #expect(inOrder == (0..<10).map { "c\(chat) m\($0)" }, "chat \(chat) read \(texts) (replay: \(replay))")
            duplicates += texts.count - inOrder.count
        }
        let calls = rig.double.calls("sendMessage").count
        let afterHandling = faults.prefix(calls).filter { $0 == .dropAfterHandling || $0 == .htmlStatusAfterHandling(502) }.count
        let status = try await rig.database.read { db in try Outbox.status(db, sending: []) }
        print("mixed faults: seed \(seed), \(calls) calls, \(afterHandling) failed after handling, \(duplicates) duplicates, \(status.possibleDuplicates) counted")
        #expect(status.counts["dead"] == nil, "dead letters: \(status.latestDead) (replay: \(replay))")
        #expect(status.counts["sent"] == 2_000)
        #expect(duplicates <= afterHandling, "duplicates beyond the ambiguous outcomes (replay: \(replay))")
        #expect(duplicates <= status.possibleDuplicates, "a duplicate not counted (replay: \(replay))")
        #expect(afterHandling > 0 && duplicates > 0, "the faults never produced what they test")
    }
}

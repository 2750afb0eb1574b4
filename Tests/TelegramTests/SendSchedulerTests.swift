import BaohaoCore
import TestSupport
import Testing
@testable import Telegram

@Suite struct SendSchedulerTests {
    /// Sends as fast as the scheduler allows for `seconds`, to the given chats in turn.
    private func simulate(_ limits: SendScheduler.Limits, chats: [Int64], seconds: Double, step: Double = 0.001) -> [(chat: Int64, at: Double)] {
        var scheduler = SendScheduler(limits: limits)
        var sent: [(Int64, Double)] = []
        var now = 0.0
        var next = 0
        while now < seconds {
            for _ in chats.indices {
                let chat = chats[next % chats.count]
                next += 1
                if scheduler.delay(for: chat, at: now) == 0 {
                    scheduler.record(chat, at: now)
                    sent.append((chat, now))
                }
            }
            now += step
        }
        return sent
    }

    @Test func theGlobalLimitIsNeverExceededInAnySecond() {
        let limits = SendScheduler.Limits(globalPerSecond: 30, globalBurst: 30, perChatPerSecond: nil, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1)
        let sent = simulate(limits, chats: Array(1...200), seconds: 10)
        // Every window of one second, starting at every send: never more than 30.
        for first in sent {
            let inWindow = sent.filter { $0.at >= first.at && $0.at < first.at + 1 }.count
            #expect(inWindow <= 30, "\(inWindow) in [\(first.at), \(first.at + 1))")
        }
        // After the first second's burst, the steady rate is 30/s.
        let steady = sent.filter { $0.at >= 2 && $0.at < 10 }.count
        #expect((235...241).contains(steady), "\(steady) in 8 s")
    }

    @Test func oneChatGetsOneMessageASecondAfterASmallBurst() {
        let limits = SendScheduler.Limits(globalPerSecond: nil, globalBurst: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1)
        let sent = simulate(limits, chats: [42], seconds: 10)
        #expect(sent.prefix(3).allSatisfy { $0.at < 0.01 })
        #expect(sent.count == 3 + 9 || sent.count == 3 + 10)
        for (a, b) in zip(sent.dropFirst(3), sent.dropFirst(4)) { #expect(b.at - a.at >= 0.999) }
    }

    @Test func aGroupGetsTwentyAMinute() {
        let limits = SendScheduler.Limits(globalPerSecond: nil, globalBurst: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1)
        let sent = simulate(limits, chats: [-100123], seconds: 120, step: 0.01)
        let firstMinute = sent.filter { $0.at < 60 }.count
        #expect((20...21).contains(firstMinute), "\(firstMinute)")
    }

    @Test func aTooManyRequestsPausesTheBusyChatOrEverything() {
        var scheduler = SendScheduler(limits: SendScheduler.Limits(configuration: BotConfiguration()))
        // A chat that just sent its burst: the 429 is the chat's.
        for _ in 0..<3 { scheduler.record(7, at: 10) }
        let chatScoped = !scheduler.tooManyRequests(chat: 7, retryAfter: 5, at: 10)
        #expect(chatScoped)
        #expect(scheduler.delay(for: 7, at: 10) >= 5)
        #expect(scheduler.delay(for: 8, at: 10) == 0)
        // A chat that sent once: the limit hit was the global one: everything waits.
        scheduler.record(9, at: 20)
        let global = scheduler.tooManyRequests(chat: 9, retryAfter: 3, at: 20)
        #expect(global)
        #expect(abs(scheduler.delay(for: 8, at: 20) - 3) < 0.001)
        #expect(scheduler.delay(for: 8, at: 23) == 0)
    }

    @Test func noLimitsMeansNoWaiting() {
        var scheduler = SendScheduler(limits: .off)
        for i in 0..<10_000 { scheduler.record(Int64(i % 3), at: 0) }
        #expect(scheduler.delay(for: 1, at: 0) == 0)
    }

    @Test func memoryStaysFlatOverAHundredThousandChats() {
        // 100,000 chats over 5,000 simulated seconds, each sent to once, every tenth a group,
        // every hundredth paused by a 429: nothing calls compact; the scheduler compacts itself.
        var scheduler = SendScheduler(limits: SendScheduler.Limits(globalPerSecond: nil, globalBurst: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1))
        var most = 0
        for i in 0..<100_000 {
            let now = Double(i) * 0.05
            let chat = i % 10 == 0 ? -Int64(i) - 1 : Int64(i) + 1
            #expect(scheduler.delay(for: chat, at: now) == 0)
            for _ in 0..<(i % 100 == 1 ? 3 : 1) { scheduler.record(chat, at: now) }
            if i % 100 == 1 { scheduler.tooManyRequests(chat: chat, retryAfter: 30, at: now) }
            most = max(most, scheduler.trackedChats)
        }
        #expect(most <= SendScheduler.minimumCompaction, "\(most) chats tracked at once")
        // What is left once everything is full again and every pause is over: nothing.
        scheduler.compact(at: 100_000 * 0.05 + 31)
        #expect(scheduler.trackedChats == 0)
    }

    @Test func compactingKeepsChatsThatAreStillLimitedOrPaused() {
        var scheduler = SendScheduler(limits: SendScheduler.Limits(globalPerSecond: nil, globalBurst: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1))
        // Thousands of chats sent to once: full again a second later.
        for chat in Int64(1000)..<Int64(6000) { scheduler.record(chat, at: 0) }
        for _ in 0..<3 { scheduler.record(7, at: 0.9) }  // drained: the next in 1 s
        for _ in 0..<3 { scheduler.record(8, at: 0.9) }
        let global = scheduler.tooManyRequests(chat: 8, retryAfter: 20, at: 0.9)
        #expect(!global)  // only chat 8 is paused, for 20 s
        scheduler.record(-100, at: 0.9)  // a group: the next in 3 s
        scheduler.compact(at: 1)
        #expect(scheduler.trackedChats == 3)
        #expect(abs(scheduler.delay(for: 7, at: 1) - 0.9) < 1e-9)
        #expect(abs(scheduler.delay(for: 8, at: 1) - 19.9) < 1e-9)
        #expect(abs(scheduler.delay(for: -100, at: 1) - 2.9) < 1e-9)
        // Once full again they go, and a chat sent to again starts from a full burst.
        scheduler.compact(at: 21)
        #expect(scheduler.trackedChats == 0)
        #expect(scheduler.delay(for: 7, at: 21) == 0)
    }

    @Test func compactingNeverChangesADelay() {
        // The same random sends, 429s and clock steps to two schedulers; one compacts after every
        // step. Every chat's delay must agree at every step.
        let seed = testSeed(default: 0x5C4ED)
        var generator = SeededGenerator(seed: seed)
        for limits in [
            SendScheduler.Limits(globalPerSecond: 30, globalBurst: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1),
            SendScheduler.Limits(globalPerSecond: nil, globalBurst: 1, perChatPerSecond: 2, perChatBurst: 1, perGroupPerMinute: 6, perGroupBurst: 1),
        ] {
            var kept = SendScheduler(limits: limits), compacted = SendScheduler(limits: limits)
            let chats: [Int64] = [1, 2, 3, 4, 5, -10, -20]
            var now = 0.0
            for step in 0..<5_000 {
                now += Double(generator.next() % 1000) / 1000 * (generator.next() % 10 == 0 ? 10 : 0.5)
                let chat = chats[Int(generator.next() % UInt64(chats.count))]
                if kept.delay(for: chat, at: now) == 0 {
                    kept.record(chat, at: now)
                    compacted.record(chat, at: now)
                }
                if generator.next() % 20 == 0 {
                    let retry = Double(generator.next() % 30)
                    let a = kept.tooManyRequests(chat: chat, retryAfter: retry, at: now), b = compacted.tooManyRequests(chat: chat, retryAfter: retry, at: now)
                    #expect(a == b, "seed \(seed), step \(step)")
                }
                compacted.compact(at: now)
                for other in chats where kept.delay(for: other, at: now) != compacted.delay(for: other, at: now) {
                    Issue.record("seed \(seed), step \(step), chat \(other): \(kept.delay(for: other, at: now)) kept, \(compacted.delay(for: other, at: now)) compacted")
                }
            }
            #expect(compacted.trackedChats <= kept.trackedChats)
        }
    }

    /// A message of three parts spends three sends of the limits: ten such messages and the
    /// window is full for the rest of the second.
    @Test func aSplitMessageSpendsOneSendPerPart() {
        var scheduler = SendScheduler(limits: SendScheduler.Limits(globalPerSecond: 30, globalBurst: 30, perChatPerSecond: nil, perChatBurst: 3, perGroupPerMinute: nil, perGroupBurst: 1))
        for chat in 1...10 {
            #expect(scheduler.delay(for: Int64(chat), at: 0.1, parts: 3) == 0)
            scheduler.record(Int64(chat), at: 0.1, parts: 3)
        }
        #expect(scheduler.delay(for: 11, at: 0.5) > 0.5, "30 sends in this second already")
        #expect(scheduler.delay(for: 11, at: 1.1) == 0)
        // A message with more parts than the window holds waits for the whole window, then goes.
        #expect(scheduler.delay(for: 12, at: 1.1, parts: 31) == 0)
    }

    /// A round decided at 0 whose answers came at 0.4: its sends count from 0.4, the latest
    /// they can have reached Telegram, so the next ones wait a full window or token from there.
    @Test func sendsCountFromWhenTheirAnswersCame() {
        var scheduler = SendScheduler(limits: SendScheduler.Limits(globalPerSecond: 3, globalBurst: 3, perChatPerSecond: 1, perChatBurst: 1, perGroupPerMinute: 20, perGroupBurst: 1))
        scheduler.record(1, at: 0)
        scheduler.record(2, at: 0)
        scheduler.record(3, at: 0)
        #expect(abs(scheduler.delay(for: 4, at: 0.4) - 0.6) < 1e-9, "counted from the decision, before the answers")
        scheduler.finish(at: 0.4)
        #expect(abs(scheduler.delay(for: 4, at: 0.4) - 1.0) < 1e-9, "the window counts them from their answers")
        #expect(abs(scheduler.delay(for: 1, at: 0.4) - 1.0) < 1e-9, "and so does the chat's bucket")
        #expect(scheduler.delay(for: 1, at: 1.4) < 1e-9)
        #expect(scheduler.delay(for: 4, at: 1.4) < 1e-9)
        // Finishing twice, or with nothing recorded, changes nothing.
        scheduler.finish(at: 1.0)
        #expect(scheduler.delay(for: 1, at: 1.4) < 1e-9)
    }

    /// Finishing only ever delays: a chat's bucket after `finish` is exactly the bucket of
    /// sends spent at the answer (refilling credits nothing for the time in flight).
    @Test func finishingIsSpendingAtTheAnswer() {
        let limits = SendScheduler.Limits(globalPerSecond: nil, globalBurst: 1, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1)
        var moved = SendScheduler(limits: limits), atAnswer = SendScheduler(limits: limits)
        moved.record(5, at: 10, parts: 2)
        moved.finish(at: 10.7)
        atAnswer.record(5, at: 10.7, parts: 2)
        for t in stride(from: 10.7, to: 14, by: 0.1) {
            #expect(abs(moved.delay(for: 5, at: t) - atAnswer.delay(for: 5, at: t)) < 1e-9, "at \(t)")
        }
    }

    /// A message in parts within the chat's burst goes when the bucket holds every part; one
    /// in more parts than the burst waits for a full bucket (its parts are then paced).
    @Test func aMessageInPartsWaitsUntilTheChatCanTakeThemAtOnce() {
        var scheduler = SendScheduler(limits: SendScheduler.Limits(globalPerSecond: nil, globalBurst: 1, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1))
        scheduler.record(5, at: 0)
        scheduler.finish(at: 0)
        #expect(scheduler.delay(for: 5, at: 0, parts: 2) == 0)
        #expect(abs(scheduler.delay(for: 5, at: 0, parts: 3) - 1) < 1e-9)
        #expect(abs(scheduler.delay(for: 5, at: 0, parts: 7) - 1) < 1e-9, "a full bucket is enough for any number of parts")
        #expect(scheduler.delay(for: -100, at: 0, parts: 4) == 0, "a group's burst is 1: a fresh group goes")
    }

    /// A group never gets more than 20 messages in any minute, whatever the pattern, and its
    /// pace allows 20 a minute.
    @Test func aGroupNeverGetsMoreThanTwentyInAnyMinute() {
        let limits = SendScheduler.Limits(configuration: BotConfiguration())
        let sent = simulate(limits, chats: [-100123, -100456, 1, 2], seconds: 300, step: 0.05).filter { $0.chat == -100123 }.map(\.at)
        for (i, first) in sent.enumerated() {
            let inMinute = sent[i...].prefix { $0 < first + 60 }.count
            #expect(inMinute <= 20, "\(inMinute) in the minute from \(first)")
        }
        #expect(sent.count >= 95, "\(sent.count) in 5 minutes, about one every 3 s")
    }
}

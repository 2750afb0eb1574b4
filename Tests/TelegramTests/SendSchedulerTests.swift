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
        let sent = simulate(SendScheduler.Limits(globalPerSecond: 30, globalBurst: 30, perChatPerSecond: nil), chats: Array(1...200), seconds: 10)
        for start in stride(from: 0.0, to: 9.0, by: 0.25) {
            let inWindow = sent.filter { $0.at >= start && $0.at < start + 1 }.count
            #expect(inWindow <= 30 + 30, "\(inWindow) in [\(start), \(start + 1))")  // a full burst plus one second's rate
        }
        // After the first second's burst, the steady rate is 30/s.
        let steady = sent.filter { $0.at >= 2 && $0.at < 10 }.count
        #expect((235...241).contains(steady), "\(steady) in 8 s")
    }

    @Test func oneChatGetsOneMessageASecondAfterASmallBurst() {
        let sent = simulate(SendScheduler.Limits(globalPerSecond: nil, perChatPerSecond: 1, perChatBurst: 3), chats: [42], seconds: 10)
        #expect(sent.prefix(3).allSatisfy { $0.at < 0.01 })
        #expect(sent.count == 3 + 9 || sent.count == 3 + 10)
        for (a, b) in zip(sent.dropFirst(3), sent.dropFirst(4)) { #expect(b.at - a.at >= 0.999) }
    }

    @Test func aGroupGetsTwentyAMinute() {
        let sent = simulate(SendScheduler.Limits(globalPerSecond: nil, perChatPerSecond: 1, perGroupPerMinute: 20), chats: [-100123], seconds: 120, step: 0.01)
        let firstMinute = sent.filter { $0.at < 60 }.count
        #expect((20...21).contains(firstMinute), "\(firstMinute)")
    }

    @Test func aTooManyRequestsPausesTheBusyChatOrEverything() {
        var scheduler = SendScheduler(limits: SendScheduler.Limits())
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
}

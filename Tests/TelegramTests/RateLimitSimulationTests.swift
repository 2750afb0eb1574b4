import BaohaoCore
import BotAPIDouble
import TestSupport
import Testing
@testable import Telegram

/// The scheduler and the part pacer against the double's model of Telegram's limits, in
/// simulated time, with requests that take random times to reach Telegram and to be answered:
/// no request ordering or latency makes a send exceed a limit.
@Suite struct RateLimitSimulationTests {
    struct Arrival {
        let chat: Int64
        let at: Double
    }

    /// Sends every message of `queues` (per chat, the parts of each message in order) the way
    /// the sender does: rounds of one head per chat, decided at the round's start, sent by two
    /// clients one after the other, each part reaching Telegram `latency()` after it is sent
    /// and answered `latency()` later; the round is finished when its last answer came.
    /// Returns the arrivals, in the order Telegram saw them.
    static func run(
        _ limits: SendScheduler.Limits, queues: [Int64: [Int]], latency: () -> Double
    ) -> (arrivals: [Arrival], end: Double) {
        var scheduler = SendScheduler(limits: limits)
        var queues = queues
        let chats = queues.keys.sorted()
        var arrivals: [Arrival] = []
        var now = 0.0
        while queues.values.contains(where: { !$0.isEmpty }) {
            var round: [(chat: Int64, parts: Int)] = []
            var soonest = Double.infinity
            for chat in chats {
                guard let parts = queues[chat]?.first else { continue }
                let delay = scheduler.delay(for: chat, at: now, parts: parts)
                if delay > 0 {
                    soonest = min(soonest, delay)
                    continue
                }
                scheduler.record(chat, at: now, parts: parts)
                round.append((chat, parts))
            }
            if round.isEmpty {
                // As a real clock would: at least a microsecond on (a wait can be a rounding error).
                now += max(soonest, 1e-6)
                continue
            }
            var clients = [now, now]
            var sent: [Arrival] = []
            for (i, item) in round.enumerated() {
                let start = clients[i % 2]
                var t = start
                var pacer = item.parts > 1 ? limits.partPacer(for: item.chat) : nil
                for _ in 0..<item.parts {
                    if let wait = pacer?.delay(at: t - start), wait > 0 { t += wait }
                    let arrival = t + latency()
                    sent.append(Arrival(chat: item.chat, at: arrival))
                    t = arrival + latency()
                    pacer?.sent(at: t - start)
                }
                clients[i % 2] = t
                queues[item.chat]?.removeFirst()
            }
            arrivals += sent.sorted { $0.at < $1.at }
            now = clients.max()!
            scheduler.finish(at: now)
        }
        return (arrivals, now)
    }

    /// Feeds the arrivals to the double's flood control; returns the refused ones.
    static func refused(_ arrivals: [Arrival], limits: FloodControl.Limits = .telegram) -> [Arrival] {
        var control = FloodControl(limits: limits)
        return arrivals.filter { control.admit(chat: $0.chat, at: $0.at) != nil }
    }

    @Test func noLatencyPatternDrawsA429() async {
        let seed = testSeed(default: 0x7E1E)
        var generator = SeededGenerator(seed: seed)
        let limits = SendScheduler.Limits(configuration: BotConfiguration())
        for trial in 0..<20 {
            await Task.yield()  // seconds of work: let other tests' tasks run between trials
            // 200 private chats and 3 groups; mostly one message each, some several, some long.
            var queues: [Int64: [Int]] = [:]
            for chat in Int64(1)...200 { queues[chat] = (0..<(1 + Int(generator.next() % 3))).map { _ in 1 } }
            for chat in [Int64(7), 8, 9] { queues[chat] = (0..<6).map { _ in 1 + Int(generator.next() % 6) } }
            for group in [Int64(-100_1), -100_2, -100_3] { queues[group] = (0..<(5 + Int(generator.next() % 20))).map { _ in generator.next() % 5 == 0 ? 3 : 1 } }
            let slow = trial % 4
            let (arrivals, _) = Self.run(limits, queues: queues) {
                // Instant, a few milliseconds, up to 300 ms, or now and then over a second.
                switch slow {
                case 0: 0
                case 1: Double(generator.next() % 5_000) / 1e6
                case 2: Double(generator.next() % 300_000) / 1e6
                default: generator.next() % 50 == 0 ? 1 + Double(generator.next() % 1_000) / 1e3 : Double(generator.next() % 20_000) / 1e6
                }
            }
            let refused = Self.refused(arrivals)
            #expect(refused.isEmpty, "seed \(seed), trial \(trial): \(refused.count) refused, first \(refused.first.map { "chat \($0.chat) at \($0.at)" } ?? "")")
            #expect(arrivals.count == queues.values.flatMap { $0 }.reduce(0, +))
        }
    }

    /// A thousand chats, one message each, each request answered in half a millisecond or so
    /// (loopback): the sends go at the overall limit (within 5 %), never above it in any second.
    @Test func aFanOutGoesAtTheOverallLimit() {
        var generator = SeededGenerator(seed: testSeed(default: 0xFA9))
        let limits = SendScheduler.Limits(configuration: BotConfiguration())
        let queues = Dictionary(uniqueKeysWithValues: (Int64(1)...1000).map { ($0, [1]) })
        let (arrivals, _) = Self.run(limits, queues: queues) { 0.0001 + Double(generator.next() % 300) / 1e6 }
        #expect(Self.refused(arrivals).isEmpty)
        let times = arrivals.map(\.at)
        let rate = Double(times.count - 1) / (times.last! - times.first!)
        // At most 30 in any second: 999 sends span at least 33 s (999 / 33 = 30.27 a second).
        #expect(rate >= 0.95 * 30 && rate <= 999.0 / 33, "\(rate) a second")
    }
}

/// The pace of a long message's parts.
@Suite struct PartPacerTests {
    @Test func theBurstGoesAtOnceThenOneASecondFromEachAnswer() {
        var pacer = SendScheduler.Limits(configuration: BotConfiguration()).partPacer(for: 42)!
        var t = 0.0
        var starts: [Double] = []
        for _ in 0..<6 {
            t += pacer.delay(at: t)
            starts.append(t)
            t += 0.2  // each part answered 0.2 s after it went
            pacer.sent(at: t)
        }
        // 0, 0.2, 0.4 go at once (one after the other's answer); the fourth waits for a token:
        // 3 spent at 0.2, 0.4, 0.6 leave 0.4 at 0.6, so 0.6 s more.
        let expected = [0, 0.2, 0.4, 1.2, 2.2, 3.2]
        for (start, want) in zip(starts, expected) { #expect(abs(start - want) < 1e-9, "\(starts)") }
    }

    @Test func aGroupsPartsGoEveryThreeSeconds() {
        var pacer = SendScheduler.Limits(configuration: BotConfiguration()).partPacer(for: -100123)!
        #expect(pacer.delay(at: 0) == 0)
        pacer.sent(at: 0)
        #expect(abs(pacer.delay(at: 0) - 3) < 1e-9)
        #expect(SendScheduler.Limits.off.partPacer(for: 42) == nil)
    }
}

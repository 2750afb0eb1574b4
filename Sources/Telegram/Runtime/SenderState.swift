import BaohaoCore
import BaohaoSupport

/// The outbox sender's decisions that need no I/O: which pending heads may go now under the
/// rate limits, how long to wait when none may, what each send's result means, and the
/// circuit breaker that pauses every send during an outage. `OutboxSender` reads the items,
/// sends them and stores the outcomes; the time it passes is monotonic seconds.
struct SenderState: Sendable {
    /// What the sender does after a round.
    enum Next: Equatable, Sendable {
        /// Something went (or was decided): the next round at once.
        case goOn
        /// Nothing is pending.
        case idle
        /// Something is pending but may not go for this long.
        case wait(seconds: Double)
    }

    /// What a round does with the heads it read.
    enum Plan: Equatable, Sendable {
        /// Send these (each the oldest pending item of its chat), recorded with the scheduler.
        case send([Outbox.Item])
        /// Send nothing this round.
        case skip(Next)
    }

    /// What the logs say about a round, in order.
    enum Note: Equatable, Sendable {
        /// A 429: only the chat pauses, or (`global`) the whole queue.
        case rateLimited(chat: Int64, retryAfter: Int, global: Bool)
        /// The token was refused: the sender stops.
        case stopped(String)
    }

    /// A round's results, decided.
    struct Settlement: Sendable {
        /// Each item's outcome, in the order of the results.
        var outcomes: [(item: Outbox.Item, outcome: DeliveryOutcome)] = []
        var notes: [Note] = []
        /// Whether the transaction storing the outcomes also reads the next round's items (not
        /// after a failed connection: the sender waits before the next round anyway).
        var readNext = true
    }

    /// At most this many items (each the head of its chat) go in one round.
    static let roundSize = 256
    /// The wait when heads are pending but none may go and the scheduler names no delay.
    static let fallbackWaitSeconds = 0.05
    /// The pause after a round whose connection failed: the first, doubling to the longest;
    /// a delivery ends it.
    static let firstConnectionPauseSeconds = 0.5
    static let longestConnectionPauseSeconds = 30.0

    private(set) var scheduler: SendScheduler
    private(set) var connectionPause = Backoff(initial: firstConnectionPauseSeconds, maximum: longestConnectionPauseSeconds)
    /// No round sends before this (after a failed connection).
    private(set) var pausedUntil: Double?
    /// Why sending stopped for good (the token was refused); nil while it goes on.
    private(set) var stopped: String?
    /// After a failed round: the next round sends one item, to learn whether the API is back.
    private(set) var probing = false

    /// How long items are retried before they are given up.
    let lifetime: DeliveryLifetime

    init(limits: SendScheduler.Limits, lifetime: DeliveryLifetime = DeliveryLifetime()) {
        scheduler = SendScheduler(limits: limits)
        self.lifetime = lifetime
    }

    /// Picks what may go at `now` from the heads read (live first, oldest first): one item per
    /// chat, each within the rate limits (and recorded with them); button answers always go.
    mutating func plan(_ heads: [Outbox.Item], at now: Double) -> Plan {
        if heads.isEmpty { return .skip(.idle) }
        if let until = pausedUntil, now < until { return .skip(.wait(seconds: until - now)) }
        var picked: [Outbox.Item] = []
        var seen: Set<Int64> = []
        var soonest = Double.infinity
        for item in heads {
            // One chat's items go in order: only its oldest pending item is a candidate.
            if item.chatID != 0 {
                guard seen.insert(item.chatID).inserted else { continue }
                // A long text goes in parts, each a send the limits count.
                let parts = scheduler.isLimiting ? item.message.map { MessageSplitter.split($0.html).count } ?? 1 : 1
                let delay = scheduler.delay(for: item.chatID, at: now, parts: parts)
                if delay > 0 {
                    soonest = min(soonest, delay)
                    continue
                }
                scheduler.record(item.chatID, at: now, parts: parts)
            }
            picked.append(item)
            if picked.count >= (probing ? 1 : Self.roundSize) { break }
        }
        if picked.isEmpty { return .skip(.wait(seconds: soonest.isFinite ? soonest : Self.fallbackWaitSeconds)) }
        return .send(picked)
    }

    /// Decides each result's outcome at `now` (monotonic) and `wallNow` (for the items' ages):
    /// 429s pause the chat or the queue; a round in which nothing was delivered and something
    /// failed in a way that may pass (no connection, 5xx, no response) pauses the whole
    /// sender, longer each time, and the next round sends one item as a probe (the circuit
    /// breaker: an outage spends no item's attempts but the probe's); a delivery ends it; a
    /// refused token stops the sender.
    mutating func settle(_ results: [(Outbox.Item, Result<Void, BotAPIError>)], at now: Double, wallNow: Instant? = nil) -> Settlement {
        var settlement = Settlement()
        // Rate limits: the round's sends count from now, when every one of them was answered.
        scheduler.finish(at: now)
        var connectionFailed = false, transientFailures = 0
        for (item, result) in results {
            let outcome: DeliveryOutcome
            switch result {
            case .success: outcome = .delivered
            case .failure(let error):
                var age: Int64 = 0
                if let wallNow, let queued = item.createdAt { age = (wallNow.millisecondsSinceEpoch - queued.millisecondsSinceEpoch) / 1000 }
                outcome = DeliveryOutcome.after(error, attempts: item.attempts, age: age, lifetime: lifetime.seconds(item.priority))
                if case .retryCounted = outcome { transientFailures += 1 }
            }
            switch outcome {
            case .wait(let seconds):
                let global = scheduler.tooManyRequests(chat: item.chatID, retryAfter: Double(seconds), at: now)
                settlement.notes.append(.rateLimited(chat: item.chatID, retryAfter: seconds, global: global))
            case .retryLater: connectionFailed = true
            case .stop(let reason):
                stopped = reason
                settlement.notes.append(.stopped(reason))
            case .delivered, .retryCounted, .chatInactive, .dead: break
            }
            settlement.outcomes.append((item, outcome))
        }
        let delivered = settlement.outcomes.contains(where: { $0.outcome == .delivered })
        if connectionFailed || (transientFailures > 0 && !delivered) {
            pausedUntil = now + connectionPause.next()
            probing = true
            settlement.readNext = false
        } else if delivered {
            connectionPause.reset()
            pausedUntil = nil
            probing = false
        }
        return settlement
    }
}

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
        /// The API was unreachable from `since` until `until` (wall clock), longer than
        /// `outageNoticeSeconds`: the operators are told.
        case outageEnded(since: Instant, until: Instant)
    }

    /// One item's send in a round: its result, and how far a text in parts got (the
    /// progress stored when it failed part-way, so a retry sends only the rest).
    struct Attempt: Sendable {
        var item: Outbox.Item
        var result: Result<Void, BotAPIError>
        /// Parts of the text that reached Telegram, counting earlier attempts.
        var partsSent: Int
        /// Whether the late-reply notice went before the parts.
        var lateNotice: Bool
        /// For a ticket's message or copy: the ids it got in the destination chat.
        var posted: [Int64] = []
        /// The ticket's topic was made (again) or found missing during the attempt: stored
        /// whatever the attempt's result, so a retry does not make another.
        var topicChange: TopicOutcome? = nil

        init(_ item: Outbox.Item, _ result: Result<Void, BotAPIError>, partsSent: Int? = nil, lateNotice: Bool? = nil) {
            self.item = item
            self.result = result
            self.partsSent = partsSent ?? item.partsSent
            self.lateNotice = lateNotice ?? item.lateNotice
        }

        /// Whether this attempt got further than the stored progress.
        var madeProgress: Bool { partsSent > item.partsSent || (lateNotice && !item.lateNotice) }
    }

    /// A round's results, decided.
    struct Settlement: Sendable {
        /// Each item's outcome, in the order of the results, with its send.
        var outcomes: [(item: Outbox.Item, outcome: DeliveryOutcome)] = []
        /// Items not delivered that got further than before: (id, parts sent, notice sent).
        var progress: [(id: Int64, partsSent: Int, lateNotice: Bool)] = []
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
    /// An item whose attempt failed in a way that may pass waits before its next attempt:
    /// the first wait, doubling with each attempt up to the longest, each drawn between half
    /// and all of that (jitter, so items that failed together do not retry together).
    static let firstRetrySeconds = 1.0
    static let longestRetrySeconds = 60.0
    /// An outage longer than this is reported to the operators when it ends.
    static let outageNoticeSeconds: Int64 = 300

    private(set) var scheduler: SendScheduler
    private(set) var connectionPause = Backoff(initial: firstConnectionPauseSeconds, maximum: longestConnectionPauseSeconds)
    /// No round sends before this (after a failed connection).
    private(set) var pausedUntil: Double?
    /// Why sending stopped for good (the token was refused); nil while it goes on.
    private(set) var stopped: String?
    /// After a failed round: the next round sends one item, to learn whether the API is back.
    private(set) var probing = false
    /// Items waiting out their own backoff after a failed attempt: id → monotonic time of
    /// the next attempt.
    private(set) var retryAt: [Int64: Double] = [:]
    /// Since when (wall clock) the API has failed every round; nil while it answers.
    private(set) var outageSince: Instant?

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
                // Still waiting out its own backoff (it blocks only its chat).
                if let at = retryAt[item.id], now < at {
                    soonest = min(soonest, at - now)
                    continue
                }
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

    /// Splits the heads read at `wallNow` into those still worth sending and those whose
    /// time has passed (`DeliveryLifetime.deadline`), each with its dead letter's reason.
    func sortOutExpired(_ heads: [Outbox.Item], wallNow: Instant) -> (usable: [Outbox.Item], expired: [(item: Outbox.Item, reason: String)]) {
        var usable: [Outbox.Item] = [], expired: [(item: Outbox.Item, reason: String)] = []
        for item in heads {
            guard let deadline = lifetime.deadline(of: item), deadline.at <= wallNow else {
                usable.append(item)
                continue
            }
            expired.append((item, Self.expiryReason(item, within: deadline.within)))
        }
        return (usable, expired)
    }

    /// "not delivered within 6 h (3 attempts; last: HTTP 502 Bad Gateway)".
    static func expiryReason(_ item: Outbox.Item, within: String) -> String {
        let attempts = "\(item.attempts) attempt\(item.attempts == 1 ? "" : "s")"
        return "not delivered \(within) (\(attempts)\(item.lastError.map { "; last: " + $0 } ?? ""))"
    }

    /// The wait before attempt `attempts + 1` of item `id`: exponential, with jitter drawn
    /// from the item and attempt (deterministic, different for each item).
    static func retryDelay(id: Int64, attempts: Int) -> Double {
        let base = min(longestRetrySeconds, firstRetrySeconds * Double(1 << min(max(attempts - 1, 0), 20)))
        var z = UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(attempts)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return base * (0.5 + 0.5 * Double(z >> 11) / Double(1 << 53))
    }

    /// Decides each result's outcome at `now` (monotonic) and `wallNow` (for the items' ages):
    /// 429s pause the chat or the queue; an item that failed in a way that may pass waits
    /// its own backoff; a round in which nothing was delivered and something failed in such
    /// a way pauses the whole sender, longer each time, and the next round sends one item as
    /// a probe (the circuit breaker: an outage spends no item's attempts but the probe's); a
    /// delivery ends it, and an outage longer than `outageNoticeSeconds` is noted; a refused
    /// token stops the sender.
    mutating func settle(_ attempts: [Attempt], at now: Double, wallNow: Instant? = nil) -> Settlement {
        var settlement = Settlement()
        // Rate limits: the round's sends count from now, when every one of them was answered.
        scheduler.finish(at: now)
        var connectionFailed = false, transientFailures = 0
        for attempt in attempts {
            let item = attempt.item
            let outcome: DeliveryOutcome
            switch attempt.result {
            case .success: outcome = .delivered
            case .failure(let error):
                var age: Int64 = 0, lifetime = lifetime.seconds(item.priority), within: String? = nil
                if let wallNow, let queued = item.createdAt {
                    age = (wallNow.millisecondsSinceEpoch - queued.millisecondsSinceEpoch) / 1000
                    if let deadline = self.lifetime.deadline(of: item) {
                        lifetime = (deadline.at.millisecondsSinceEpoch - queued.millisecondsSinceEpoch) / 1000
                        within = deadline.within
                    }
                }
                outcome = DeliveryOutcome.after(error, attempts: item.attempts, age: age, lifetime: lifetime, within: within)
                if case .retryCounted = outcome {
                    transientFailures += 1
                    retryAt[item.id] = now + Self.retryDelay(id: item.id, attempts: item.attempts + 1)
                }
            }
            switch outcome {
            case .wait(let seconds):
                let global = scheduler.tooManyRequests(chat: item.chatID, retryAfter: Double(seconds), at: now)
                settlement.notes.append(.rateLimited(chat: item.chatID, retryAfter: seconds, global: global))
            case .retryLater: connectionFailed = true
            case .stop(let reason):
                stopped = reason
                settlement.notes.append(.stopped(reason))
            case .delivered, .chatInactive, .dead: retryAt[item.id] = nil
            case .retryCounted: break
            }
            if outcome != .delivered, attempt.madeProgress {
                settlement.progress.append((item.id, attempt.partsSent, attempt.lateNotice))
            }
            settlement.outcomes.append((item, outcome))
        }
        let delivered = settlement.outcomes.contains(where: { $0.outcome == .delivered })
        if connectionFailed || (transientFailures > 0 && !delivered) {
            pausedUntil = now + connectionPause.next()
            probing = true
            settlement.readNext = false
            if outageSince == nil { outageSince = wallNow }
        } else if delivered {
            connectionPause.reset()
            pausedUntil = nil
            probing = false
            if let since = outageSince, let wallNow {
                if (wallNow.millisecondsSinceEpoch - since.millisecondsSinceEpoch) / 1000 > Self.outageNoticeSeconds {
                    settlement.notes.append(.outageEnded(since: since, until: wallNow))
                }
            }
            outageSince = nil
        }
        return settlement
    }

    /// `settle` for results that carry no progress of their own (each item's stored one).
    mutating func settle(_ results: [(Outbox.Item, Result<Void, BotAPIError>)], at now: Double, wallNow: Instant? = nil) -> Settlement {
        settle(results.map { Attempt($0.0, $0.1) }, at: now, wallNow: wallNow)
    }
}

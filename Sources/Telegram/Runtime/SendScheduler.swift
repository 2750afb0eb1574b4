public import BaohaoCore

/// When the next message may go: token buckets (overall, per chat, per group chat), a
/// sliding window for the overall limit, and the pauses a 429 imposes. Pure: the caller
/// passes the time; no I/O, no clock.
///
/// Telegram counts a send when the request reaches it, some time between `record` (the
/// decision) and the answer. `finish` moves the sends of a round, in the overall window and
/// the chats' buckets, to the moment their answers came: the latest they can have reached
/// Telegram. So however slow or reordered the requests, two sends are never closer together
/// at Telegram than the limits allow. (The overall bucket only paces; the window holds the
/// overall limit.)
public struct SendScheduler: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Messages per second overall; nil means no limit.
        public var globalPerSecond: Double?
        public var globalBurst: Double
        /// Messages per second to one private chat, with a small burst.
        public var perChatPerSecond: Double?
        public var perChatBurst: Double
        /// Messages per minute to one group (negative chat ids), with a burst.
        public var perGroupPerMinute: Double?
        public var perGroupBurst: Double

        /// Every limit spelled out (the configured ones come from `init(configuration:)`).
        public init(globalPerSecond: Double?, globalBurst: Double, perChatPerSecond: Double?, perChatBurst: Double, perGroupPerMinute: Double?, perGroupBurst: Double) {
            self.globalPerSecond = globalPerSecond
            self.globalBurst = globalBurst
            self.perChatPerSecond = perChatPerSecond
            self.perChatBurst = perChatBurst
            self.perGroupPerMinute = perGroupPerMinute
            self.perGroupBurst = perGroupBurst
        }

        /// No limits at all (for benchmarks and tests against a local double).
        public static let off = Limits(globalPerSecond: nil, globalBurst: 1, perChatPerSecond: nil, perChatBurst: 1, perGroupPerMinute: nil, perGroupBurst: 1)
    }

    struct Bucket: Sendable, Equatable {
        var tokens: Double
        var updated: Double
        let rate: Double
        let capacity: Double

        mutating func refill(_ now: Double) {
            if now > updated { tokens = min(capacity, tokens + (now - updated) * rate) }
            updated = max(updated, now)
        }
        /// Seconds until `cost` tokens are there (a full bucket is enough for any cost).
        func wait(_ now: Double, cost: Double = 1) -> Double {
            let needed = min(max(1, cost), capacity)
            let available = min(capacity, tokens + max(0, now - updated) * rate)
            return available >= needed ? 0 : (needed - available) / rate
        }
        /// `count` tokens spent earlier count as spent at `now` instead: exactly the
        /// bucket that spending them at `now` would give (refilling cannot credit the time
        /// between), or less when other spends came between.
        mutating func respend(_ count: Double, at now: Double) {
            refill(now)
            tokens = min(tokens, capacity - count)
        }
        /// Full again by `now`: exactly what a new bucket would be, so it may be forgotten.
        func isFull(_ now: Double) -> Bool { tokens + max(0, now - updated) * rate >= capacity }
    }

    /// The times of the latest sends, at most `limit` of them: no more than `limit` sends in
    /// any window of `length` seconds, whatever a bucket's burst allows at its edges.
    struct Window: Sendable {
        let limit: Int
        let length: Double
        private var times: [Double] = []
        private var next = 0

        init(limit: Int, length: Double) {
            self.limit = max(1, limit)
            self.length = length
        }

        /// Seconds until `cost` more sends fit in the window.
        func wait(_ now: Double, cost: Int) -> Double {
            let cost = min(max(1, cost), limit)
            guard times.count + cost > limit else { return 0 }
            // The send that must leave the window first: the (count + cost - limit)-th oldest.
            let leaving = times.count + cost - limit - 1
            let oldest = times.count < limit ? times[leaving] : times[(next + leaving) % limit]
            return max(0, oldest + length - now)
        }

        mutating func record(_ now: Double) {
            if times.count < limit {
                times.append(now)
            } else {
                times[next] = now
                next = (next + 1) % limit
            }
        }

        /// The newest `count` sends count from `now` instead (`now` is at least every
        /// time recorded, so the order stays).
        mutating func respend(_ count: Int, at now: Double) {
            for j in 0..<min(max(0, count), times.count) {
                let index = times.count < limit ? times.count - 1 - j : (next - 1 - j + 2 * limit) % limit
                times[index] = max(times[index], now)
            }
        }
    }

    public let limits: Limits
    private var global: Bucket?
    private var globalWindow: Window?
    private var chats: [Int64: Bucket] = [:]
    private var globalPausedUntil: Double = 0
    private var chatPausedUntil: [Int64: Double] = [:]
    /// Sends recorded since the last `finish`: in all, and per chat with a bucket.
    private var unfinishedSends = 0
    private var unfinishedByChat: [Int64: Int] = [:]
    /// The per-chat maps are compacted when they have grown to this many entries (then to
    /// twice what is left, at least `minimumCompaction`): memory stays within twice the chats
    /// still limited or paused, at an amortized constant cost per message.
    private var compactAt = Self.minimumCompaction
    static let minimumCompaction = 1024

    public init(limits: Limits) {
        self.limits = limits
        global = limits.globalPerSecond.map { Bucket(tokens: limits.globalBurst, updated: 0, rate: $0, capacity: max(1, limits.globalBurst)) }
        globalWindow = limits.globalPerSecond.map { Window(limit: Int($0.rounded(.down)), length: 1) }
    }

    private func chatBucket(_ chat: Int64) -> Bucket? {
        if let existing = chats[chat] { return existing }
        return limits.chatLimit(chat).map { Bucket(tokens: $0.burst, updated: 0, rate: $0.rate, capacity: $0.burst) }
    }

    /// Seconds from `now` until a message of `parts` sends (a long text split in parts) to
    /// `chat` may go (0: now). The overall limit holds in every one-second window. Parts
    /// within the chat's burst go at once, so the chat's bucket must hold them all; a
    /// message of more parts waits for a full bucket and goes at the chat's pace
    /// (`Limits.partPacer`).
    public func delay(for chat: Int64, at now: Double, parts: Int = 1) -> Double {
        var wait = max(0, globalPausedUntil - now, (chatPausedUntil[chat] ?? 0) - now)
        if let global { wait = max(wait, global.wait(now, cost: Double(parts))) }
        if let globalWindow { wait = max(wait, globalWindow.wait(now, cost: parts)) }
        if let bucket = chatBucket(chat) { wait = max(wait, bucket.wait(now, cost: Double(parts))) }
        return wait
    }

    /// Records a message of `parts` sends to `chat` at `now` (after `delay` said 0): each
    /// part spends a token. They count from `now` until `finish` moves them to their answer.
    public mutating func record(_ chat: Int64, at now: Double, parts: Int = 1) {
        let parts = max(1, parts)
        if var g = global {
            g.refill(now)
            g.tokens -= Double(parts)
            global = g
        }
        if globalWindow != nil { for _ in 0..<parts { globalWindow!.record(now) } }
        unfinishedSends += parts
        if var bucket = chatBucket(chat) {
            bucket.refill(now)
            bucket.tokens -= Double(parts)
            chats[chat] = bucket
            unfinishedByChat[chat, default: 0] += parts
            compactIfGrown(at: now)
        }
    }

    /// Every send recorded since the last call was answered by `now` (monotonic, not
    /// before any `record`): from now on the overall window and the chats' buckets count
    /// each as sent at `now`, the latest moment it can have reached Telegram. Call it before
    /// the next `delay` that matters (the sender calls it when it settles a round, before
    /// any 429 of the round).
    public mutating func finish(at now: Double) {
        guard unfinishedSends > 0 else { return }
        // The overall bucket only paces the sends (the window holds the limit), so it keeps
        // counting from the decision: the time in flight is not lost to the rate.
        globalWindow?.respend(unfinishedSends, at: now)
        for (chat, parts) in unfinishedByChat {
            guard var bucket = chatBucket(chat) else { continue }
            bucket.respend(Double(parts), at: now)
            chats[chat] = bucket
        }
        unfinishedSends = 0
        unfinishedByChat.removeAll(keepingCapacity: true)
        compactIfGrown(at: now)
    }

    /// A 429 for a message to `chat`: when the chat had sent other messages just before this
    /// one (its bucket is drained beyond this message), the limit was the chat's and only it
    /// pauses; otherwise the whole queue pauses.
    /// - Returns: true when the pause is global.
    @discardableResult
    public mutating func tooManyRequests(chat: Int64, retryAfter: Double, at now: Double) -> Bool {
        var busyChat = false
        if var bucket = chats[chat] {
            bucket.refill(now)
            busyChat = bucket.tokens < bucket.capacity - 1.5
        }
        if busyChat {
            chatPausedUntil[chat] = max(chatPausedUntil[chat] ?? 0, now + retryAfter)
            compactIfGrown(at: now)
            return false
        }
        globalPausedUntil = max(globalPausedUntil, now + retryAfter)
        return true
    }

    /// Forgets what no longer limits anything: buckets full again (a new one would be the
    /// same) and pauses that are over. A chat still limited or paused is kept, so compacting
    /// never changes a delay. `record` and `tooManyRequests` call it as the maps grow.
    public mutating func compact(at now: Double) {
        chats = chats.filter { !$0.value.isFull(now) }
        chatPausedUntil = chatPausedUntil.filter { $0.value > now }
        compactAt = max(Self.minimumCompaction, 2 * (chats.count + chatPausedUntil.count))
    }

    private mutating func compactIfGrown(at now: Double) {
        if chats.count + chatPausedUntil.count >= compactAt { compact(at: now) }
    }

    /// Whether any rate limit is on (with none, a message's parts need not be counted).
    public var isLimiting: Bool { limits.globalPerSecond != nil || limits.perChatPerSecond != nil || limits.perGroupPerMinute != nil }

    /// The chats the scheduler holds state for (a bucket or a pause).
    public var trackedChats: Int { chats.count + chatPausedUntil.keys.count { chats[$0] == nil } }
}

extension SendScheduler.Limits {
    /// The limits the configuration asks for (none at all when they are disabled); the
    /// overall burst is one second's worth.
    public init(configuration c: BotConfiguration) {
        let settings = c.rateLimits
        guard settings.enabled else {
            self = .off
            return
        }
        self.init(
            globalPerSecond: settings.globalPerSecond, globalBurst: max(1, settings.globalPerSecond),
            perChatPerSecond: settings.perChatPerSecond, perChatBurst: settings.perChatBurst, perGroupPerMinute: Double(settings.perGroupPerMinute),
            perGroupBurst: settings.perGroupBurst)
    }

    /// The limit of one chat: a group's when the chat is a group (negative id) and groups
    /// are limited, else a private chat's; nil when that is off.
    func chatLimit(_ chat: Int64) -> (rate: Double, burst: Double)? {
        if chat < 0, let perMinute = perGroupPerMinute { return (perMinute / 60, max(1, perGroupBurst)) }
        return perChatPerSecond.map { ($0, max(1, perChatBurst)) }
    }

    /// The pace of a long message's parts to `chat` (nil when its chat is not limited).
    public func partPacer(for chat: Int64) -> PartPacer? {
        chatLimit(chat).map { PartPacer(rate: $0.rate, burst: $0.burst) }
    }
}

/// Telegram's sending limits as the double enforces them when asked to
/// (`BotAPIDouble(enforceLimits: .telegram)`): every send that would produce a message
/// (sendMessage, editMessageText, sendPhoto, sendDocument, copyMessage, sendInvoice, and each message of
/// copyMessages, which is admitted whole or not at all) is checked against three limits, and one beyond any of
/// them is refused with 429 and not delivered. Refused sends do not count.
///
/// - Per chat (private and group alike): a token bucket of `perChatBurst` sends, refilled
///   at `perChatPerSecond`. Telegram's FAQ says "avoid sending more than one message per
///   second … we may allow short bursts": the double models the burst as 3 sends at once.
/// - Per group (a negative chat id): at most `perGroupPerMinute` sends in any 60 seconds
///   (a sliding window).
/// - Overall: at most `globalPerSecond` sends in any second (a sliding window).
///
/// `retry_after` is the whole seconds until the send would be accepted, at least 1.
/// Pure: the caller passes the time (seconds on a monotonic clock).
public struct FloodControl: Sendable {
    /// The limits enforced.
    public struct Limits: Sendable, Equatable {
        /// Sends per second to one chat, after the burst.
        public var perChatPerSecond: Double
        /// Sends one chat may get at once.
        public var perChatBurst: Int
        /// Sends to one group (negative chat id) in any 60 seconds.
        public var perGroupPerMinute: Int
        /// Sends overall in any second.
        public var globalPerSecond: Int

        public init(perChatPerSecond: Double, perChatBurst: Int, perGroupPerMinute: Int, globalPerSecond: Int) {
            self.perChatPerSecond = perChatPerSecond
            self.perChatBurst = perChatBurst
            self.perGroupPerMinute = perGroupPerMinute
            self.globalPerSecond = globalPerSecond
        }

        /// Telegram's published limits: 1 message a second per chat (a burst of 3),
        /// 20 a minute per group, 30 a second overall.
        public static let telegram = Limits(perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, globalPerSecond: 30)
    }

    /// The times of the latest accepted sends, at most `limit` of them, oldest first.
    struct Window: Sendable {
        let limit: Int
        let length: Double
        private(set) var times: [Double] = []
        private var head = 0

        init(limit: Int, length: Double) {
            self.limit = max(1, limit)
            self.length = length
        }

        /// Seconds until one more send fits (0: it fits now).
        func wait(_ now: Double) -> Double {
            guard times.count - head >= limit else { return 0 }
            return max(0, times[head] + length - now)
        }

        mutating func record(_ now: Double) {
            times.append(now)
            if times.count - head > limit { head += 1 }
            if head > 1024 && head * 2 > times.count {
                times.removeFirst(head)
                head = 0
            }
        }
    }

    struct Bucket: Sendable {
        var tokens: Double
        var updated: Double
    }

    public let limits: Limits
    private var chats: [Int64: Bucket] = [:]
    private var groups: [Int64: Window] = [:]
    private var overall: Window

    public init(limits: Limits) {
        self.limits = limits
        overall = Window(limit: limits.globalPerSecond, length: 1)
    }

    /// Checks a send to `chat` at `now`: nil when it is accepted (and counted), else the
    /// `retry_after` Telegram would answer, in whole seconds (at least 1).
    public mutating func admit(chat: Int64, at now: Double) -> Int? {
        var bucket = chats[chat] ?? Bucket(tokens: Double(limits.perChatBurst), updated: now)
        if now > bucket.updated {
            bucket.tokens = min(Double(limits.perChatBurst), bucket.tokens + (now - bucket.updated) * limits.perChatPerSecond)
            bucket.updated = now
        }
        var wait = overall.wait(now)
        if bucket.tokens < 1 { wait = max(wait, (1 - bucket.tokens) / limits.perChatPerSecond) }
        if chat < 0, let group = groups[chat] { wait = max(wait, group.wait(now)) }
        // A nanosecond is rounding, not a send too early.
        guard wait <= 1e-9 else {
            chats[chat] = bucket
            return max(1, Int(wait.rounded(.up)))
        }
        bucket.tokens -= 1
        chats[chat] = bucket
        overall.record(now)
        if chat < 0 {
            groups[chat, default: Window(limit: limits.perGroupPerMinute, length: 60)].record(now)
        }
        return nil
    }
}

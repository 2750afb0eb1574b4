/// The pace of the parts of one long message (`MessageSplitter`) to its chat. The scheduler
/// lets a message of more parts than the chat's burst go only when the chat's bucket is
/// full; from there the first `burst` parts go at once and each later one waits until the
/// bucket holds a send again, counting each part from its answer (the latest moment it can
/// have reached Telegram). So a message in more parts than the burst never draws a 429 by
/// itself. Pure: the caller passes seconds since the message began.
public struct PartPacer: Sendable, Equatable {
    private var bucket: SendScheduler.Bucket

    /// A chat's limit: `rate` sends a second after a burst of `burst`.
    init(rate: Double, burst: Double) {
        let capacity = max(1, burst)
        bucket = SendScheduler.Bucket(tokens: capacity, updated: 0, rate: rate, capacity: capacity)
    }

    /// Seconds from `now` until the next part may go (0: now).
    public func delay(at now: Double) -> Double { bucket.wait(now) }

    /// A part was answered at `now`.
    public mutating func sent(at now: Double) {
        bucket.refill(now)
        bucket.tokens -= 1
    }
}

extension PartPacer {
    /// Seconds since `start`: the time the sender gives a pacer.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: .now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

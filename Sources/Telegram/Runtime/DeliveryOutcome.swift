public import BaohaoCore
import BaohaoSupport

/// What to do with an outbox item after an attempt: the sender's rules, without I/O.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Try again later without counting an attempt (nothing reached Telegram).
    case retryLater
    /// Try again once; the attempt is counted.
    case retryCounted(String)
    /// Telegram said to wait.
    case wait(seconds: Int)
    /// The chat blocked the bot or is gone.
    case chatInactive(String)
    /// Give up, with the reason, for the dead-letter list.
    case dead(String)
    /// The token is wrong: stop sending altogether.
    case stop(String)

    /// Decides from the error of attempt number `attempts + 1` of an item queued `age`
    /// seconds ago that is worth delivering for `lifetime` seconds. A failure that may pass
    /// (5xx, no response, a garbled response) is retried while the item is still worth it, a
    /// lost reply being worse than a duplicate; past its lifetime it is given up, saying so.
    /// Only permanent refusals are dead letters at once.
    /// `within` says what the lifetime was, for the dead letter ("within 6 h" by default).
    public static func after(
        _ error: BotAPIError, attempts: Int, age: Int64 = 0, lifetime: Int64 = DeliveryLifetime.replySeconds, within: String? = nil
    ) -> DeliveryOutcome {
        func transient(_ reason: String) -> DeliveryOutcome {
            age < lifetime
                ? .retryCounted(reason)
                : .dead("not delivered \(within ?? "within " + DeliveryLifetime.describe(lifetime)) (\(attempts + 1) attempts; last: \(reason))")
        }
        switch error {
        case .tooManyRequests(let seconds): return .wait(seconds: max(1, seconds))
        case .connect, .cancelled: return .retryLater
        case .noResponse(let m): return transient("no response, the message may have been delivered: \(m)")
        case .server(let status, _): return transient(BotAPIError.statusLine(status))
        case .forbidden(let d): return .chatInactive(d)
        case .badRequest(let d):
            if d.contains("message is not modified") || d.contains("query is too old") { return .delivered }
            return .dead(d)
        case .unauthorized, .notFound: return .stop(error.description)
        case .conflict(let d): return .dead(d)
        case .malformedResponse(let m): return transient("malformed response: \(m)")
        }
    }
}

/// How long an outbox item is worth delivering: a live reply for 6 hours, anything else
/// (reminders, notices) for 24, unless the configuration says otherwise (`delivery`).
public struct DeliveryLifetime: Sendable, Equatable {
    public static let replySeconds: Int64 = 6 * 3600
    public static let otherSeconds: Int64 = 24 * 3600

    public var replySeconds: Int64 = Self.replySeconds
    public var otherSeconds: Int64 = Self.otherSeconds

    public init() {}

    public init(configuration c: BotConfiguration) {
        replySeconds = Int64(c.delivery.replyTTLSeconds)
        otherSeconds = Int64(c.delivery.otherTTLSeconds)
    }

    /// The lifetime of an item of `priority`.
    func seconds(_ priority: Outbox.Priority) -> Int64 { priority == .live ? replySeconds : otherSeconds }

    /// When `item` stops being worth delivering (its own `expiresAt`, else its queueing time
    /// plus its kind's lifetime), and how a dead letter says so; nil without a queueing time.
    func deadline(of item: Outbox.Item) -> (at: Instant, within: String)? {
        if let expires = item.expiresAt { return (expires, "before its moment passed") }
        guard let queued = item.createdAt else { return nil }
        let seconds = seconds(item.priority)
        return (queued.adding(seconds: seconds), "within " + Self.describe(seconds))
    }

    /// "6 h", "90 min", "45 s".
    static func describe(_ seconds: Int64) -> String {
        seconds % 3600 == 0 ? "\(seconds / 3600) h" : seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }
}

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

    /// Decides from the error of attempt number `attempts + 1`.
    public static func after(_ error: BotAPIError, attempts: Int) -> DeliveryOutcome {
        switch error {
        case .tooManyRequests(let seconds): return .wait(seconds: max(1, seconds))
        case .connect, .cancelled: return .retryLater
        case .noResponse(let m): return attempts == 0 ? .retryCounted("no response: \(m)") : .dead("no response twice (the message may have been delivered): \(m)")
        case .server(let status, _):
            let line = BotAPIError.statusLine(status)
            return attempts == 0 ? .retryCounted(line) : .dead("\(line) twice (the message may have been delivered)")
        case .forbidden(let d): return .chatInactive(d)
        case .badRequest(let d):
            if d.contains("message is not modified") || d.contains("query is too old") { return .delivered }
            return .dead(d)
        case .unauthorized, .notFound: return .stop(error.description)
        case .conflict(let d): return .dead(d)
        case .malformedResponse(let m): return attempts == 0 ? .retryCounted(m) : .dead(m)
        }
    }
}

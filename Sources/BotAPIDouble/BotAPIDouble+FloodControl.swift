extension BotAPIDouble {
    /// A send that produced a message (sendMessage, editMessageText, sendPhoto, sendDocument,
    /// copyMessage, sendInvoice, or one message of copyMessages), when the double accepted it.
    public struct AcceptedSend: Sendable, Equatable {
        public let chatID: Int64
        /// Lower-cased method name.
        public let method: String
        /// Seconds on the double's own monotonic clock (comparable only with each other).
        public let at: Double
    }

    /// Every send that produced a message, in the order accepted, with the double's time:
    /// the sends Telegram's limits count (whether or not they are enforced).
    public func acceptedSends() -> [AcceptedSend] {
        lock.withLock { state.acceptedSends }
    }

    /// How many 429s the enforced limits answered (0 when they are not enforced).
    public var tooManyRequestsSent: Int {
        lock.withLock { state.tooManyRequestsSent }
    }

    /// How many 429s the enforced limits answered for sends to `chatID`.
    public func tooManyRequestsSent(to chatID: Int64) -> Int {
        lock.withLock { state.tooManyRequestsByChat[chatID] ?? 0 }
    }

    /// Checks a send that would produce a message in `chat` against the enforced limits,
    /// now: nil when it may go (it is then counted as accepted), else the 429 to answer
    /// (recorded). Call with the lock held, after every other check passed.
    func floodControlLocked(_ method: String, _ parameters: [String: String], chat: Int64) -> HTTPResponse? {
        let now = monotonicSeconds()
        if let retryAfter = state.floodControl?.admit(chat: chat, at: now) {
            return tooManyRequestsLocked(method, parameters, chat: chat, retryAfter: retryAfter)
        }
        state.acceptedSends.append(AcceptedSend(chatID: chat, method: method, at: now))
        return nil
    }

    /// The same for a call that creates `count` messages at once (copyMessages): all of them are
    /// admitted, or none is (a refused call counts nothing) and the 429 is for the first that does not fit.
    func floodControlLocked(_ method: String, _ parameters: [String: String], chat: Int64, count: Int) -> HTTPResponse? {
        if count == 1 { return floodControlLocked(method, parameters, chat: chat) }
        let now = monotonicSeconds()
        if var trial = state.floodControl {
            for _ in 0..<count {
                if let retryAfter = trial.admit(chat: chat, at: now) {
                    return tooManyRequestsLocked(method, parameters, chat: chat, retryAfter: retryAfter)
                }
            }
            state.floodControl = trial
        }
        for _ in 0..<count { state.acceptedSends.append(AcceptedSend(chatID: chat, method: method, at: now)) }
        return nil
    }

    private func tooManyRequestsLocked(_ method: String, _ parameters: [String: String], chat: Int64, retryAfter: Int) -> HTTPResponse {
        state.tooManyRequestsSent += 1
        state.tooManyRequestsByChat[chat, default: 0] += 1
        let response = HTTPResponse.error(429, "Too Many Requests: retry after \(retryAfter)", retryAfter: retryAfter)
        recordLocked(method, parameters, response.status)
        return response
    }
}

/// What a Bot API call can end with, classified for the caller's decision (retry, pause,
/// drop, stop). Descriptions never contain the token.
public enum BotAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401: the token is wrong or revoked. Stop; do not retry.
    case unauthorized
    /// 404: wrong token shape or unknown method: a configuration bug.
    case notFound
    /// 409: another poller or a webhook.
    case conflict(String)
    /// 429: wait this many seconds, then retry the same request.
    case tooManyRequests(retryAfter: Int)
    /// 403: blocked, deactivated, kicked.
    case forbidden(String)
    /// 400 with Telegram's description.
    case badRequest(String)
    /// 5xx, or another status, with the start of the body (often HTML).
    case server(status: Int, body: String)
    /// No response: could not connect (nothing was sent).
    case connect(String)
    /// No response after the request may have been sent (timeout, dropped connection).
    case noResponse(String)
    case cancelled
    /// The response was not the JSON expected.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .unauthorized: "401 Unauthorized: the bot token is wrong or was revoked"
        case .notFound: "404 Not Found: the token is malformed or the method does not exist"
        case .conflict(let d): "409 \(d)"
        case .tooManyRequests(let s): "429 Too Many Requests: retry after \(s) s"
        case .forbidden(let d): "403 \(d)"
        case .badRequest(let d): "400 \(d)"
        case .server(let status, _): Self.statusLine(status)
        case .connect(let m): "cannot connect: \(m)"
        case .noResponse(let m): "no response: \(m)"
        case .cancelled: "cancelled"
        case .malformedResponse(let m): "malformed response: \(m)"
        }
    }

    /// One readable line for an HTTP status: "HTTP 502 Bad Gateway". A server error's body
    /// (often a proxy's HTML page) is never part of what operators or logs are shown.
    public static func statusLine(_ status: Int) -> String {
        let phrases = [
            500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
            520: "Unknown Error", 521: "Web Server Is Down", 522: "Connection Timed Out", 523: "Origin Is Unreachable", 524: "A Timeout Occurred",
            408: "Request Timeout", 413: "Payload Too Large", 418: "I'm a teapot",
        ]
        return phrases[status].map { "HTTP \(status) \($0)" } ?? "HTTP \(status)"
    }
}

/// The Telegram bot token. Printing, interpolating or dumping it shows `[REDACTED]`;
/// only `secret` reveals it, for the request path and the log redactor.
public struct BotToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The token itself. Use only to build request paths and to tell the redactor.
    public let secret: String

    /// Accepts `DIGITS:SECRET` (the bot id, a colon, then URL-safe characters); nil otherwise.
    public init?(_ text: String) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard let colon = trimmed.firstIndex(of: ":") else { return nil }
        let id = trimmed[..<colon], rest = trimmed[trimmed.index(after: colon)...]
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && $0.isNumber }), !rest.isEmpty,
            rest.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { return nil }
        secret = trimmed
    }

    /// The bot's numeric id (the part before the colon), safe to show.
    public var botID: String { String(secret.prefix { $0 != ":" }) }

    public var description: String { "[REDACTED]" }
    public var debugDescription: String { "[REDACTED]" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}

/// A payment provider token (from @BotFather's Payments). Like `BotToken`, it shows
/// `[REDACTED]` however it is printed; only `secret` reveals it, for `sendInvoice` and the
/// log redactor. It never comes from bot.json.
public struct PaymentToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let secret: String

    /// Any non-empty token without spaces or control characters (providers' formats differ:
    /// `284685063:TEST:…`, `350862534:LIVE:…`); nil otherwise.
    public init?(_ text: String) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 256, trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return nil }
        secret = trimmed
    }

    public var description: String { "[REDACTED]" }
    public var debugDescription: String { "[REDACTED]" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

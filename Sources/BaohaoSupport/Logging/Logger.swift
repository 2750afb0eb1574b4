public import FoundationEssentials

/// A value attached to a log event.
public enum LogValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, CustomStringConvertible
{
    /// Free text: redacted (secrets, token shapes, long digit runs) before it is written.
    case string(String)
    /// An identifier or count the program produced (chat id, update id): written as is,
    /// since masking would make ids useless. Phone numbers are never logged as `.int`.
    case int(Int64)
    /// `true` or `false`, written as is.
    case bool(Bool)
    /// A measurement, written as Swift prints the `Double`.
    case double(Double)

    /// A string literal is free text (`.string`), redacted when written.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal is an id or count (`.int`).
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A boolean literal (`.bool`).
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    /// Any integer as an id or count.
    public static func id<I: BinaryInteger>(_ value: I) -> LogValue { .int(Int64(value)) }

    /// The value as text, before redaction and quoting.
    public var description: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): String(b)
        case .double(let d): String(d)
        }
    }
}

/// Structured logger: one line per event, `TIMESTAMP level=LEVEL event=NAME key=value ...`,
/// with every string passed through the redactor.
public struct Logger: Sendable {
    /// Events below this level are dropped.
    public var level: LogLevel
    /// Masks secrets and phone numbers in every string value.
    public var redactor: Redactor
    private let sink: any LogSink
    private let now: @Sendable () -> Double

    /// - Parameters:
    ///   - now: Unix time in seconds; injectable for tests.
    public init(
        level: LogLevel = .info, sink: any LogSink = StandardErrorLogSink(), redactor: Redactor = Redactor(),
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.level = level
        self.sink = sink
        self.redactor = redactor
        self.now = now
    }

    /// True when an event at `level` would be written.
    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Logs `event` at debug level (see `log`).
    public func debug(_ event: String, _ metadata: KeyValuePairs<String, LogValue> = [:]) { log(.debug, event, metadata) }
    /// Logs `event` at info level (see `log`).
    public func info(_ event: String, _ metadata: KeyValuePairs<String, LogValue> = [:]) { log(.info, event, metadata) }
    /// Logs `event` at warning level (see `log`).
    public func warning(_ event: String, _ metadata: KeyValuePairs<String, LogValue> = [:]) { log(.warning, event, metadata) }
    /// Logs `event` at error level (see `log`).
    public func error(_ event: String, _ metadata: KeyValuePairs<String, LogValue> = [:]) { log(.error, event, metadata) }

    /// Writes one event with its key=value pairs in the given order.
    public func log(_ level: LogLevel, _ event: String, _ metadata: KeyValuePairs<String, LogValue>) {
        guard isEnabled(level) else { return }
        var line = UTCTimestamp.format(secondsSinceEpoch: now())
        line += " level=\(level) event=\(Self.quoted(redactor.redact(event)))"
        for (key, value) in metadata {
            line += " \(key)="
            switch value {
            case .string(let text): line += Self.quoted(redactor.redact(text))
            default: line += value.description
            }
        }
        sink.write(line: line)
    }

    /// The value as it appears after `key=`: bare when safe, otherwise double-quoted with
    /// `\"`, `\\`, `\n`, `\t` and `\u{XX}` escapes, so one event stays on one line.
    static func quoted(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "=" || scalar == "\"" || scalar == "\\" || scalar.value < 0x20
                || scalar.value == 0x7F || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator
        }
        guard needsQuotes else { return text }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

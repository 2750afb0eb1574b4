public import Storage
public import BaohaoSupport

/// A value `bot_state` keeps, stored as text.
public protocol BotStateValue: Sendable {
    init?(botStateText: String)
    var botStateText: String { get }
}

extension Int64: BotStateValue {
    public init?(botStateText: String) { self.init(botStateText) }
    public var botStateText: String { String(self) }
}

extension CivilDate: BotStateValue {
    public init?(botStateText: String) { self.init(iso: botStateText) }
    public var botStateText: String { description }
}

/// The one owner of the `bot_state` table: small values that outlive a process, each under a
/// typed key. Runs in the caller's transaction; times are the caller's.
public enum BotState {
    /// A key and the type of its value.
    public struct Key<Value: BotStateValue>: Sendable, Equatable {
        public let name: String
    }

    /// The stored value; nil when there is none (or it does not read as `Value`).
    public static func value<Value>(_ db: any Connection, _ key: Key<Value>) throws -> Value? {
        try db.queryFirst("SELECT value FROM bot_state WHERE key = ?", key.name) { Value(botStateText: $0.string(0)) } ?? nil
    }

    /// Stores `value` under `key`.
    public static func set<Value>(_ db: any Connection, _ key: Key<Value>, to value: Value, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, key.name, value.botStateText, now.description)
    }

    /// Stores `value` unless the stored one is at least as large: the value only moves forward.
    public static func advance(_ db: any Connection, _ key: Key<Int64>, to value: Int64, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            WHERE CAST(bot_state.value AS BIGINT) < CAST(excluded.value AS BIGINT)
            """, key.name, value.botStateText, now.description)
    }

    /// Adds one to the stored value (1 when there is none).
    public static func increment(_ db: any Connection, _ key: Key<Int64>, at now: Instant) throws {
        try db.execute(
            """
            INSERT INTO bot_state (key, value, updated_at) VALUES (?, '1', ?)
            ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(bot_state.value AS BIGINT) + 1 AS TEXT), updated_at = excluded.updated_at
            """, key.name, now.description)
    }
}

extension BotState.Key<Int64> {
    /// One past the last Telegram update handled: where polling resumes.
    public static var telegramOffset: Self { Self(name: "telegram.offset") }
    /// Grows with every FAQ change, so a running bot can tell it must reload.
    public static var faqGeneration: Self { Self(name: "faq.generation") }
    /// 1 once the FAQ was brought to the grouping with variants (`FAQRegroup`), which runs once.
    public static var faqRegrouped: Self { Self(name: "faq.regrouped") }
    /// When `baohao run` last proved the database writable (milliseconds since the epoch):
    /// the health probe rewrites it every few seconds.
    public static var healthProbe: Self { Self(name: "health.probe") }
}

extension BotState.Key<CivilDate> {
    /// The UTC day the operators' digest was last queued.
    public static var lastDigestDay: Self { Self(name: "alerts.digest_last_day") }
}

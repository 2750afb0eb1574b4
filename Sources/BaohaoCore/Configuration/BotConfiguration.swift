public import Storage
public import Understanding
public import BaohaoSupport

/// Everything the bot can be configured with. Every field has a default, so an empty
/// `bot.json` (or none) is a valid configuration. This is the one place the defaults are
/// declared: the settings derived from it (`AssistantSettings`, `TelegramBot.Settings`,
/// `SendScheduler.Limits`) take their values only through `init(configuration:)`. Fields
/// marked "not in bot.json" are fixed at their defaults outside tests and benchmarks.
public struct BotConfiguration: Sendable, Equatable {
    /// Bot API base URL, without a trailing slash; requests go to `BASE/bot<token>/<method>`.
    public var apiBaseURL = "https://api.telegram.org"
    /// The bot token, from `BOT_TOKEN` or the file `tokenFile` names; nil means console mode.
    public var token: BotToken?
    /// A file holding the token (for systemd's credentials or a secrets mount).
    public var tokenFile: String?
    /// The SQLite database file.
    public var databasePath = "baohao.sqlite"
    /// `databasePath` as a location: a SQLite file, or a PostgreSQL server (`postgres://…`).
    /// Print this, never `databasePath`: it masks a password.
    public var database: DatabaseLocation { DatabaseLocation(databasePath) }
    /// getUpdates long-poll timeout, seconds (1...50).
    public var pollTimeoutSeconds = 50
    /// How long `baohao run` waits for another instance on the same database to stop (a
    /// restart overlapping a draining process) before it gives up, seconds (0...300).
    public var instanceWaitSeconds = 15
    /// On PostgreSQL: how long the leader lease lasts without a renewal (`lease_ttl_seconds`).
    /// A standby takes over this long after a leader stops renewing; the leader stops acting
    /// a fifth of it earlier.
    public var leaseTTLSeconds = 10
    /// Telegram user ids with operator rights from the start.
    public var operators: [Int64] = []
    /// The chat that receives operator notifications (cancellations, digests).
    public var operatorChatID: Int64?
    /// Lowest log level written.
    public var logLevel: LogLevel = .info
    /// Language for chats whose language cannot be told from their messages.
    public var defaultLanguage: Language = .zhHans
    /// Folder with intents, synonyms and the seed FAQ.
    public var intentsDirectory = "Intents"
    /// The bot's Telegram username (without @), for `https://t.me/<name>?start=CODE` links.
    public var botUsername = "BaohaoBot"
    /// The carrier and plan catalogue.
    public var carriersFile = "Config/carriers.json"
    /// Labelled questions (`{"text", "intent"}` per line) replayed before every FAQ change, with
    /// those stored in the database (the regression gate). Shipped in `Intents/`; a missing,
    /// unreadable or malformed file stops the commands that gate (`run`, `chat`, `faq import`,
    /// `faq rollback`) with exit 78.
    public var regressionSetFile = "Intents/regression.jsonl"
    /// Template of the payment link of a renewal order; `{ref}` is replaced by the order reference.
    public var paymentLinkTemplate = "https://pay.example.com/order/{ref}"
    /// How long a question such as "confirm the cancellation?" stays answerable, seconds
    /// (not in bot.json).
    /// How long the carrier a conversation was about (named, pointed at, or chosen) decides
    /// whose answer a question gets, seconds.
    public var carrierMemorySeconds = 30 * 60
    public var flowTimeoutSeconds = 15 * 60
    public var understanding = UnderstandingSettings()
    public var alerts = AlertSettings()
    public var rateLimits = RateLimitSettings()
    public var delivery = DeliverySettings()
    public var tickets = TicketSettings()
    public var payments = PaymentSettings()
    public var metrics = MetricsSettings()
    public var telegram = TelegramSettings()

    public init() {}
}

/// How long a message is worth delivering while sends fail in a way that may pass (5xx, no
/// response): after that it is given up as a dead letter, saying so.
public struct DeliverySettings: Sendable, Equatable {
    /// A reply to a customer's message, seconds (6 h).
    public var replyTTLSeconds = 6 * 3600
    /// Anything else (reminders, notices), seconds (24 h).
    public var otherTTLSeconds = 24 * 3600

    public init() {}
}

/// Renewals paid in the chat (Telegram Payments). Off unless `mode` says otherwise; then a
/// customer who picks a renewal option gets an invoice instead of the payment link.
public struct PaymentSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable {
        /// The payment link of `paymentLinkTemplate`, as before.
        case off
        /// A payment provider connected in @BotFather, in the option's own currency.
        case provider
        /// Telegram Stars (`XTR`), at each option's `stars` price in the catalogue.
        case stars
    }

    /// `payments.mode`.
    public var mode: Mode = .off
    /// The provider's token: from `BAOHAO_PAYMENT_TOKEN`, or the file `payment_token_file`
    /// names, never from bot.json. Required in provider mode.
    public var providerToken: PaymentToken?
    public var tokenFile: String?
    /// How long an order can be paid, seconds (`payments.order_ttl`, default 24 h).
    public var orderTTLSeconds = 24 * 3600

    public init() {}
}

/// How the operators' tickets are watched and when a closed one comes back.
public struct TicketSettings: Sendable, Equatable {
    /// An open ticket unanswered this long is flagged in its topic, minutes (first and next response).
    public var flagAfterMinutes = 10
    /// … and this long, in the operators' chat's general topic, minutes.
    public var escalateAfterMinutes = 30
    /// A customer who writes within this long of their ticket being closed reopens it (the
    /// message goes to the operators); later, the bot answers as usual, hours.
    public var reopenWithinHours = 24
    /// How often open tickets are checked against the timers, seconds (not in bot.json).
    public var checkIntervalSeconds = 30

    public init() {}
}

/// Where `baohao run` serves `GET /healthz` and `GET /metrics` for the people who run it.
/// Off unless `listen` is set. The endpoints have no authentication, so the address must be a
/// loopback one (only this machine can connect) unless `allowRemote` says otherwise; the
/// loader refuses any other.
public struct MetricsSettings: Sendable, Equatable {
    /// The address to listen on (`metrics.listen`: `9464` means 127.0.0.1:9464); nil serves nothing.
    public var listen: ListenAddress?
    /// True lets `listen` be an address other machines can reach (`metrics.allow_remote`),
    /// for a scraper elsewhere behind a firewall the operator controls.
    public var allowRemote = false

    public init() {}
}

/// How sure the understanding must be before it answers.
public struct UnderstandingSettings: Sendable, Equatable {
    /// Below this confidence (0...1) a message is out of scope.
    public var confidenceThreshold = 0.18
    /// When the two best answers differ by less than this (0...1), the bot asks which one.
    public var clarifyMargin = 0.08

    public init() {}
}

/// When expiry alerts are looked for and when they may be delivered.
public struct AlertSettings: Sendable, Equatable {
    /// How often the scheduler looks for due alerts, seconds.
    public var checkIntervalSeconds = 60
    /// Start of quiet hours, minutes after local midnight (default 22:00).
    public var quietHoursStartMinute = 22 * 60
    /// End of quiet hours, minutes after local midnight (default 08:00).
    public var quietHoursEndMinute = 8 * 60
    /// Local time of the operators' daily digest, minutes after midnight (default 09:00).
    public var digestMinute = 9 * 60

    public init() {}
}

/// Telegram's sending limits, as the sender enforces them.
public struct RateLimitSettings: Sendable, Equatable {
    /// False turns every limit off (only for a local Bot API double, e.g. the benchmark):
    /// `ConfigurationLoader` refuses it unless `apiBaseURL` is a loopback address.
    public var enabled = true
    /// Messages per second to one chat.
    public var perChatPerSecond = 1.0
    /// Messages per second overall.
    public var globalPerSecond = 30.0
    /// Messages per minute to one group chat.
    public var perGroupPerMinute = 20
    /// Messages one private chat may get at once before the per-second rate applies (not in bot.json).
    public var perChatBurst = 3.0
    /// Messages one group may get at once before the per-minute rate applies (not in bot.json).
    public var perGroupBurst = 1.0
    // The overall burst is one second's worth of `globalPerSecond`.

    public init() {}
}

/// How the Telegram runtime polls, sends and stops. None of these is in bot.json.
public struct TelegramSettings: Sendable, Equatable {
    /// Bot API clients for sending, each its own connection and thread (`baohao run` and
    /// `alerts run-once`).
    public var senderClients = 2
    /// On shutdown, how long pending replies may still be sent, seconds.
    public var drainSeconds = 10.0
    /// A poll running this long past its own timeout is abandoned and restarted, seconds.
    public var watchdogMarginSeconds = 30.0
    /// The longest wait before retrying a failed poll or start-up call, seconds (the waits
    /// double from 1 s).
    public var maximumBackoffSeconds = 60.0
    /// How often the database is checked for FAQ changes made elsewhere (the command line), seconds.
    public var faqCheckIntervalSeconds = 2.0
    /// How often the bot probes its database with a small write and reads the outbox depth
    /// and the open tickets for `/healthz` and `/metrics`, seconds.
    public var healthProbeIntervalSeconds = 5.0
    /// `/healthz` is unhealthy when this many Bot API requests in a row failed (getUpdates
    /// and sends; a 429 is an answer, not a failure).
    public var healthAPIFailureLimit = 5
    /// `/healthz` is unhealthy when the oldest pending outbox item has waited longer, seconds.
    public var healthOutboxStaleSeconds = 1800.0

    public init() {}
}

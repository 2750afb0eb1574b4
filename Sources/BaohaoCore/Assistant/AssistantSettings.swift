public import Understanding

/// What the assistant needs from the configuration, which holds the defaults
/// (`BotConfiguration`).
public struct AssistantSettings: Sendable, Equatable {
    /// Telegram user ids allowed to use operator commands (besides those added with /op add).
    public var operators: Set<Int64>
    /// Where tickets, cancellation requests and other notices go.
    public var operatorChatID: Int64?
    /// The payment link of a renewal order; `{ref}` becomes the order reference.
    public var paymentLinkTemplate: String
    public var defaultLanguage: Language
    /// How long a question such as "confirm the cancellation?" stays answerable.
    public var flowTimeoutSeconds: Int64
    /// How long the carrier a conversation was about still decides whose answer it gets.
    public var carrierMemorySeconds: Int64
    /// Quiet hours shown when a chat has not chosen its own (minutes after midnight).
    public var quietStartMinute: Int
    public var quietEndMinute: Int
    /// When the operators' daily digest goes out (minutes after midnight, UTC).
    public var digestMinute: Int
    /// The labelled questions file replayed before FAQ changes (nil: only stored ones).
    public var regressionSetFile: String?
    /// Ticket timers and reopening.
    public var tickets: TicketSettings
    /// The bot's username, for links that open a private chat with it.
    public var botUsername: String
    /// Invoices instead of the payment link (provider or Stars), or off.
    public var paymentMode: PaymentSettings.Mode
    /// How long an order can be paid.
    public var orderTTLSeconds: Int64

    public init(configuration c: BotConfiguration) {
        operators = Set(c.operators)
        operatorChatID = c.operatorChatID
        paymentLinkTemplate = c.paymentLinkTemplate
        defaultLanguage = c.defaultLanguage
        flowTimeoutSeconds = Int64(c.flowTimeoutSeconds)
        carrierMemorySeconds = Int64(c.carrierMemorySeconds)
        quietStartMinute = c.alerts.quietHoursStartMinute
        quietEndMinute = c.alerts.quietHoursEndMinute
        digestMinute = c.alerts.digestMinute
        regressionSetFile = c.regressionSetFile
        tickets = c.tickets
        botUsername = c.botUsername
        paymentMode = c.payments.mode
        orderTTLSeconds = Int64(c.payments.orderTTLSeconds)
    }
}

import Understanding

/// What the assistant needs from the configuration. Every field has a default.
public struct AssistantSettings: Sendable, Equatable {
    /// Telegram user ids allowed to use operator commands (/reply, /close).
    public var operators: Set<Int64> = []
    /// Where tickets, cancellation requests and other notices go.
    public var operatorChatID: Int64?
    /// The payment link of a renewal order; `{ref}` becomes the order reference.
    public var paymentLinkTemplate = "https://pay.example.com/order/{ref}"
    public var defaultLanguage: Language = .zhHans
    /// How long a question such as "confirm the cancellation?" stays answerable.
    public var flowTimeoutSeconds: Int64 = 15 * 60
    /// Quiet hours shown when a chat has not chosen its own (minutes after midnight).
    public var quietStartMinute = 22 * 60
    public var quietEndMinute = 8 * 60
    /// When the operators' daily digest goes out (minutes after midnight, UTC).
    public var digestMinute = 9 * 60

    public init() {}

    public init(configuration c: BotConfiguration) {
        operators = Set(c.operators)
        operatorChatID = c.operatorChatID
        paymentLinkTemplate = c.paymentLinkTemplate
        defaultLanguage = c.defaultLanguage
        quietStartMinute = c.alerts.quietHoursStartMinute
        quietEndMinute = c.alerts.quietHoursEndMinute
        digestMinute = c.alerts.digestMinute
    }
}

/// What the assistant knows: the classifier, the FAQ answers and the reply templates.
/// Replaced whole when operators change the FAQ.
public struct AssistantKnowledge: Sendable {
    public let classifier: Classifier
    public let faq: [FAQEntry]
    public let replies: ReplyBook
    let faqByID: [String: FAQEntry]
    let detector: LanguageDetector

    public init(classifier: Classifier, faq: [FAQEntry], replies: ReplyBook, traditionalToSimplified: CharacterMap) {
        self.classifier = classifier
        self.faq = faq
        self.replies = replies
        faqByID = Dictionary(faq.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        detector = LanguageDetector(traditionalToSimplified: traditionalToSimplified)
    }
}

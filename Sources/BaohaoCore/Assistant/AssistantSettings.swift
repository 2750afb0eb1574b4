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
    /// Quiet hours shown when a chat has not chosen its own (minutes after midnight).
    public var quietStartMinute: Int
    public var quietEndMinute: Int
    /// When the operators' daily digest goes out (minutes after midnight, UTC).
    public var digestMinute: Int
    /// The labelled questions file replayed before FAQ changes (nil: only stored ones).
    public var regressionSetFile: String?

    public init(configuration c: BotConfiguration) {
        operators = Set(c.operators)
        operatorChatID = c.operatorChatID
        paymentLinkTemplate = c.paymentLinkTemplate
        defaultLanguage = c.defaultLanguage
        flowTimeoutSeconds = Int64(c.flowTimeoutSeconds)
        quietStartMinute = c.alerts.quietHoursStartMinute
        quietEndMinute = c.alerts.quietHoursEndMinute
        digestMinute = c.alerts.digestMinute
        regressionSetFile = c.regressionSetFile
    }
}

/// What the assistant knows: the classifier, the FAQ answers and the reply templates.
/// Replaced whole when operators change the FAQ.
/// Immutable, and shared rather than copied: every prepared message and every turn holds it,
/// and a class costs one retain where a struct of these fields costs one per field.
public final class AssistantKnowledge: Sendable {
    public let classifier: Classifier
    public let faq: [FAQEntry]
    public let replies: ReplyBook
    let faqByID: [String: FAQEntry]
    let detector: LanguageDetector
    /// The database's FAQ generation this knowledge was built from (0: from the files only).
    public let faqGeneration: Int64

    /// `faqGeneration`: the database's FAQ generation `faq` was read at (0 for the files alone).
    public convenience init(classifier: Classifier, faq: [FAQEntry], replies: ReplyBook, traditionalToSimplified: CharacterMap, faqGeneration: Int64 = 0) {
        self.init(
            classifier: classifier, faq: faq, replies: replies, detector: LanguageDetector(traditionalToSimplified: traditionalToSimplified),
            faqGeneration: faqGeneration)
    }

    private init(classifier: Classifier, faq: [FAQEntry], replies: ReplyBook, detector: LanguageDetector, faqGeneration: Int64) {
        self.classifier = classifier
        self.faq = faq
        self.replies = replies
        faqByID = Dictionary(faq.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.detector = detector
        self.faqGeneration = faqGeneration
    }

    /// The same knowledge answering from `faq` (only the retrieval index is rebuilt).
    public func replacingFAQ(_ faq: [FAQEntry], generation: Int64) -> AssistantKnowledge {
        AssistantKnowledge(
            classifier: classifier.replacingFAQ(faq.map(\.document)), faq: faq, replies: replies, detector: detector, faqGeneration: generation)
    }
}

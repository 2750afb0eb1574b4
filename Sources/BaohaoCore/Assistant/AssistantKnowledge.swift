public import Understanding

/// What the assistant knows: the classifier, the FAQ answers and the reply templates.
/// Replaced whole when operators change the FAQ.
/// Immutable, and shared rather than copied: every prepared message and every turn holds it,
/// and a class costs one retain where a struct of these fields costs one per field.
public final class AssistantKnowledge: Sendable {
    public let classifier: Classifier
    public let faq: [FAQEntry]
    public let replies: ReplyBook
    let faqByID: [String: FAQEntry]
    /// The entry each variant id belongs to.
    let entryOfVariant: [String: String]
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
        entryOfVariant = Dictionary(faq.flatMap { entry in entry.variants.map { ($0.id, entry.id) } }, uniquingKeysWith: { a, _ in a })
        self.detector = detector
        self.faqGeneration = faqGeneration
    }

    /// The answer with `id`: an entry's own, or a variant's (old buttons and stored
    /// references name entries that became variants by their old ids).
    func faqAnswer(_ id: String) -> FAQAnswer? {
        if let entry = faqByID[id] { return FAQAnswer(entry) }
        return entryOfVariant[id].flatMap { faqByID[$0]?.answer(id: id) }
    }

    /// The same knowledge answering from `faq` (only the retrieval index is rebuilt).
    public func replacingFAQ(_ faq: [FAQEntry], generation: Int64) -> AssistantKnowledge {
        AssistantKnowledge(
            classifier: classifier.replacingFAQ(faq.map(\.document)), faq: faq, replies: replies, detector: detector, faqGeneration: generation)
    }
}

/// A whole FAQ entry as the data files hold it: what matching needs plus the answers.
public struct FAQEntry: Sendable, Equatable {
    public let id: String
    public let topic: String
    public let regions: [String]
    public let carriers: [String]
    /// The canonical question per language.
    public let question: [Language: String]
    public let phrasings: [String]
    /// The answer per language, in Telegram's HTML subset. A missing language was left out on purpose.
    public let answer: [Language: String]
    /// Languages whose answer was left out on purpose (customers writing in them get another language's answer).
    public let leftOut: Set<Language>
    public let threshold: Double?

    public init(
        id: String, topic: String, regions: [String] = [], carriers: [String] = [], question: [Language: String],
        phrasings: [String], answer: [Language: String], leftOut: Set<Language> = [], threshold: Double? = nil
    ) {
        self.id = id
        self.topic = topic
        self.regions = regions
        self.carriers = carriers
        self.question = question
        self.phrasings = phrasings
        self.answer = answer
        self.leftOut = leftOut
        self.threshold = threshold
    }

    /// The entry as matching sees it.
    public var document: FAQDocument {
        FAQDocument(
            id: id, topic: topic, questions: Language.allCases.compactMap { question[$0] } + phrasings,
            carriers: carriers, regions: regions, threshold: threshold)
    }
}

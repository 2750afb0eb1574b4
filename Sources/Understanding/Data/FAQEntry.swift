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
    /// The answers for particular carriers or regions within the entry's scope; `answer`
    /// is the one for everyone else (generic when the entry has no tags). Most specific first
    /// is not required: `variant(for:)` picks by specificity.
    public let variants: [FAQVariant]

    public init(
        id: String, topic: String, regions: [String] = [], carriers: [String] = [], question: [Language: String],
        phrasings: [String], answer: [Language: String], leftOut: Set<Language> = [], threshold: Double? = nil, variants: [FAQVariant] = []
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
        self.variants = variants
    }

    /// The entry as matching sees it.
    public var document: FAQDocument {
        FAQDocument(
            id: id, topic: topic, questions: Language.allCases.compactMap { question[$0] } + phrasings,
            carriers: carriers, regions: regions, threshold: threshold)
    }
}

/// One carrier's or region's answer to an FAQ entry's question. Its id is unique among all
/// entries' and variants' ids (an entry absorbed into another keeps its id as the variant's,
/// so stored references and old buttons still resolve).
public struct FAQVariant: Sendable, Equatable {
    public let id: String
    public let regions: [String]
    public let carriers: [String]
    /// The answer per language, in Telegram's HTML subset.
    public let answer: [Language: String]
    /// Languages left out on purpose.
    public let leftOut: Set<Language>

    public init(id: String, regions: [String] = [], carriers: [String] = [], answer: [Language: String], leftOut: Set<Language> = []) {
        self.id = id
        self.regions = regions
        self.carriers = carriers
        self.answer = answer
        self.leftOut = leftOut
    }

    /// The scope as operators write it: carriers and regions, space-separated (`3hk`, `HK`).
    public var scope: String { (carriers + regions).joined(separator: " ") }
}

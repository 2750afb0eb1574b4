/// Example utterances of one action intent (or of the out-of-scope fallback).
public struct IntentExamples: Sendable, Equatable {
    /// An action intent's raw value, or `out_of_scope`.
    public let intent: String
    public let examples: [String]

    public init(intent: String, examples: [String]) {
        self.intent = intent
        self.examples = examples
    }
}

/// What matching needs to know of an FAQ entry.
public struct FAQDocument: Sendable, Equatable {
    public let id: String
    /// The label a match on this entry counts as.
    public let topic: String
    /// The canonical question in each language, then the alternate phrasings.
    public let questions: [String]
    /// Carrier ids the entry is about; empty for all carriers.
    public let carriers: [String]
    /// Regions (US, HK, UK) the entry is about; empty for all.
    public let regions: [String]
    /// A confidence threshold for this entry, overriding the global one.
    public let threshold: Double?

    public init(id: String, topic: String, questions: [String], carriers: [String] = [], regions: [String] = [], threshold: Double? = nil) {
        self.id = id
        self.topic = topic
        self.questions = questions
        self.carriers = carriers
        self.regions = regions
        self.threshold = threshold
    }
}

/// A group of words that mean one thing for matching.
public struct SynonymGroup: Sendable, Equatable {
    public let concept: String
    public let terms: [String]

    public init(concept: String, terms: [String]) {
        self.concept = concept
        self.terms = terms
    }
}

/// A hand-written nudge where statistics alone cannot tell: when the message has any of
/// `whenAny` (concepts) and none of `unlessAny`, candidates labelled `label` gain `boost`.
public struct CueRule: Sendable, Equatable {
    public let whenAny: [String]
    public let unlessAny: [String]
    public let label: String
    public let boost: Double

    public init(whenAny: [String], unlessAny: [String] = [], label: String, boost: Double) {
        self.whenAny = whenAny
        self.unlessAny = unlessAny
        self.label = label
        self.boost = boost
    }
}

/// A carrier's id and every name customers call it by.
public struct CarrierNames: Sendable, Equatable {
    public let id: String
    public let names: [String]

    public init(id: String, names: [String]) {
        self.id = id
        self.names = names
    }
}

/// Everything the understanding is built from.
public struct UnderstandingData: Sendable {
    public var traditionalToSimplified: CharacterMap
    /// Cantonese/HK phrase → standard written Chinese, as written in the data file.
    public var phrases: [(from: String, to: String)]
    public var synonyms: [SynonymGroup]
    public var intents: [IntentExamples]
    public var faq: [FAQDocument]
    public var cues: [CueRule]
    public var carriers: [CarrierNames]
    /// Messages taught to the learned models only (`Intents/training/`).
    public var training: [LabelledUtterance]
    /// Pinyin word (syllables together or apart) → the Chinese it spells.
    public var pinyin: [(from: String, to: String)]

    public init(
        traditionalToSimplified: CharacterMap = CharacterMap(), phrases: [(from: String, to: String)] = [],
        synonyms: [SynonymGroup] = [], intents: [IntentExamples] = [], faq: [FAQDocument] = [],
        cues: [CueRule] = [], carriers: [CarrierNames] = [], training: [LabelledUtterance] = [],
        pinyin: [(from: String, to: String)] = []
    ) {
        self.training = training
        self.pinyin = pinyin
        self.traditionalToSimplified = traditionalToSimplified
        self.phrases = phrases
        self.synonyms = synonyms
        self.intents = intents
        self.faq = faq
        self.cues = cues
        self.carriers = carriers
    }
}

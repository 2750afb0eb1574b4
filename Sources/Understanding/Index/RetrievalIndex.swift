import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a match can lead to.
public enum MatchTarget: Sendable, Hashable, CustomStringConvertible {
    case intent(ActionIntent)
    case faq(String)
    case outOfScope

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
    // Postings by term (documents and normalized weights).
    let postingStart: [Int32]
    let postingDocument: [Int32]
    let postingWeight: [Float]
    // Forward index by document (terms and weights), for exact rescoring.
    let forwardStart: [Int32]
    let forwardTerm: [Int32]
    let forwardWeight: [Float]
    /// Length of the sum of each target's (normalized) document vectors.
    let targetNorm: [Float]
    /// Naive Bayes: log(count + α), label-major (`[label * termCount + term]`), and each
    /// label's log denominator.
    let labelLogLikelihood: [Float]
    let labelLogDenominator: [Float]
    private let scratch: ScratchPool

    public var documentCount: Int { documentTarget.count }
    public var targetCount: Int { targets.count }

    /// Builds the index from intent examples, out-of-scope examples and FAQ documents.
    public init(intents: [IntentExamples], faq: [FAQDocument], normalizer: TextNormalizer, tokenizer: Tokenizer, weights: Weights = Weights()) {
        self.weights = weights
        // Targets, labels and carrier bits, in a fixed order: intents, the fallback, FAQ entries.
        var sources: [(target: MatchTarget, label: String, threshold: Double?, carriers: [String], texts: [String])] = []
        for examples in intents {
            if examples.intent == Labels.outOfScope {
                sources.append((.outOfScope, Labels.outOfScope, nil, [], examples.examples))
            } else if let intent = ActionIntent(rawValue: examples.intent) {
                sources.append((.intent(intent), intent.rawValue, nil, [], examples.examples))
            }
        }
        for entry in faq { sources.append((.faq(entry.id), entry.topic, entry.threshold, entry.carriers, entry.questions)) }
        var targets: [TargetInfo] = []
        targets.reserveCapacity(sources.count)
        var labelIDs: [String: Int32] = [:]
        var labels: [String] = []
        var carrierBits: [String: UInt64] = [:]
        var texts: [(target: Int32, text: String)] = []
        for source in sources {
            var mask: UInt64 = 0
            for carrier in source.carriers {
                if carrierBits[carrier] == nil, carrierBits.count < 64 { carrierBits[carrier] = 1 << UInt64(carrierBits.count) }
                mask |= carrierBits[carrier] ?? 0
            }
            let labelID: Int32
            if let id = labelIDs[source.label] { labelID = id } else {
                labelID = Int32(labels.count)
                labels.append(source.label)
                labelIDs[source.label] = labelID
            }
            let index = Int32(targets.count)
            targets.append(TargetInfo(target: source.target, label: source.label, labelID: labelID, threshold: source.threshold, carriers: source.carriers, carrierMask: mask))
            for text in source.texts { texts.append((index, text)) }
        }
        // Tokenize and count terms on all cores (worker-local term ids), then merge the
        // workers' vocabularies into one and renumber each row.
        var counted = Self.tokenizeAndCount(texts.map(\.text), normalizer: normalizer, tokenizer: tokenizer)
        var vocabulary = IntegerTable(EmptyCollection(), minimumCapacity: 8192)
        var df: [Int32] = []
        var kinds: [Token.Kind] = []
        let globalIDs: [[Int32]] = counted.vocabularies.map { local in
            local.map { raw in
                vocabulary.value(for: raw) {
                    df.append(0)
                    kinds.append(Token(raw: raw).kind)
                    return Int32(df.count - 1)
                }
            }
        }
        var documentTarget: [Int32] = []
        var documentText: [String] = []
        var documentTerms: [[(term: Int32, tf: Int32)]] = []
        documentTarget.reserveCapacity(texts.count)
        documentText.reserveCapacity(texts.count)
        documentTerms.reserveCapacity(texts.count)
        for i in counted.rows.indices where !counted.rows[i].isEmpty {
            var terms: [(term: Int32, tf: Int32)] = []
            swap(&terms, &counted.rows[i])  // take the row without copying it
            globalIDs[i % globalIDs.count].withUnsafeBufferPointer { map in
                df.withUnsafeMutableBufferPointer { frequency in
                    for k in terms.indices {
                        let global = map[Int(terms[k].term)]
                        terms[k].term = global
                        frequency[Int(global)] += 1
                    }
                }
            }
            documentTarget.append(texts[i].target)
            documentText.append(texts[i].text)
            documentTerms.append(terms)
        }
        self.targets = targets
        self.labels = labels
        self.carrierBits = carrierBits
        self.documentTarget = documentTarget
        self.documentText = documentText
        let n = Float(max(documentTerms.count, 1))
        let idf = df.map { logf(1 + n / Float($0)) }
        self.vocabulary = vocabulary
        self.idf = idf
        self.documentFrequency = df
        self.maximumIDF = logf(1 + n)

        // Normalized, weighted document vectors: the forward rows.
        var forwardStart: [Int32] = [0]
        var forwardTerm: [Int32] = []
        var forwardWeight: [Float] = []
        forwardStart.reserveCapacity(documentTerms.count + 1)
        let tfWeight = (0..<64).map { $0 == 0 ? Float(0) : 1 + logf(Float($0)) }
        forwardTerm.reserveCapacity(documentTerms.count * 24)
        forwardWeight.reserveCapacity(documentTerms.count * 24)
        let termWeight = (0..<df.count).map { weights.weight(kinds[$0]) * idf[$0] }
        for terms in documentTerms {
            var norm: Float = 0
            let base = forwardWeight.count
            for (term, tf) in terms {
                let w = termWeight[Int(term)] * (tf < 64 ? tfWeight[Int(tf)] : 1 + logf(Float(tf)))
                forwardTerm.append(term)
                forwardWeight.append(w)
                norm += w * w
            }
            norm = sqrtf(norm)
            if norm > 0 { for k in base..<forwardWeight.count { forwardWeight[k] /= norm } }
            forwardStart.append(Int32(forwardWeight.count))
        }
        self.forwardStart = forwardStart
        self.forwardTerm = forwardTerm
        self.forwardWeight = forwardWeight

        // Postings: invert the forward rows. Unigrams in more than 1/80 of the documents
        // (characters such as 我, 号, 卡) and any term in more than 1/8 get no postings: they
        // still count in every norm, but adding them up costs more than the little they tell
        // apart (measured: accuracy on the development and held-out sets moves by less than one
        // utterance).
        let commonUnigram = Int32(max(20, documentTerms.count / 80))
        let commonTerm = Int32(max(100, documentTerms.count / 8))
        let posted = (0..<df.count).map { (kinds[$0] != .unigram || df[$0] <= commonUnigram) && df[$0] <= commonTerm }
        var counts = [Int32](repeating: 0, count: df.count + 1)
        for term in forwardTerm where posted[Int(term)] { counts[Int(term) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        var fill = counts
        var postingDocument = [Int32](repeating: 0, count: Int(counts[df.count]))
        var postingWeight = [Float](repeating: 0, count: Int(counts[df.count]))
        for d in 0..<documentTerms.count {
            for k in Int(forwardStart[d])..<Int(forwardStart[d + 1]) where posted[Int(forwardTerm[k])] {
                let term = Int(forwardTerm[k])
                let slot = Int(fill[term])
                postingDocument[slot] = Int32(d)
                postingWeight[slot] = forwardWeight[k]
                fill[term] += 1
            }
        }
        self.postingStart = counts
        self.postingDocument = postingDocument
        self.postingWeight = postingWeight

        // Centroid norms: ||Σ d|| over each target's documents (rows merged by term).
        var targetNorm = [Float](repeating: 0, count: targets.count)
        var accumulator = [Float](repeating: 0, count: df.count)
        var touched: [Int32] = []
        var d = 0
        while d < documentTarget.count {
            let t = documentTarget[d]
            while d < documentTarget.count, documentTarget[d] == t {
                for k in Int(forwardStart[d])..<Int(forwardStart[d + 1]) {
                    let term = Int(forwardTerm[k])
                    if accumulator[term] == 0 { touched.append(Int32(term)) }
                    accumulator[term] += forwardWeight[k]
                }
                d += 1
            }
            var sum: Float = 0
            for term in touched { sum += accumulator[Int(term)] * accumulator[Int(term)]; accumulator[Int(term)] = 0 }
            touched.removeAll(keepingCapacity: true)
            targetNorm[Int(t)] = sqrtf(sum)
        }
        self.targetNorm = targetNorm

        // Multinomial naive Bayes over labels (kind-weighted counts, Laplace smoothing). The
        // table holds log(count + α); the per-label denominator is subtracted at query time.
        let termCount = df.count
        let alpha: Float = 0.1
        var table = [Float](repeating: logf(alpha), count: labels.count * termCount)
        var raw = [Float](repeating: 0, count: labels.count * termCount)
        var totals = [Float](repeating: 0, count: labels.count)
        var nonzero: [Int] = []
        for (d, terms) in documentTerms.enumerated() {
            let label = Int(targets[Int(documentTarget[d])].labelID)
            for (term, tf) in terms {
                let c = weights.weight(kinds[Int(term)]) * Float(tf)
                let cell = label * termCount + Int(term)
                if raw[cell] == 0 { nonzero.append(cell) }
                raw[cell] += c
                totals[label] += c
            }
        }
        for cell in nonzero { table[cell] = logf(raw[cell] + alpha) }
        self.labelLogLikelihood = table
        self.labelLogDenominator = totals.map { logf($0 + alpha * Float(max(termCount, 1))) }
        self.scratch = ScratchPool(documents: documentTarget.count, targets: targets.count)
    }

    /// Each text's term counts, computed on all cores. Worker `w` handles texts `i` with
    /// `i % workers == w`; its rows use its own term ids, listed (as raw tokens) in
    /// `vocabularies[w]`.
    static func tokenizeAndCount(_ texts: [String], normalizer: TextNormalizer, tokenizer: Tokenizer)
        -> (rows: [[(term: Int32, tf: Int32)]], vocabularies: [[UInt64]])
    {
        let workers = texts.count >= 2000 ? 2 : 1
        var rows = [[(term: Int32, tf: Int32)]](repeating: [], count: texts.count)
        var vocabularies = [[UInt64]](repeating: [], count: workers)
        rows.withUnsafeMutableBufferPointer { rowSlots in
            vocabularies.withUnsafeMutableBufferPointer { vocabularySlots in
                let output = WorkerOutput(rows: rowSlots, vocabularies: vocabularySlots)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var local = IntegerTable(EmptyCollection(), minimumCapacity: 8192)
                    var raws: [UInt64] = []
                    var lastText: [Int32] = []  // per local term: the last text that counted it
                    var slot: [Int32] = []  // per local term: its position in that text's row
                    var i = worker
                    while i < texts.count {
                        let tokens = tokenizer.rawTokens(normalizer.normalize(texts[i]))
                        var row: [(term: Int32, tf: Int32)] = []
                        row.reserveCapacity(tokens.count)
                        for raw in tokens {
                            let term = Int(local.value(for: raw) {
                                raws.append(raw)
                                lastText.append(-1)
                                slot.append(0)
                                return Int32(raws.count - 1)
                            })
                            if lastText[term] == Int32(i) {
                                row[Int(slot[term])].tf += 1
                            } else {
                                lastText[term] = Int32(i)
                                slot[term] = Int32(row.count)
                                row.append((Int32(term), 1))
                            }
                        }
                        output.rows[i] = row
                        i += workers
                    }
                    output.vocabularies[worker] = raws
                }
            }
        }
        return (rows, vocabularies)
    }

    /// A message as the index sees it.
    struct Query {
        /// Known terms with their normalized TF-IDF weights.
        var terms: [(term: Int32, weight: Float)] = []
        /// Known terms with kind weight × count, for naive Bayes.
        var counts: [(term: Int32, weight: Float)] = []
    }

    /// The weighted, normalized query. Unknown tokens count in the norm at the highest idf,
    /// so unfamiliar words lower every similarity.
    func query(_ tokens: [Token]) -> Query {
        var raw = tokens.map(\.raw)
        raw.sort()
        var query = Query()
        query.terms.reserveCapacity(raw.count)
        query.counts.reserveCapacity(raw.count)
        var normSquared: Float = 0
        var i = 0
        while i < raw.count {
            var j = i + 1
            while j < raw.count, raw[j] == raw[i] { j += 1 }
            let token = Token(raw: raw[i])
            let tf = 1 + logf(Float(j - i))
            let kindWeight = weights.weight(token.kind)
            if let term = vocabulary[token.raw] {
                let w = kindWeight * idf[Int(term)] * tf
                query.terms.append((term, w))
                query.counts.append((term, kindWeight * Float(j - i)))
                normSquared += w * w
            } else {
                let w = kindWeight * maximumIDF * tf
                normSquared += w * w
            }
            i = j
        }
        let norm = sqrtf(normSquared)
        if norm > 0 { for k in query.terms.indices { query.terms[k].weight /= norm } }
        return query
    }

    /// The `limit` best targets for `tokens`, best first, after `adjustments`.
    func topTargets(_ query: Query, adjustments: Adjustments, limit: Int) -> [TargetScore] {
        let terms = query.terms
        guard !terms.isEmpty else { return [] }
        let buffers = scratch.take()
        defer { scratch.give(back: buffers) }
        if documentTarget.count <= Self.exhaustiveLimit {
            accumulate(terms, into: buffers)
        } else {
            retrieveAndRescore(terms, into: buffers)
        }
        // Per target: nearest document and the sum of document scores (for the centroid).
        documentTarget.withUnsafeBufferPointer { owner in
            let scores = buffers.documentScores, best = buffers.targetBest, sum = buffers.targetSum
            for i in 0..<buffers.touchedCount {
                let d = buffers.touched[i]
                let score = scores[Int(d)]
                let t = Int(owner[Int(d)])
                if best[t] < 0 {
                    buffers.touchedTargets[buffers.touchedTargetCount] = Int32(t)
                    buffers.touchedTargetCount += 1
                    best[t] = d
                } else if score > scores[Int(best[t])] {
                    best[t] = d
                }
                sum[t] += score
            }
        }
        var results: [TargetScore] = []
        results.reserveCapacity(limit + 1)
        for k in 0..<buffers.touchedTargetCount {
            let t = buffers.touchedTargets[k]
            let info = targets[Int(t)]
            let best = buffers.targetBest[Int(t)]
            let nearest = buffers.documentScores[Int(best)]
            let norm = targetNorm[Int(t)]
            let centroid = norm > 0 ? min(buffers.targetSum[Int(t)] / norm, 1) : 0
            var score = weights.nearest * nearest + (1 - weights.nearest) * centroid
            let boost = adjustments.labelBoost.isEmpty ? 0 : adjustments.labelBoost[Int(info.labelID)]
            score += boost
            var fit: Int8 = 0
            if adjustments.carrierMask != 0, info.carrierMask != 0 {
                if adjustments.carrierMask & info.carrierMask != 0 {
                    score += adjustments.sameCarrierBonus
                    fit = 1
                } else {
                    score *= adjustments.otherCarrierFactor
                    fit = -1
                }
            }
            score = min(max(score, 0), 1)
            let candidate = TargetScore(target: t, score: score, nearest: nearest, centroid: centroid, nearestDocument: best, boost: boost, carrierFit: fit)
            if results.count < limit || score > results[results.count - 1].score {
                let position = results.firstIndex { $0.score < score } ?? results.count
                results.insert(candidate, at: position)
                if results.count > limit { results.removeLast() }
            }
        }
        return results
    }

    /// Exact cosine for every document sharing a term with the query.
    private func accumulate(_ terms: some Collection<(term: Int32, weight: Float)>, into buffers: Scratch) {
        postingDocument.withUnsafeBufferPointer { docs in
            postingWeight.withUnsafeBufferPointer { weightsBuffer in
                postingStart.withUnsafeBufferPointer { start in
                    let scores = buffers.documentScores, touched = buffers.touched
                    var count = buffers.touchedCount
                    for (term, q) in terms {
                        for p in Int(start[Int(term)])..<Int(start[Int(term) + 1]) {
                            let d = Int(docs[p])
                            if scores[d] == 0 {
                                touched[count] = Int32(d)
                                count += 1
                            }
                            scores[d] += q * weightsBuffer[p]
                        }
                    }
                    buffers.touchedCount = count
                }
            }
        }
    }

    /// For large indexes: candidates from the query's most selective terms, then exact
    /// cosine for the best of them through the forward index.
    private func retrieveAndRescore(_ terms: [(term: Int32, weight: Float)], into buffers: Scratch) {
        // The rarest terms first, until a budget of postings is spent (at least one term):
        // rare terms carry most of a cosine, and the budget bounds the work per message.
        let budget = 1536
        let byRarity = terms.sorted { documentFrequency[Int($0.term)] < documentFrequency[Int($1.term)] }
        var spent = 0, taken = 0
        for (term, _) in byRarity {
            let length = Int(postingStart[Int(term) + 1] - postingStart[Int(term)])
            if taken > 0 && spent + length > budget { break }
            spent += length
            taken += 1
        }
        accumulate(byRarity.prefix(taken), into: buffers)

        let candidates = Self.best(Self.candidateLimit, of: buffers.touched, count: buffers.touchedCount, by: buffers.documentScores)
        if buffers.touchedCount > candidates.count {
            for d in buffers.touched[0..<buffers.touchedCount] { buffers.documentScores[Int(d)] = 0 }
        }
        let queryWeight = buffers.queryWeight(termCount: idf.count)
        for (term, weight) in terms { queryWeight[Int(term)] = weight }
        forwardStart.withUnsafeBufferPointer { starts in
            forwardTerm.withUnsafeBufferPointer { docTerms in
                forwardWeight.withUnsafeBufferPointer { docWeights in
                    for d in candidates {
                        var score: Float = 0
                        for k in Int(starts[Int(d)])..<Int(starts[Int(d) + 1]) {
                            score += docWeights[k] * queryWeight[Int(docTerms[k])]
                        }
                        buffers.documentScores[Int(d)] = max(score, Float.leastNonzeroMagnitude)
                    }
                }
            }
        }
        for (term, _) in terms { queryWeight[Int(term)] = 0 }
        for (i, d) in candidates.enumerated() { buffers.touched[i] = d }
        buffers.touchedCount = candidates.count
    }

    /// About the `k` documents with the highest scores (at most `k`, ties at the cut may be
    /// dropped), in no particular order: one pass to histogram the scores, one to collect.
    static func best(_ k: Int, of documents: UnsafeMutableBufferPointer<Int32>, count: Int, by scores: UnsafeMutableBufferPointer<Float>) -> [Int32] {
        guard count > k else { return Array(documents[0..<count]) }
        var maximum: Float = 0
        for i in 0..<count { maximum = max(maximum, scores[Int(documents[i])]) }
        guard maximum > 0 else { return Array(documents[0..<k]) }
        let bins = 512
        let scale = Float(bins - 1) / maximum
        var histogram = [Int32](repeating: 0, count: bins)
        for i in 0..<count { histogram[Int(scores[Int(documents[i])] * scale)] += 1 }
        var cut = bins - 1, above = 0
        while cut > 0, above + Int(histogram[cut]) <= k { above += Int(histogram[cut]); cut -= 1 }
        // Bins above `cut` fit entirely; fill the rest from bin `cut`.
        var chosen: [Int32] = []
        chosen.reserveCapacity(k)
        var fromCut = k - above
        for i in 0..<count {
            let d = documents[i]
            let bin = Int(scores[Int(d)] * scale)
            if bin > cut {
                chosen.append(d)
            } else if bin == cut, fromCut > 0 {
                chosen.append(d)
                fromCut -= 1
            }
        }
        return chosen
    }

    /// Naive Bayes posterior of every label (by label id) for the query, with a uniform prior.
    func labelPosteriors(_ query: Query) -> [Float] {
        let termCount = idf.count
        guard !query.counts.isEmpty else { return [Float](repeating: 0, count: labels.count) }
        var logits = [Float](repeating: 0, count: labels.count)
        var totalWeight: Float = 0
        labelLogLikelihood.withUnsafeBufferPointer { table in
            for (term, weight) in query.counts {
                totalWeight += weight
                for label in 0..<labels.count { logits[label] += weight * table[label * termCount + Int(term)] }
            }
        }
        for label in 0..<labels.count { logits[label] -= totalWeight * labelLogDenominator[label] }
        let top = logits.max()!
        var sum: Float = 0
        for i in logits.indices { logits[i] = expf(logits[i] - top); sum += logits[i] }
        for i in logits.indices { logits[i] /= sum }
        return logits
    }

    /// True when the index has seen `token`.
    func knows(_ token: Token) -> Bool { vocabulary[token.raw] != nil }

    /// The label id of `label`, if any target carries it.
    func labelID(_ label: String) -> Int? { labels.firstIndex(of: label) }
}

/// Lets parallel workers write disjoint slots of shared buffers.
// @unchecked Sendable: worker w writes only rows i with i % workers == w, and vocabularies[w].
private struct WorkerOutput: @unchecked Sendable {
    let rows: UnsafeMutableBufferPointer<[(term: Int32, tf: Int32)]>
    let vocabularies: UnsafeMutableBufferPointer<[UInt64]>
}

/// Reusable per-query buffers, so scoring allocates nothing proportional to the index.
/// Used by one query at a time (the pool hands it out); freed with the pool.
final class Scratch {
    let documentScores: UnsafeMutableBufferPointer<Float>
    let targetBest: UnsafeMutableBufferPointer<Int32>
    let targetSum: UnsafeMutableBufferPointer<Float>
    /// Documents and targets touched by the current query, in touch order.
    let touched: UnsafeMutableBufferPointer<Int32>
    var touchedCount = 0
    let touchedTargets: UnsafeMutableBufferPointer<Int32>
    var touchedTargetCount = 0

    init(documents: Int, targets: Int) {
        documentScores = .allocate(capacity: max(documents, 1))
        documentScores.initialize(repeating: 0)
        touched = .allocate(capacity: max(documents, 1))
        touched.initialize(repeating: 0)
        targetBest = .allocate(capacity: max(targets, 1))
        targetBest.initialize(repeating: -1)
        targetSum = .allocate(capacity: max(targets, 1))
        targetSum.initialize(repeating: 0)
        touchedTargets = .allocate(capacity: max(targets, 1))
        touchedTargets.initialize(repeating: 0)
    }

    private var queryWeights: UnsafeMutableBufferPointer<Float>?

    /// A zeroed weight per term, for exact rescoring; callers zero what they set.
    func queryWeight(termCount: Int) -> UnsafeMutableBufferPointer<Float> {
        if let existing = queryWeights { return existing }
        let fresh = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(termCount, 1))
        fresh.initialize(repeating: 0)
        queryWeights = fresh
        return fresh
    }

    deinit {
        queryWeights?.deallocate()
        documentScores.deallocate()
        touched.deallocate()
        targetBest.deallocate()
        targetSum.deallocate()
        touchedTargets.deallocate()
    }

    /// Clears only what the last query touched.
    func reset() {
        for i in 0..<touchedCount { documentScores[Int(touched[i])] = 0 }
        for i in 0..<touchedTargetCount {
            let t = Int(touchedTargets[i])
            targetBest[t] = -1
            targetSum[t] = 0
        }
        touchedCount = 0
        touchedTargetCount = 0
    }
}

/// Hands each concurrent query its own `Scratch`.
// @unchecked Sendable: the free list is only touched under the mutex; a Scratch is used by one query at a time.
final class ScratchPool: @unchecked Sendable {
    private let documents: Int
    private let targets: Int
    private let lock = PthreadMutex()
    private var free: [Scratch] = []

    init(documents: Int, targets: Int) {
        self.documents = documents
        self.targets = targets
    }

    func take() -> Scratch {
        lock.lock()
        let reused = free.popLast()
        lock.unlock()
        return reused ?? Scratch(documents: documents, targets: targets)
    }

    func give(back scratch: Scratch) {
        scratch.reset()
        lock.lock()
        if free.count < 16 { free.append(scratch) }
        lock.unlock()
    }
}

/// A plain pthread mutex (no allocation per lock, usable from synchronous code).
// @unchecked Sendable: pthread mutexes are made to be shared between threads.
final class PthreadMutex: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }
    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}

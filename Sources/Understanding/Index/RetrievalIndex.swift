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
    static let candidateLimit = 128

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
    // Forward index by document (terms ascending and weights), for exact rescoring.
    let forwardStart: [Int32]
    let forwardTerm: [Int32]
    let forwardWeight: [Float]
    /// Length of the sum of each target's (normalized) document vectors.
    let targetNorm: [Float]
    /// Naive Bayes log-likelihoods, label-major: `labelLogLikelihood[label * termCount + term]`.
    let labelLogLikelihood: [Float]
    private let scratch: ScratchPool

    public var documentCount: Int { documentTarget.count }
    public var targetCount: Int { targets.count }

    /// Builds the index from intent examples, out-of-scope examples and FAQ documents.
    public init(intents: [IntentExamples], faq: [FAQDocument], normalizer: TextNormalizer, tokenizer: Tokenizer, weights: Weights = Weights()) {
        self.weights = weights
        var targets: [TargetInfo] = []
        var labelIDs: [String: Int32] = [:]
        var labels: [String] = []
        var carrierBits: [String: UInt64] = [:]
        var documentTarget: [Int32] = []
        var documentText: [String] = []
        var documentTokens: [[UInt64]] = []
        func labelID(_ label: String) -> Int32 {
            if let id = labelIDs[label] { return id }
            labels.append(label)
            labelIDs[label] = Int32(labels.count - 1)
            return Int32(labels.count - 1)
        }
        func add(_ target: MatchTarget, label: String, threshold: Double?, carriers: [String], texts: [String]) {
            var mask: UInt64 = 0
            for carrier in carriers {
                if carrierBits[carrier] == nil, carrierBits.count < 64 { carrierBits[carrier] = 1 << UInt64(carrierBits.count) }
                mask |= carrierBits[carrier] ?? 0
            }
            let index = Int32(targets.count)
            targets.append(TargetInfo(target: target, label: label, labelID: labelID(label), threshold: threshold, carriers: carriers, carrierMask: mask))
            for text in texts {
                var tokens = tokenizer.tokens(normalizer.normalize(text)).map(\.raw)
                guard !tokens.isEmpty else { continue }
                tokens.sort()
                documentTarget.append(index)
                documentText.append(text)
                documentTokens.append(tokens)
            }
        }
        for examples in intents {
            if examples.intent == Labels.outOfScope {
                add(.outOfScope, label: Labels.outOfScope, threshold: nil, carriers: [], texts: examples.examples)
            } else if let intent = ActionIntent(rawValue: examples.intent) {
                add(.intent(intent), label: intent.rawValue, threshold: nil, carriers: [], texts: examples.examples)
            }
        }
        for entry in faq {
            add(.faq(entry.id), label: entry.topic, threshold: entry.threshold, carriers: entry.carriers, texts: entry.questions)
        }
        self.targets = targets
        self.labels = labels
        self.carrierBits = carrierBits
        self.documentTarget = documentTarget
        self.documentText = documentText

        // Vocabulary, term frequencies (from the sorted token lists) and document frequencies.
        var vocabulary: [Token: Int32] = [:]
        vocabulary.reserveCapacity(documentTokens.count * 4)
        var df: [Int32] = []
        var kinds: [Token.Kind] = []
        var documentTerms: [[(term: Int32, tf: Int32)]] = []
        documentTerms.reserveCapacity(documentTokens.count)
        for tokens in documentTokens {
            var terms: [(term: Int32, tf: Int32)] = []
            var i = 0
            while i < tokens.count {
                var j = i + 1
                while j < tokens.count, tokens[j] == tokens[i] { j += 1 }
                let token = Token(raw: tokens[i])
                let term: Int32
                if let existing = vocabulary[token] { term = existing } else {
                    term = Int32(df.count)
                    vocabulary[token] = term
                    df.append(0)
                    kinds.append(token.kind)
                }
                df[Int(term)] += 1
                terms.append((term, Int32(j - i)))
                i = j
            }
            documentTerms.append(terms)
        }
        let n = Float(max(documentTokens.count, 1))
        let idf = df.map { logf(1 + n / Float($0)) }
        self.vocabulary = IntegerTable(vocabulary.map { ($0.key.raw, $0.value) })
        self.idf = idf
        self.documentFrequency = df
        self.maximumIDF = logf(1 + n)

        // Normalized, weighted document vectors: forward rows sorted by term.
        var forwardStart: [Int32] = [0]
        var forwardTerm: [Int32] = []
        var forwardWeight: [Float] = []
        forwardStart.reserveCapacity(documentTerms.count + 1)
        for terms in documentTerms {
            var sorted = terms
            sorted.sort { $0.term < $1.term }
            var norm: Float = 0
            let base = forwardWeight.count
            for (term, tf) in sorted {
                let w = weights.weight(kinds[Int(term)]) * idf[Int(term)] * (1 + logf(Float(tf)))
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
        // (characters such as 我, 号, 卡) get no postings: they still count in every norm, but
        // adding them up costs more than the little they tell apart (measured: accuracy on the
        // development and held-out sets moves by less than one utterance).
        let commonCutoff = Int32(max(20, documentTerms.count / 80))
        let posted = (0..<df.count).map { kinds[$0] != .unigram || df[$0] <= commonCutoff }
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

        // Multinomial naive Bayes over labels (kind-weighted counts, Laplace smoothing).
        let termCount = df.count
        var counts2 = [Float](repeating: 0, count: labels.count * termCount)
        var totals = [Float](repeating: 0, count: labels.count)
        for (d, terms) in documentTerms.enumerated() {
            let label = Int(targets[Int(documentTarget[d])].labelID)
            for (term, tf) in terms {
                let c = weights.weight(kinds[Int(term)]) * Float(tf)
                counts2[label * termCount + Int(term)] += c
                totals[label] += c
            }
        }
        let alpha: Float = 0.1
        for label in 0..<labels.count {
            let denominator = logf(totals[label] + alpha * Float(max(termCount, 1)))
            for term in 0..<termCount {
                counts2[label * termCount + term] = logf(counts2[label * termCount + term] + alpha) - denominator
            }
        }
        self.labelLogLikelihood = counts2
        self.scratch = ScratchPool(documents: documentTarget.count, targets: targets.count)
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
        var buffers = scratch.take()
        defer { scratch.give(back: buffers) }
        if documentTarget.count <= Self.exhaustiveLimit {
            accumulate(terms, into: &buffers)
        } else {
            retrieveAndRescore(terms, into: &buffers)
        }
        // Per target: nearest document and the sum of document scores (for the centroid).
        documentTarget.withUnsafeBufferPointer { owner in
            var touchedTargets = buffers.touchedTargets
            buffers.touchedTargets = []
            let touched = buffers.touched
            buffers.documentScores.withUnsafeBufferPointer { scores in
                buffers.targetBest.withUnsafeMutableBufferPointer { best in
                    buffers.targetSum.withUnsafeMutableBufferPointer { sum in
                        for d in touched {
                            let score = scores[Int(d)]
                            let t = Int(owner[Int(d)])
                            if best[t] < 0 {
                                touchedTargets.append(Int32(t))
                                best[t] = d
                            } else if score > scores[Int(best[t])] {
                                best[t] = d
                            }
                            sum[t] += score
                        }
                    }
                }
            }
            buffers.touchedTargets = touchedTargets
        }
        var results: [TargetScore] = []
        results.reserveCapacity(limit + 1)
        for t in buffers.touchedTargets {
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
    private func accumulate(_ terms: [(term: Int32, weight: Float)], into buffers: inout Scratch) {
        postingDocument.withUnsafeBufferPointer { docs in
            postingWeight.withUnsafeBufferPointer { weightsBuffer in
                postingStart.withUnsafeBufferPointer { start in
                    var touched = buffers.touched
                    buffers.touched = []
                    buffers.documentScores.withUnsafeMutableBufferPointer { scores in
                        for (term, q) in terms {
                            for p in Int(start[Int(term)])..<Int(start[Int(term) + 1]) {
                                let d = Int(docs[p])
                                if scores[d] == 0 { touched.append(Int32(d)) }
                                scores[d] += q * weightsBuffer[p]
                            }
                        }
                    }
                    buffers.touched = touched
                }
            }
        }
    }

    /// For large indexes: candidates from the query's most selective terms, then exact
    /// cosine for the best of them through the forward index.
    private func retrieveAndRescore(_ terms: [(term: Int32, weight: Float)], into buffers: inout Scratch) {
        let cap = Int32(max(128, documentTarget.count / 256))
        let byRarity = terms.sorted { documentFrequency[Int($0.term)] < documentFrequency[Int($1.term)] }
        var selective = byRarity.prefix { documentFrequency[Int($0.term)] <= cap }
        if selective.count < 3 { selective = byRarity.prefix(3) }
        accumulate(Array(selective), into: &buffers)
        var candidates = buffers.touched
        if candidates.count > Self.candidateLimit {
            candidates = Self.best(Self.candidateLimit, of: candidates, by: buffers.documentScores)
            for d in buffers.touched { buffers.documentScores[Int(d)] = 0 }
        }
        let queryTerms = terms.sorted { $0.term < $1.term }
        for d in candidates {
            // Merge the document's sorted terms with the query's sorted terms.
            var score: Float = 0
            var k = Int(forwardStart[Int(d)]), end = Int(forwardStart[Int(d) + 1]), q = 0
            while k < end, q < queryTerms.count {
                let a = forwardTerm[k], b = queryTerms[q].term
                if a == b { score += forwardWeight[k] * queryTerms[q].weight; k += 1; q += 1 } else if a < b { k += 1 } else { q += 1 }
            }
            buffers.documentScores[Int(d)] = max(score, Float.leastNonzeroMagnitude)
        }
        buffers.touched = candidates
    }

    /// The `k` documents with the highest scores, in no particular order (a min-heap pass).
    static func best(_ k: Int, of documents: [Int32], by scores: [Float]) -> [Int32] {
        var heap: [Int32] = []
        heap.reserveCapacity(k)
        func less(_ a: Int32, _ b: Int32) -> Bool { scores[Int(a)] < scores[Int(b)] }
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, less(heap[l], heap[m]) { m = l }
                if r < heap.count, less(heap[r], heap[m]) { m = r }
                if m == i { return }
                heap.swapAt(i, m)
                i = m
            }
        }
        for d in documents {
            if heap.count < k {
                heap.append(d)
                var i = heap.count - 1
                while i > 0, less(heap[i], heap[(i - 1) / 2]) { heap.swapAt(i, (i - 1) / 2); i = (i - 1) / 2 }
            } else if scores[Int(d)] > scores[Int(heap[0])] {
                heap[0] = d
                siftDown(0)
            }
        }
        return heap
    }

    /// Naive Bayes posterior of every label (by label id) for the query, with a uniform prior.
    func labelPosteriors(_ query: Query) -> [Float] {
        let termCount = idf.count
        guard !query.counts.isEmpty else { return [Float](repeating: 0, count: labels.count) }
        var logits = [Float](repeating: 0, count: labels.count)
        labelLogLikelihood.withUnsafeBufferPointer { table in
            for (term, weight) in query.counts {
                for label in 0..<labels.count { logits[label] += weight * table[label * termCount + Int(term)] }
            }
        }
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

/// Reusable per-query buffers, so scoring allocates nothing proportional to the index.
struct Scratch {
    var documentScores: [Float]
    var touched: [Int32] = []
    var targetBest: [Int32]
    var targetSum: [Float]
    var touchedTargets: [Int32] = []

    init(documents: Int, targets: Int) {
        documentScores = [Float](repeating: 0, count: documents)
        targetBest = [Int32](repeating: -1, count: targets)
        targetSum = [Float](repeating: 0, count: targets)
    }

    /// Clears only what the last query touched.
    mutating func reset() {
        for d in touched { documentScores[Int(d)] = 0 }
        for t in touchedTargets { targetBest[Int(t)] = -1; targetSum[Int(t)] = 0 }
        touched.removeAll(keepingCapacity: true)
        touchedTargets.removeAll(keepingCapacity: true)
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
        var scratch = scratch
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

import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Feature rows to learn from: each row's terms and their normalized tf-idf weights, in
/// one flat run (`starts[r]..<starts[r + 1]`), with the row's label id.
struct TrainingRows {
    var starts: [Int32] = [0]
    var terms: [Int32] = []
    var weights: [Float] = []
    var labels: [Int32] = []
    /// Each row's ordering key (a hash of its text).
    var keys: [UInt64] = []

    var count: Int { labels.count }

    /// The rows ordered by key: a fixed pseudo-random order in which a row keeps its place
    /// among the others when rows are added or removed.
    func orderByKey() -> [Int] { (0..<count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 } }
}

/// The learned, discriminative part of the understanding: one logistic regression per label
/// (that label against all others) over tf-idf features of the message's tokens, trained
/// when the classifier is built on the intent examples, the FAQ questions and the
/// customer-voice training messages. It has its own vocabulary, so an FAQ edit (which
/// rebuilds retrieval only) leaves it as it is: one edit never moves the answers to
/// unrelated questions. Training is deterministic: rows in an order given by their
/// contents, and each worker owns a fixed range of labels.
struct LabelModel: Sendable {
    /// How training runs: passes, first learning rate (divided by 1 + pass), L2 penalty on
    /// the terms a row touches, and how many FAQ questions of one topic at most (an evenly
    /// spaced selection of a larger FAQ's; the shipped FAQ has at most 237), which bounds the
    /// training time however large the FAQ grows.
    struct Training: Sendable, Equatable {
        var epochs = 4
        var rate: Float = 1.0
        var l2: Float = 0.0001
        var faqQuestionsPerTopic = 240
        /// A token in fewer training messages than this is no feature: it tells little about
        /// a label, and left out it costs no memory.
        var minimumDocuments = 2
    }

    /// Label names by the model's label index.
    let labels: [String]
    let labelCount: Int
    /// The label of the out-of-scope examples, whose regression tells whether a message is
    /// about the service at all.
    let outOfScopeLabel: Int?
    /// Raw token → feature, and each feature's kind weight × idf.
    let vocabulary: IntegerTable
    let featureWeight: [Float]
    /// Feature-major weights (`[feature * labelCount + label]`) as 16-bit fixed point
    /// (`value × scale`, within ±16): a message term's weights for every label sit together.
    let weights: [Int16]
    let bias: [Float]
    /// How many messages it learned from (after the FAQ cap).
    let trainedRows: Int

    static let scale: Float = 2048

    /// Trains on `documents` and `faqQuestions` (label name and text); labels are numbered in
    /// order of first appearance. `weights` gives each token kind's weight, as in retrieval.
    init(
        documents: [(label: String, text: String)], faqQuestions: [(label: String, text: String)], normalizer: TextNormalizer,
        tokenizer: Tokenizer, weights kindWeights: RetrievalIndex.Weights, training: Training = Training()
    ) {
        // A topic's FAQ questions beyond `faqQuestionsPerTopic`: an evenly spaced selection.
        var perTopic: [String: Int] = [:]
        for question in faqQuestions { perTopic[question.label, default: 0] += 1 }
        var seen: [String: Int] = [:]
        let cap = training.faqQuestionsPerTopic
        let chosen = documents + faqQuestions.filter { question in
            let total = perTopic[question.label]!, n = seen[question.label, default: 0]
            seen[question.label] = n + 1
            return total <= cap || n * cap / total != (n + 1) * cap / total
        }
        var labels: [String] = [], labelIndex: [String: Int32] = [:]
        for document in chosen where labelIndex[document.label] == nil {
            labelIndex[document.label] = Int32(labels.count)
            labels.append(document.label)
        }
        // Tokens and counts, the vocabulary, document frequencies.
        var chunks = RetrievalIndex.tokenizeAndCount(chosen.map(\.text), normalizer: normalizer, tokenizer: tokenizer)
        var vocabulary = IntegerTable(EmptyCollection(), minimumCapacity: 16384)
        var raws: [UInt64] = []
        var df: [Int32] = []
        var rows = TrainingRows()
        var tfs: [Int32] = []
        // Sized once: growing by doubling would hold the old and the new buffer at once, the
        // start-up's peak (measured with heaptrack: these two arrays were 2.7 MB of it).
        let termCount = chunks.reduce(0) { $0 + $1.terms.count }, rowCount = chunks.reduce(0) { $0 + $1.rowEnd.count }
        rows.terms.reserveCapacity(termCount)
        tfs.reserveCapacity(termCount)
        rows.starts.reserveCapacity(rowCount + 1)
        rows.labels.reserveCapacity(rowCount)
        rows.keys.reserveCapacity(rowCount)
        for c in chunks.indices {
            // Each chunk is let go once copied, so the copies and the chunks do not peak together.
            let chunk = chunks[c]
            chunks[c] = RetrievalIndex.CountedChunk()
            let global = chunk.vocabulary.map { raw in
                vocabulary.value(for: raw) {
                    raws.append(raw)
                    df.append(0)
                    return Int32(raws.count - 1)
                }
            }
            var begin = 0
            for (k, end) in chunk.rowEnd.map(Int.init).enumerated() {
                guard end > begin else { continue }
                for j in begin..<end {
                    let term = global[Int(chunk.terms[j])]
                    rows.terms.append(term)
                    tfs.append(chunk.tfs[j])
                    df[Int(term)] += 1
                }
                rows.starts.append(Int32(rows.terms.count))
                rows.labels.append(labelIndex[chosen[chunk.firstText + k].label]!)
                rows.keys.append(Self.key(chosen[chunk.firstText + k].text))
                begin = end
            }
        }
        // Features: the tokens in at least `minimumDocuments` messages, renumbered.
        var feature = [Int32](repeating: -1, count: raws.count)
        var kept: [UInt64] = [], keptDF: [Int32] = []
        for t in raws.indices where df[t] >= Int32(training.minimumDocuments) {
            feature[t] = Int32(kept.count)
            kept.append(raws[t])
            keptDF.append(df[t])
        }
        var write = 0, begin = 0
        for r in 0..<rows.count {
            let end = Int(rows.starts[r + 1])
            for k in begin..<end where feature[Int(rows.terms[k])] >= 0 {
                rows.terms[write] = feature[Int(rows.terms[k])]
                tfs[write] = tfs[k]
                write += 1
            }
            rows.starts[r + 1] = Int32(write)
            begin = end
        }
        rows.terms.removeLast(rows.terms.count - write)
        tfs.removeLast(tfs.count - write)
        let n = Float(max(rows.count, 1))
        let featureWeight = kept.indices.map { kindWeights.weight(Token(raw: kept[$0]).kind) * logf(1 + n / Float(keptDF[$0])) }
        vocabulary = IntegerTable(kept.enumerated().map { ($1, Int32($0)) })
        rows.weights = [Float](repeating: 0, count: rows.terms.count)
        for r in 0..<rows.count {
            let range = Int(rows.starts[r])..<Int(rows.starts[r + 1])
            var norm: Float = 0
            for k in range {
                let w = featureWeight[Int(rows.terms[k])] * (1 + logf(Float(tfs[k])))
                rows.weights[k] = w
                norm += w * w
            }
            norm = sqrtf(norm)
            if norm > 0 { for k in range { rows.weights[k] /= norm } }
        }
        self.init(
            rows: rows, labels: labels, outOfScopeLabel: labelIndex[Labels.outOfScope].map(Int.init), vocabulary: vocabulary,
            featureWeight: featureWeight, training: training)
    }

    /// A row's place in the training order: a hash of its text, so adding or removing a
    /// message leaves the order of the others as it was.
    static func key(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    /// Trains on `rows`. Each label's two classes are weighted to count alike, so a label with
    /// few examples is not drowned by the rest.
    private init(
        rows: TrainingRows, labels: [String], outOfScopeLabel: Int?, vocabulary: IntegerTable, featureWeight: [Float], training: Training
    ) {
        let labelCount = labels.count, termCount = featureWeight.count
        self.labels = labels
        self.labelCount = labelCount
        self.trainedRows = rows.count
        self.outOfScopeLabel = outOfScopeLabel
        self.vocabulary = vocabulary
        self.featureWeight = featureWeight
        guard labelCount > 0, rows.count > 0, termCount > 0 else {
            weights = [Int16](repeating: 0, count: labelCount * termCount)
            bias = [Float](repeating: 0, count: labelCount)
            return
        }
        let order = rows.orderByKey()
        var positives = [Int](repeating: 0, count: labelCount)
        for label in rows.labels where label >= 0 && Int(label) < labelCount { positives[Int(label)] += 1 }
        let total = Float(rows.count)
        let positiveWeight = positives.map { $0 > 0 ? total / Float(2 * $0) : 0 }
        let negativeWeight = positives.map { $0 < rows.count ? total / Float(2 * (rows.count - $0)) : 0 }

        // Two workers (for eight labels or more), each owning a contiguous range of labels and
        // its own weight block.
        let parts = labelCount >= 8 ? 2 : 1
        let split = (labelCount + parts - 1) / parts
        var table = [Int16](repeating: 0, count: labelCount * termCount)
        var bias = [Float](repeating: 0, count: labelCount)
        table.withUnsafeMutableBufferPointer { tableOut in
            bias.withUnsafeMutableBufferPointer { biasOut in
                // Worker p writes only the table entries and biases of its own labels.
                let tableW = DisjointWrites(tableOut), biasW = DisjointWrites(biasOut)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let first = part * split, width = min(labelCount, first + split) - first
                    guard width > 0 else { return }
                    let block = Self.train(
                        rows: rows, order: order, firstLabel: first, width: width, termCount: termCount, training: training,
                        positiveWeight: Array(positiveWeight[first..<first + width]), negativeWeight: Array(negativeWeight[first..<first + width]))
                    for t in 0..<termCount {
                        for j in 0..<width { tableW[t * labelCount + first + j] = Self.stored(block.weights[t * width + j]) }
                    }
                    for j in 0..<width { biasW[first + j] = block.bias[j] }
                }
            }
        }
        self.weights = table
        self.bias = bias
    }

    /// Stochastic gradient descent for labels `firstLabel..<firstLabel + width` together: one
    /// pass over the rows updates all of their regressions (weights feature-major, `width`
    /// per feature). Plain loops over raw buffers, which stay fast in a debug build too.
    private static func train(
        rows: TrainingRows, order: [Int], firstLabel: Int, width: Int, termCount: Int, training: Training,
        positiveWeight: [Float], negativeWeight: [Float]
    ) -> (weights: [Float], bias: [Float]) {
        var weights = [Float](repeating: 0, count: termCount * width)
        var bias = [Float](repeating: 0, count: width)
        let z = UnsafeMutablePointer<Float>.allocate(capacity: width)
        let g = UnsafeMutablePointer<Float>.allocate(capacity: width)
        defer {
            z.deallocate()
            g.deallocate()
        }
        weights.withUnsafeMutableBufferPointer { wBuffer in
            bias.withUnsafeMutableBufferPointer { bBuffer in
                rows.starts.withUnsafeBufferPointer { starts in
                    rows.terms.withUnsafeBufferPointer { terms in
                        rows.weights.withUnsafeBufferPointer { x in
                            rows.labels.withUnsafeBufferPointer { labels in
                                let w = wBuffer.baseAddress!, b = bBuffer.baseAddress!
                                for epoch in 0..<training.epochs {
                                    let rate = training.rate / Float(1 + epoch)
                                    let keep = 1 - rate * training.l2
                                    for r in order {
                                        let begin = Int(starts[r]), end = Int(starts[r + 1])
                                        z.update(from: b, count: width)
                                        for k in begin..<end {
                                            let row = w + Int(terms[k]) * width, v = x[k]
                                            for j in 0..<width { z[j] += row[j] * v }
                                        }
                                        let label = Int(labels[r]) - firstLabel
                                        for j in 0..<width {
                                            let p = 1 / (1 + expf(-z[j]))
                                            let gradient = j == label ? (p - 1) * positiveWeight[j] : p * negativeWeight[j]
                                            g[j] = rate * gradient
                                            b[j] -= g[j]
                                        }
                                        for k in begin..<end {
                                            let row = w + Int(terms[k]) * width, v = x[k]
                                            for j in 0..<width { row[j] = row[j] * keep - g[j] * v }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (weights, bias)
    }

    @inline(__always) static func stored(_ value: Float) -> Int16 { Int16((min(max(value, -15.9), 15.9) * scale).rounded()) }

    /// Every label's regression logit for a message's tokens, over the features the model
    /// knows (normalized among themselves, so unknown words do not dilute them).
    func logits(_ tokens: [Token]) -> [Float] {
        var features: [(feature: Int32, weight: Float)] = []
        features.reserveCapacity(tokens.count)
        var raw = tokens.map(\.raw)
        raw.sort()
        var norm: Float = 0
        var i = 0
        while i < raw.count {
            var j = i + 1
            while j < raw.count, raw[j] == raw[i] { j += 1 }
            if let feature = vocabulary[raw[i]] {
                let w = featureWeight[Int(feature)] * (1 + logf(Float(j - i)))
                features.append((feature, w))
                norm += w * w
            }
            i = j
        }
        var logits = bias
        guard norm > 0 else { return logits }
        let scale = 1 / sqrtf(norm) / Self.scale
        weights.withUnsafeBufferPointer { table in
            logits.withUnsafeMutableBufferPointer { logits in
                for (feature, weight) in features {
                    let w = weight * scale, base = Int(feature) * labelCount
                    for label in 0..<labelCount { logits[label] += w * Float(table[base + label]) }
                }
            }
        }
        return logits
    }

    /// What the label model makes of a message.
    struct Judgement: Sendable {
        /// Each label's probability (by the model's label index): the logits made a distribution by softmax.
        var posteriors: [Float]
        /// The probability that the message is about the service: 1 − the out-of-scope
        /// regression's probability.
        var inScope: Float
    }

    /// The judgement for a message's tokens.
    func judge(_ tokens: [Token]) -> Judgement {
        let logits = logits(tokens)
        var posteriors = logits
        let top = logits.max() ?? 0
        var sum: Float = 0
        for i in posteriors.indices { posteriors[i] = expf(posteriors[i] - top); sum += posteriors[i] }
        if sum > 0 { for i in posteriors.indices { posteriors[i] /= sum } }
        let inScope = outOfScopeLabel.map { 1 - 1 / (1 + expf(-logits[$0])) } ?? 1
        return Judgement(posteriors: posteriors, inScope: inScope)
    }
}

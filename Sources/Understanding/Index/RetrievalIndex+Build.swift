import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RetrievalIndex {
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
            globalIDs[i / counted.chunk].withUnsafeBufferPointer { map in
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

        // Normalized, weighted document vectors: the forward rows, filled in parallel chunks
        // (each row's place is known from the prefix sums of the row lengths).
        var forwardStart = [Int32](repeating: 0, count: documentTerms.count + 1)
        for (d, terms) in documentTerms.enumerated() { forwardStart[d + 1] = forwardStart[d] + Int32(terms.count) }
        let entries = Int(forwardStart[documentTerms.count])
        let tfWeight = (0..<64).map { $0 == 0 ? Float(0) : 1 + logf(Float($0)) }
        let termWeight = (0..<df.count).map { weights.weight(kinds[$0]) * idf[$0] }
        var forwardTerm = [Int32](repeating: 0, count: entries)
        var forwardWeight = [Float](repeating: 0, count: entries)
        forwardTerm.withUnsafeMutableBufferPointer { termsOut in
            forwardWeight.withUnsafeMutableBufferPointer { weightsOut in
                let output = RowOutput(terms: termsOut, weights: weightsOut)
                let rows = documentTerms, starts = forwardStart
                let chunks = rows.count >= 2000 ? 4 : 1
                let chunk = (rows.count + chunks - 1) / chunks
                DispatchQueue.concurrentPerform(iterations: chunks) { part in
                    for d in (part * chunk)..<min(rows.count, (part + 1) * chunk) {
                        var norm: Float = 0
                        var k = Int(starts[d])
                        for (term, tf) in rows[d] {
                            let w = termWeight[Int(term)] * (tf < 64 ? tfWeight[Int(tf)] : 1 + logf(Float(tf)))
                            output.terms[k] = term
                            output.weights[k] = w
                            norm += w * w
                            k += 1
                        }
                        norm = sqrtf(norm)
                        if norm > 0 { for k in Int(starts[d])..<Int(starts[d + 1]) { output.weights[k] /= norm } }
                    }
                }
            }
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

        // Centroid norms: ||Σ d|| over each target's documents (rows merged by term), and the
        // naive Bayes counts per label: both in parallel, each worker owning whole targets or
        // whole labels and its own accumulator.
        var targetNorm = [Float](repeating: 0, count: targets.count)
        // Documents of a target are contiguous: the first document of each target, in order.
        var targetStarts: [Int] = []
        for d in documentTarget.indices where d == 0 || documentTarget[d] != documentTarget[d - 1] { targetStarts.append(d) }
        targetStarts.append(documentTarget.count)
        let termCount = df.count
        let alpha: Float = 0.1
        var table = [Float](repeating: logf(alpha), count: labels.count * termCount)
        var totals = [Float](repeating: 0, count: labels.count)
        var documentsOfLabel = [[Int]](repeating: [], count: labels.count)
        for d in documentTerms.indices { documentsOfLabel[Int(targets[Int(documentTarget[d])].labelID)].append(d) }
        let rows = documentTerms, ownerOf = documentTarget, starts = forwardStart, terms = forwardTerm, termWeights = forwardWeight
        let labelCount = labels.count, kindOf = kinds, weightsCopy = weights, groupStarts = targetStarts
        let labelDocuments = documentsOfLabel
        targetNorm.withUnsafeMutableBufferPointer { norms in
            table.withUnsafeMutableBufferPointer { tableOut in
                totals.withUnsafeMutableBufferPointer { totalsOut in
                    let output = StatisticsOutput(norms: norms, table: tableOut, totals: totalsOut)
                    let groups = groupStarts.count - 1
                    DispatchQueue.concurrentPerform(iterations: 4) { part in
                        var accumulator = [Float](repeating: 0, count: termCount)
                        var touched: [Int32] = []
                        // Centroids: targets part, part + 4, ...
                        var g = part
                        while g < groups {
                            for d in groupStarts[g]..<groupStarts[g + 1] {
                                for k in Int(starts[d])..<Int(starts[d + 1]) {
                                    let term = Int(terms[k])
                                    if accumulator[term] == 0 { touched.append(Int32(term)) }
                                    accumulator[term] += termWeights[k]
                                }
                            }
                            var sum: Float = 0
                            for term in touched { sum += accumulator[Int(term)] * accumulator[Int(term)]; accumulator[Int(term)] = 0 }
                            touched.removeAll(keepingCapacity: true)
                            output.norms[Int(ownerOf[groupStarts[g]])] = sqrtf(sum)
                            g += 4
                        }
                        // Naive Bayes: labels part, part + 4, ...
                        var label = part
                        while label < labelCount {
                            var total: Float = 0
                            for d in labelDocuments[label] {
                                for (term, tf) in rows[d] {
                                    let c = weightsCopy.weight(kindOf[Int(term)]) * Float(tf)
                                    if accumulator[Int(term)] == 0 { touched.append(term) }
                                    accumulator[Int(term)] += c
                                    total += c
                                }
                            }
                            for term in touched {
                                output.table[label * termCount + Int(term)] = logf(accumulator[Int(term)] + alpha)
                                accumulator[Int(term)] = 0
                            }
                            touched.removeAll(keepingCapacity: true)
                            output.totals[label] = total
                            label += 4
                        }
                    }
                }
            }
        }
        self.targetNorm = targetNorm

        // Multinomial naive Bayes over labels (kind-weighted counts, Laplace smoothing), counted
        // above. The table holds log(count + α); the per-label denominator is subtracted at
        // query time.
        self.labelLogLikelihood = table
        self.labelLogDenominator = totals.map { logf($0 + alpha * Float(max(termCount, 1))) }
        self.scratch = ScratchPool(documents: documentTarget.count, targets: targets.count)
    }

    /// Each text's term counts, computed on all cores. Worker `w` handles the contiguous
    /// texts `w * chunk ..< (w + 1) * chunk` (no two workers write near each other); its rows
    /// use its own term ids, listed (as raw tokens) in `vocabularies[w]`.
    static func tokenizeAndCount(_ texts: [String], normalizer: TextNormalizer, tokenizer: Tokenizer)
        -> (rows: [[(term: Int32, tf: Int32)]], vocabularies: [[UInt64]], chunk: Int)
    {
        // Four chunks even on two cores: a worker that starts late then costs a quarter, not a half.
        let workers = texts.count >= 2000 ? 4 : 1
        let chunk = (texts.count + workers - 1) / max(workers, 1)
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
                    var buffers = TokenizationBuffers()
                    var i = worker * chunk
                    let end = min(texts.count, (worker + 1) * chunk)
                    while i < end {
                        normalizer.normalize(texts[i], into: &buffers.scalars)
                        tokenizer.rawTokens(&buffers)
                        let tokens = buffers.tokens
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
                        i += 1
                    }
                    output.vocabularies[worker] = raws
                }
            }
        }
        return (rows, vocabularies, max(chunk, 1))
    }
}

/// Lets parallel workers write the statistics of the targets and labels they own.
// @unchecked Sendable: worker p writes only targets and labels whose position is p modulo 4.
private struct StatisticsOutput: @unchecked Sendable {
    let norms: UnsafeMutableBufferPointer<Float>
    let table: UnsafeMutableBufferPointer<Float>
    let totals: UnsafeMutableBufferPointer<Float>
}

/// Lets parallel workers write disjoint ranges of the forward rows.
// @unchecked Sendable: each worker writes only the entries of the documents in its own chunk.
private struct RowOutput: @unchecked Sendable {
    let terms: UnsafeMutableBufferPointer<Int32>
    let weights: UnsafeMutableBufferPointer<Float>
}

/// Lets parallel workers write disjoint slots of shared buffers.
// @unchecked Sendable: worker w writes only the rows of its own chunk, and vocabularies[w].
private struct WorkerOutput: @unchecked Sendable {
    let rows: UnsafeMutableBufferPointer<[(term: Int32, tf: Int32)]>
    let vocabularies: UnsafeMutableBufferPointer<[UInt64]>
}

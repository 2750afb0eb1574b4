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
        // Tokenize and count terms on all cores (worker-local term ids, one flat run of
        // (term, tf) pairs per worker), then merge the workers' vocabularies into one.
        let chunks = Self.tokenizeAndCount(texts.map(\.text), normalizer: normalizer, tokenizer: tokenizer)
        var vocabulary = IntegerTable(EmptyCollection(), minimumCapacity: 16384)
        var kinds: [Token.Kind] = []
        let globalIDs: [[Int32]] = chunks.map { chunk in
            chunk.vocabulary.map { raw in
                vocabulary.value(for: raw) {
                    kinds.append(Token(raw: raw).kind)
                    return Int32(kinds.count - 1)
                }
            }
        }
        let termCount = kinds.count

        // Documents are the texts with at least one token, in order. A worker's flat run is
        // exactly its documents' forward rows, so each run lands in one contiguous range.
        var documentTarget: [Int32] = []
        var documentText: [String] = []
        var forwardStart: [Int32] = [0]
        documentTarget.reserveCapacity(texts.count)
        documentText.reserveCapacity(texts.count)
        forwardStart.reserveCapacity(texts.count + 1)
        var runOffsets: [Int] = []
        for chunk in chunks {
            runOffsets.append(Int(forwardStart[forwardStart.count - 1]))
            var begin: Int32 = 0
            for k in chunk.rowEnd.indices {
                let end = chunk.rowEnd[k]
                if end > begin {
                    let i = chunk.firstText + k
                    documentTarget.append(texts[i].target)
                    documentText.append(texts[i].text)
                    forwardStart.append(forwardStart[forwardStart.count - 1] + (end - begin))
                }
                begin = end
            }
        }
        let runOffset = runOffsets
        let documentCount = documentTarget.count
        let entries = Int(forwardStart[documentCount])

        // Renumber each run into the global term ids and count document frequencies, one
        // worker per run, each with its own counts.
        var forwardTerm = [Int32](repeating: 0, count: entries)
        var forwardTF = [Int32](repeating: 0, count: entries)
        var chunkDF = [Int32](repeating: 0, count: chunks.count * termCount)
        forwardTerm.withUnsafeMutableBufferPointer { termsOut in
            forwardTF.withUnsafeMutableBufferPointer { tfOut in
                chunkDF.withUnsafeMutableBufferPointer { dfOut in
                    // Worker w writes only its run's range and its own block of counts.
                    let termsW = DisjointWrites(termsOut), tfsW = DisjointWrites(tfOut), dfW = DisjointWrites(dfOut)
                    DispatchQueue.concurrentPerform(iterations: chunks.count) { w in
                        let chunk = chunks[w], map = globalIDs[w], offset = runOffset[w], dfBase = w * termCount
                        for j in chunk.terms.indices {
                            let global = map[Int(chunk.terms[j])]
                            termsW[offset + j] = global
                            tfsW[offset + j] = chunk.tfs[j]
                            dfW[dfBase + Int(global)] += 1
                        }
                    }
                }
            }
        }
        var df = [Int32](repeating: 0, count: termCount)
        for w in chunks.indices { for t in 0..<termCount { df[t] += chunkDF[w * termCount + t] } }

        self.targets = targets
        self.labels = labels
        self.carrierBits = carrierBits
        self.documentTarget = documentTarget
        self.documentText = documentText
        let n = Float(max(documentCount, 1))
        let idf = df.map { logf(1 + n / Float($0)) }
        self.vocabulary = vocabulary
        self.idf = idf
        self.documentFrequency = df
        self.maximumIDF = logf(1 + n)

        // Normalized, weighted document vectors (the forward rows' weights), in parallel
        // ranges of documents.
        let parts = documentCount >= 2000 ? 4 : 1
        let partSize = (documentCount + parts - 1) / parts
        let tfWeight = (0..<64).map { $0 == 0 ? Float(0) : 1 + logf(Float($0)) }
        let termWeight = (0..<termCount).map { weights.weight(kinds[$0]) * idf[$0] }
        var forwardWeight = [Float](repeating: 0, count: entries)
        forwardWeight.withUnsafeMutableBufferPointer { weightsOut in
            // Each worker writes only the entries of the documents in its own range.
            let weightsW = DisjointWrites(weightsOut)
            let starts = forwardStart, terms = forwardTerm, tfs = forwardTF
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for d in (part * partSize)..<min(documentCount, (part + 1) * partSize) {
                    var norm: Float = 0
                    let range = Int(starts[d])..<Int(starts[d + 1])
                    for k in range {
                        let tf = Int(tfs[k])
                        let w = termWeight[Int(terms[k])] * (tf < 64 ? tfWeight[tf] : 1 + logf(Float(tf)))
                        weightsW[k] = w
                        norm += w * w
                    }
                    norm = sqrtf(norm)
                    if norm > 0 { for k in range { weightsW[k] /= norm } }
                }
            }
        }
        self.forwardStart = forwardStart
        self.forwardTerm = forwardTerm

        // Postings: invert the forward rows. Unigrams in more than 1/80 of the documents
        // (characters such as 我, 号, 卡) and any term in more than 1/8 get no postings: they
        // still count in every norm, but adding them up costs more than the little they tell
        // apart (measured: accuracy on the development and held-out sets moves by less than one
        // utterance). A parallel counting sort: each range of documents counts its postings
        // per term, the prefix sums give every range its own slots, and the ranges fill them
        // at once, so each posting list stays in document order.
        let commonUnigram = Int32(max(20, documentCount / 80))
        let commonTerm = Int32(max(100, documentCount / 8))
        let posted = (0..<termCount).map { (kinds[$0] != .unigram || df[$0] <= commonUnigram) && df[$0] <= commonTerm }
        var partFill = [Int32](repeating: 0, count: parts * termCount)
        partFill.withUnsafeMutableBufferPointer { countsOut in
            // Worker p writes only its own block of counts.
            let countsW = DisjointWrites(countsOut)
            let starts = forwardStart, terms = forwardTerm
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let base = part * termCount
                let first = min(documentCount, part * partSize), last = min(documentCount, (part + 1) * partSize)
                for k in Int(starts[first])..<Int(starts[last]) where posted[Int(terms[k])] {
                    countsW[base + Int(terms[k])] += 1
                }
            }
        }
        var postingStart = [Int32](repeating: 0, count: termCount + 1)
        var running: Int32 = 0
        for t in 0..<termCount {
            postingStart[t] = running
            for part in 0..<parts {
                let count = partFill[part * termCount + t]
                partFill[part * termCount + t] = running
                running += count
            }
        }
        postingStart[termCount] = running
        var postingDocument = [Int32](repeating: 0, count: Int(running))
        var postingWeight = [UInt16](repeating: 0, count: Int(running))
        postingDocument.withUnsafeMutableBufferPointer { documentsOut in
            postingWeight.withUnsafeMutableBufferPointer { weightsOut in
                partFill.withUnsafeMutableBufferPointer { fill in
                    // The prefix sums give each worker disjoint slots, and its own fill block.
                    let documentsW = DisjointWrites(documentsOut), weightsW = DisjointWrites(weightsOut), fillW = DisjointWrites(fill)
                    let starts = forwardStart, terms = forwardTerm, termWeights = forwardWeight
                    DispatchQueue.concurrentPerform(iterations: parts) { part in
                        let base = part * termCount
                        for d in (part * partSize)..<min(documentCount, (part + 1) * partSize) {
                            for k in Int(starts[d])..<Int(starts[d + 1]) where posted[Int(terms[k])] {
                                let slot = Int(fillW[base + Int(terms[k])])
                                documentsW[slot] = Int32(d)
                                weightsW[slot] = Self.storedWeight(termWeights[k])
                                fillW[base + Int(terms[k])] += 1
                            }
                        }
                    }
                }
            }
        }
        self.postingStart = postingStart
        self.postingDocument = postingDocument
        self.postingWeight = postingWeight

        // Centroid norms: ||Σ d|| over each target's documents (rows merged by term), and the
        // naive Bayes counts per label: both in parallel, each worker owning whole targets or
        // whole labels and its own accumulator.
        var targetNorm = [Float](repeating: 0, count: targets.count)
        // Documents of a target are contiguous: the first document of each target, in order.
        var targetStarts: [Int] = []
        for d in documentTarget.indices where d == 0 || documentTarget[d] != documentTarget[d - 1] { targetStarts.append(d) }
        targetStarts.append(documentCount)
        let alpha: Float = 0.1
        var table = [Int16](repeating: Self.storedLog(logf(alpha)), count: labels.count * termCount)
        var totals = [Float](repeating: 0, count: labels.count)
        var documentsOfLabel = [[Int]](repeating: [], count: labels.count)
        for d in documentTarget.indices { documentsOfLabel[Int(targets[Int(documentTarget[d])].labelID)].append(d) }
        let ownerOf = documentTarget, starts = forwardStart, terms = forwardTerm, tfs = forwardTF, termWeights = forwardWeight
        let labelCount = labels.count, kindOf = kinds, weightsCopy = weights, groupStarts = targetStarts
        let labelDocuments = documentsOfLabel
        targetNorm.withUnsafeMutableBufferPointer { norms in
            table.withUnsafeMutableBufferPointer { tableOut in
                totals.withUnsafeMutableBufferPointer { totalsOut in
                    // Worker p writes only the targets and labels whose position is p modulo 4.
                    let normsW = DisjointWrites(norms), tableW = DisjointWrites(tableOut), totalsW = DisjointWrites(totalsOut)
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
                            normsW[Int(ownerOf[groupStarts[g]])] = sqrtf(sum)
                            g += 4
                        }
                        // Naive Bayes: labels part, part + 4, ...
                        var label = part
                        while label < labelCount {
                            var total: Float = 0
                            for d in labelDocuments[label] {
                                for k in Int(starts[d])..<Int(starts[d + 1]) {
                                    let term = Int(terms[k])
                                    let c = weightsCopy.weight(kindOf[term]) * Float(tfs[k])
                                    if accumulator[term] == 0 { touched.append(Int32(term)) }
                                    accumulator[term] += c
                                    total += c
                                }
                            }
                            for term in touched {
                                tableW[label * termCount + Int(term)] = Self.storedLog(logf(accumulator[Int(term)] + alpha))
                                accumulator[Int(term)] = 0
                            }
                            touched.removeAll(keepingCapacity: true)
                            totalsW[label] = total
                            label += 4
                        }
                    }
                }
            }
        }
        self.targetNorm = targetNorm
        self.forwardWeight = forwardWeight.map(Self.storedWeight)

        // Multinomial naive Bayes over labels (kind-weighted counts, Laplace smoothing), counted
        // above. The table holds log(count + α); the per-label denominator is subtracted at
        // query time.
        self.labelLogLikelihood = table
        self.labelLogDenominator = totals.map { logf($0 + alpha * Float(max(termCount, 1))) }
        self.scratch = ScratchPool(documents: documentCount, targets: targets.count)
    }

    /// One worker's share of the texts: their term counts as one flat run of (term, tf)
    /// pairs in worker-local term ids, with where each text's row ends.
    struct CountedChunk: Sendable {
        var firstText = 0
        var rowEnd: [Int32] = []
        var terms: [Int32] = []
        var tfs: [Int32] = []
        /// Local term id → raw token.
        var vocabulary: [UInt64] = []
    }

    /// Each text's term counts, computed on all cores. Worker `w` handles the contiguous
    /// texts `w * chunk ..< (w + 1) * chunk` and writes only its own chunk.
    static func tokenizeAndCount(_ texts: [String], normalizer: TextNormalizer, tokenizer: Tokenizer) -> [CountedChunk] {
        // Four chunks even on two cores: a worker that starts late then costs a quarter, not a half.
        let workers = texts.count >= 2000 ? 4 : 1
        let chunk = (texts.count + workers - 1) / max(workers, 1)
        var chunks = [CountedChunk](repeating: CountedChunk(), count: workers)
        chunks.withUnsafeMutableBufferPointer { slots in
            // Worker w writes only chunks[w].
            let chunksW = DisjointWrites(slots)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var local = IntegerTable(EmptyCollection(), minimumCapacity: 8192)
                var result = CountedChunk()
                var lastText: [Int32] = []  // per local term: the last text that counted it
                var slot: [Int32] = []  // per local term: its place in the run for that text
                var buffers = TokenizationBuffers()
                let start = min(texts.count, worker * chunk), end = min(texts.count, (worker + 1) * chunk)
                result.firstText = start
                result.rowEnd.reserveCapacity(end - start)
                // About one term per byte of UTF-8 (a CJK character makes a unigram and a
                // bigram from three bytes): room enough without reserving for the worst case,
                // since this build is the process's peak memory.
                var estimate = 0
                for i in start..<end { estimate += min(texts[i].utf8.count, 3000) + 4 }
                result.terms.reserveCapacity(estimate)
                result.tfs.reserveCapacity(estimate)
                for i in start..<end {
                    normalizer.normalize(texts[i], into: &buffers.scalars)
                    tokenizer.rawTokens(&buffers)
                    for raw in buffers.tokens {
                        let term = Int(local.value(for: raw) {
                            result.vocabulary.append(raw)
                            lastText.append(-1)
                            slot.append(0)
                            return Int32(result.vocabulary.count - 1)
                        })
                        if lastText[term] == Int32(i) {
                            result.tfs[Int(slot[term])] += 1
                        } else {
                            lastText[term] = Int32(i)
                            slot[term] = Int32(result.terms.count)
                            result.terms.append(Int32(term))
                            result.tfs.append(1)
                        }
                    }
                    result.rowEnd.append(Int32(result.terms.count))
                }
                chunksW[worker] = result
            }
        }
        return chunks
    }
}

/// A buffer several parallel workers write at once, each to a part no other worker touches;
/// every use states its partition where it creates one.
// @unchecked Sendable: the workers' parts are disjoint, so no element is written by two threads.
struct DisjointWrites<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>

    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }

    subscript(index: Int) -> Element {
        get { buffer[index] }
        nonmutating set { buffer[index] = newValue }
    }
}

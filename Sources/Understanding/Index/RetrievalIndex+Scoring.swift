import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RetrievalIndex {
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
    func accumulate(_ terms: some Collection<(term: Int32, weight: Float)>, into buffers: Scratch) {
        postingDocument.withUnsafeBufferPointer { docs in
            postingWeight.withUnsafeBufferPointer { weightsBuffer in
                postingStart.withUnsafeBufferPointer { start in
                    let scores = buffers.documentScores, touched = buffers.touched
                    var count = buffers.touchedCount
                    for (term, q) in terms {
                        let scaled = q / Self.weightScale
                        for p in Int(start[Int(term)])..<Int(start[Int(term) + 1]) {
                            let d = Int(docs[p])
                            if scores[d] == 0 {
                                touched[count] = Int32(d)
                                count += 1
                            }
                            scores[d] += scaled * Float(weightsBuffer[p])
                        }
                    }
                    buffers.touchedCount = count
                }
            }
        }
    }

    /// For large indexes: candidates from the query's most selective terms, then exact
    /// cosine for the best of them through the forward index.
    func retrieveAndRescore(_ terms: [(term: Int32, weight: Float)], into buffers: Scratch) {
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
                            score += Float(docWeights[k]) * queryWeight[Int(docTerms[k])]
                        }
                        buffers.documentScores[Int(d)] = max(score / Self.weightScale, Float.leastNonzeroMagnitude)
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
                for label in 0..<labels.count { logits[label] += weight * Float(table[label * termCount + Int(term)]) }
            }
        }
        for label in 0..<labels.count { logits[label] /= Self.logScale }
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

import Testing
@testable import Understanding

@Suite struct IndexBuildTests {
    /// The shipped FAQ repeated with changed wording until the build takes its parallel path.
    static let bigFAQ: [FAQDocument] = (0..<4).flatMap { copy in
        shippedData.data.faq.map { entry in
            FAQDocument(id: "\(entry.id)-\(copy)", topic: entry.topic, questions: entry.questions.map { "\($0) \(["请问", "plan", "香港", "急"][copy])" }, carriers: entry.carriers)
        }
    }

    @Test func theParallelBuildAgreesWithItsOwnForwardRows() {
        let index = shippedClassifier.replacingFAQ(Self.bigFAQ).index
        #expect(index.documentCount > 4000)
        var documentsWithTerm = [Int32](repeating: 0, count: index.documentFrequency.count)
        var postingsExpected = [Int32](repeating: 0, count: index.documentFrequency.count)
        let posted = (0..<index.documentFrequency.count).map { index.postingStart[$0 + 1] > index.postingStart[$0] }
        for d in 0..<index.documentCount {
            let row = Int(index.forwardStart[d])..<Int(index.forwardStart[d + 1])
            #expect(!row.isEmpty)
            #expect(Set(row.map { index.forwardTerm[$0] }).count == row.count, "document \(d) lists a term twice")
            for k in row {
                let term = Int(index.forwardTerm[k])
                documentsWithTerm[term] += 1
                guard posted[term] else { continue }
                postingsExpected[term] += 1
                let postings = Int(index.postingStart[term])..<Int(index.postingStart[term + 1])
                let slot = postings.first { index.postingDocument[$0] == Int32(d) }
                #expect(slot != nil, "document \(d) missing from the postings of term \(term)")
                if let slot { #expect(index.postingWeight[slot] == index.forwardWeight[k]) }
            }
            // Stored as 16-bit fixed point: unit length within the rounding of each component.
            let norm = row.reduce(Float(0)) { total, k in
                let w = Float(index.forwardWeight[k]) / RetrievalIndex.weightScale
                return total + w * w
            }
            #expect(abs(norm - 1) < 1e-3, "document \(d) is not unit length")
        }
        #expect(documentsWithTerm == index.documentFrequency)
        for term in 0..<index.documentFrequency.count {
            let postings = Int(index.postingStart[term])..<Int(index.postingStart[term + 1])
            #expect(Int32(postings.count) == postingsExpected[term])
            let documents = postings.map { index.postingDocument[$0] }
            #expect(documents == documents.sorted(), "postings of term \(term) are out of order")
        }
    }

    @Test func replacingTheFAQDecidesLikeBuildingFromScratch() {
        var data = shippedData.data
        data.faq = Array(Self.bigFAQ.prefix(100))
        let fresh = Classifier(data: data)
        let replaced = shippedClassifier.replacingFAQ(data.faq)
        #expect(replaced.index.documentCount == fresh.index.documentCount)
        for text in ["余额", "點樣續費呀", "ultra 怎么 top up", "自动续费没扣成功", "能退款吗", "怎么转出号码 PIN", "天气怎么样"] {
            let a = fresh.classify(text), b = replaced.classify(text)
            #expect(a.label == b.label, "\(text)")
            #expect(a.candidates.map(\.score) == b.candidates.map(\.score), "\(text)")
        }
    }

    @Test func aReplacedFAQAnswersItsNewEntriesAndForgetsTheOldOnes() {
        let entry = FAQDocument(id: "esim-transfer", topic: "port_out", questions: ["eSIM 怎么转到新手机", "how do I move my eSIM to a new phone", "換手機 eSIM 點轉"])
        let replaced = shippedClassifier.replacingFAQ([entry])
        #expect(replaced.index.targets.contains { $0.target == .faq("esim-transfer") })
        #expect(!replaced.index.targets.contains { $0.target == .faq(shippedData.data.faq[0].id) })
        #expect(replaced.classify("我的eSIM怎么转到新手机").candidates.first?.target == .faq("esim-transfer"))
        #expect(shippedClassifier.classify("我的eSIM怎么转到新手机").candidates.first?.target != .faq("esim-transfer"))
    }
}

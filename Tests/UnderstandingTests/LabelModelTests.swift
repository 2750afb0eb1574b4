import Testing
@testable import Understanding

/// The learned label model on small data: what it learns, that it learns the same every
/// time, and the bounds on what it keeps.
@Suite struct LabelModelTests {
    let normalizer = TextNormalizer()
    let tokenizer = Tokenizer()

    func model(_ documents: [(String, String)], faq: [(String, String)] = [], training: LabelModel.Training = LabelModel.Training()) -> LabelModel {
        LabelModel(
            documents: documents.map { (label: $0.0, text: $0.1) }, faqQuestions: faq.map { (label: $0.0, text: $0.1) },
            normalizer: normalizer, tokenizer: tokenizer, weights: RetrievalIndex.Weights(), training: training)
    }

    func likeliest(_ model: LabelModel, _ text: String) -> (label: String, judgement: LabelModel.Judgement) {
        let judgement = model.judge(tokenizer.tokens(normalizer.normalize(text)))
        let best = judgement.posteriors.indices.max { judgement.posteriors[$0] < judgement.posteriors[$1] }!
        return (model.labels[best], judgement)
    }

    static let documents: [(String, String)] = [
        ("renew", "怎么续费"), ("renew", "我要续费一年"), ("renew", "续费多少钱"), ("renew", "帮我续费"), ("renew", "renew my plan"),
        ("renew", "how do i renew"), ("cancel", "我要注销号码"), ("cancel", "注销要怎么办"), ("cancel", "不想要这个号码了注销吧"),
        ("cancel", "cancel my number"), ("cancel", "please cancel the line"), ("out_of_scope", "今天天气怎么样"), ("out_of_scope", "明天天气好吗"),
        ("out_of_scope", "讲个笑话"), ("out_of_scope", "what is the weather"), ("out_of_scope", "tell me a joke"),
    ]

    @Test func itLearnsTheLabelsAndWhatIsOffTopic() {
        let model = model(Self.documents)
        #expect(model.labels == ["renew", "cancel", "out_of_scope"])
        #expect(likeliest(model, "续费一年多少钱").label == "renew")
        #expect(likeliest(model, "号码注销").label == "cancel")
        #expect(likeliest(model, "please renew").label == "renew")
        let weather = likeliest(model, "天气怎么样")
        #expect(weather.label == "out_of_scope")
        #expect(weather.judgement.inScope < 0.5)
        #expect(likeliest(model, "我要续费").judgement.inScope > 0.5)
        // Words it never saw change nothing; no known word at all leaves the priors.
        #expect(likeliest(model, "续费 zzqq").judgement.posteriors == likeliest(model, "续费").judgement.posteriors)
        let unknown = likeliest(model, "qqzz").judgement
        #expect(unknown.posteriors.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(abs(unknown.posteriors.reduce(0, +) - 1) < 1e-5)
    }

    @Test func itLearnsTheSameModelEveryTimeAndAnAddedMessageKeepsTheOthersInOrder() {
        #expect(model(Self.documents).weights == model(Self.documents).weights)
        #expect(model(Self.documents).bias == model(Self.documents).bias)
        // The training order is by a hash of each text: adding one keeps the others' order.
        var rows = TrainingRows()
        let texts = Self.documents.map(\.1)
        rows.keys = texts.map(LabelModel.key)
        rows.labels = texts.map { _ in 0 }
        let before = rows.orderByKey().map { texts[$0] }
        rows.keys.append(LabelModel.key("新的一句"))
        rows.labels.append(0)
        let after = rows.orderByKey().map { ($0 < texts.count ? texts[$0] : "新的一句") }
        #expect(after.filter { $0 != "新的一句" } == before)
        #expect(Set(before).count == texts.count)
        #expect(before != texts, "an order by hash, not the order given")
    }

    @Test func rareTokensAreNoFeaturesAndALargeFAQTeachesASelection() {
        let model = model(Self.documents)
        let once = tokenizer.tokens(normalizer.normalize("笑话")).map(\.raw)
        let twice = tokenizer.tokens(normalizer.normalize("天气")).map(\.raw)
        #expect(once.contains { model.vocabulary[$0] == nil }, "笑话 is in one message only")
        #expect(twice.allSatisfy { model.vocabulary[$0] != nil }, "天气 is in two")
        let faq = (0..<10).map { ("refund", "退款问题 \($0)") }
        var capped = LabelModel.Training()
        capped.faqQuestionsPerTopic = 4
        #expect(self.model(Self.documents, faq: faq).trainedRows == Self.documents.count + 10)
        let selection = self.model(Self.documents, faq: faq, training: capped)
        #expect(selection.trainedRows == Self.documents.count + 4)
        #expect(selection.labels.last == "refund")
    }
}

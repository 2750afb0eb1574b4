import Foundation
import Understanding

/// Classification time with the shipped data and with a synthetic 10,000-entry FAQ, and
/// index build time for 1,000 entries.
enum UnderstandingBench {
    struct Figures {
        var p50: Sample
        var p99: Sample
        var p50At10k: Sample
        var build1k: Sample
        var stages: [(String, Double)]
    }

    static func run(intentsDirectory: String, messages: [String], runs: Int) throws -> Figures {
        let loaded = try UnderstandingDataLoader.load(directory: intentsDirectory)
        let classifier = Classifier(data: loaded.data)
        for m in messages.prefix(50) { _ = classifier.classify(m) }

        var p50s: [Double] = [], p99s: [Double] = []
        for _ in 0..<runs {
            let times = perCallMicroseconds(messages) { _ = classifier.classify($0) }
            p50s.append(percentile(times, 0.5))
            p99s.append(percentile(times, 0.99))
        }

        // Stage breakdown (median µs), to see where time goes.
        let normalizer = classifier.normalizer, tokenizer = classifier.tokenizer
        let normalized = messages.map { normalizer.normalize($0) }
        let stages: [(String, Double)] = [
            ("normalize", percentile(perCallMicroseconds(messages) { _ = normalizer.normalize($0) }, 0.5)),
            ("tokenize", percentile(perCallMicroseconds(normalized) { _ = tokenizer.tokens($0) }, 0.5)),
            ("entities", percentile(perCallMicroseconds(messages) { _ = classifier.entities.extract($0) }, 0.5)),
        ]

        let only = ProcessInfo.processInfo.environment["BENCH_ONLY"] ?? ""
        if only == "shipped" { return Figures(p50: Sample(p50s), p99: Sample(p99s), p50At10k: Sample([]), build1k: Sample([]), stages: stages) }
        let big = synthetic(loaded.data, entries: 10_000, answers: loaded.faqEntries)
        let bigClassifier = Classifier(data: big)
        for m in messages.prefix(50) { _ = bigClassifier.classify(m) }
        var big50: [Double] = []
        for _ in 0..<runs {
            big50.append(percentile(perCallMicroseconds(messages) { _ = bigClassifier.classify($0) }, 0.5))
        }

        if only == "10k" { return Figures(p50: Sample(p50s), p99: Sample(p99s), p50At10k: Sample(big50), build1k: Sample([]), stages: stages) }
        let thousand = synthetic(loaded.data, entries: 1_000, answers: loaded.faqEntries)
        // An FAQ edit rebuilds the index only (normalization, synonyms and intents stay): the
        // first rebuild warms up, the next ones are measured.
        _ = classifier.replacingFAQ(thousand.faq)
        let build = repeatRuns(max(runs, 9)) { milliseconds { _ = classifier.replacingFAQ(thousand.faq) } }
        return Figures(p50: Sample(p50s), p99: Sample(p99s), p50At10k: Sample(big50), build1k: build, stages: stages)
    }

    /// The shipped data with its FAQ replaced by `entries` generated entries: real questions
    /// recombined with carrier names and filler words, so posting lists grow as they would.
    ///
    /// An entry's variants share its question's phrasings, so the shipped questions are first
    /// split into one document per answer (`perAnswer`): a generated entry then has as many
    /// questions as one shipped answer, the size an entry had before variants existed (16.9
    /// questions on average then, 16.6 per answer now), and the figures stay comparable.
    static func synthetic(_ data: UnderstandingData, entries count: Int, answers: [FAQEntry]) -> UnderstandingData {
        var data = data
        data.faq = perAnswer(answers)
        return synthetic(data, entries: count)
    }

    /// One document per answer: each entry's questions dealt round-robin among its own answer and its variants.
    static func perAnswer(_ entries: [FAQEntry]) -> [FAQDocument] {
        entries.flatMap { entry -> [FAQDocument] in
            let document = entry.document, slices = 1 + entry.variants.count
            return (0..<slices).map { k in
                FAQDocument(
                    id: k == 0 ? entry.id : entry.variants[k - 1].id, topic: entry.topic,
                    questions: document.questions.enumerated().filter { $0.offset % slices == k }.map(\.element))
            }
        }
    }

    static func synthetic(_ data: UnderstandingData, entries count: Int) -> UnderstandingData {
        var generator = SplitMix(seed: 42)
        let fillers = ["请问", "麻烦", "想知道", "急", "唔該", "please", "help", "今日", "香港", "美国", "英国", "卡", "号码", "月", "plan", "line"]
        let carriers = ["ultra", "tello", "t-mobile", "us mobile", "mint", "cmhk", "csl", "3hk", "smartone", "giffgaff"]
        var faq: [FAQDocument] = []
        faq.reserveCapacity(count)
        let topics = Labels.faqTopics + ["renew", "cancel", "check_balance"]
        for i in 0..<count {
            let base = data.faq[i % data.faq.count]
            let questions = base.questions.map { q in
                "\(carriers[Int(generator.next() % UInt64(carriers.count))]) \(q) \(fillers[Int(generator.next() % UInt64(fillers.count))])"
            }
            faq.append(FAQDocument(id: "synthetic-\(i)", topic: topics[i % topics.count], questions: questions))
        }
        var copy = data
        copy.faq = faq
        return copy
    }
}

/// A small deterministic random generator, so the synthetic data is the same every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension UnderstandingBench {
    /// For profiling: builds the 1,000-entry index `times` times.
    static func buildOnly(intentsDirectory: String, times: Int) throws {
        let loaded = try UnderstandingDataLoader.load(directory: intentsDirectory)
        let thousand = synthetic(loaded.data, entries: 1_000, answers: loaded.faqEntries)
        let classifier = Classifier(data: loaded.data)
        for _ in 0..<times {
            let ms = milliseconds { _ = classifier.replacingFAQ(thousand.faq) }
            print("built the 1,000-entry index in \(format(ms)) ms")
        }
        for _ in 0..<times {
            let ms = milliseconds { _ = Classifier(data: thousand) }
            print("built the classifier (index and label model) for the 1,000-entry FAQ in \(format(ms)) ms")
        }
    }
}

extension UnderstandingBench {
    /// For profiling: normalize + tokenize every text of the 1,000-entry FAQ, single-threaded.
    static func tokenizeOnly(intentsDirectory: String) throws {
        let loaded = try UnderstandingDataLoader.load(directory: intentsDirectory)
        let thousand = synthetic(loaded.data, entries: 1_000, answers: loaded.faqEntries)
        let classifier = Classifier(data: loaded.data)
        let texts = thousand.faq.flatMap(\.questions) + thousand.intents.flatMap(\.examples)
        for _ in 0..<3 {
            var n = 0
            let ms = milliseconds {
                for text in texts { n += classifier.tokenizer.tokens(classifier.normalizer.normalize(text)).count }
            }
            let nms = milliseconds { for text in texts { n += classifier.normalizer.normalize(text).scalars.count } }
            print("texts \(texts.count) tokens+normalize \(format(ms)) ms, normalize only \(format(nms)) ms (\(n))")
        }
    }
}

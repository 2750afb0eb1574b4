import Foundation
import Understanding

/// `baohao-bench sweep`: accuracy of weight and policy variants on the labelled sets, for
/// tuning. Prints one line per variant; changes nothing.
enum Sweep {
    static func run(root: String) throws {
        let loaded = try UnderstandingDataLoader.load(directory: root + "/Intents")
        let sets = try ["devset", "holdout"].map { try EvaluationSet.load(root + "/Tests/Fixtures/\($0).jsonl") }
        var variants: [(String, RetrievalIndex.Weights, DecisionPolicy)] = []
        let base = RetrievalIndex.Weights()
        for (threshold, bayes, nearest) in [(0.18, 0.3, 0.7), (0.15, 0.3, 0.7), (0.18, 0.3, 0.6), (0.18, 0.2, 0.8), (0.16, 0.3, 0.8), (0.2, 0.3, 0.7)] as [(Double, Double, Float)] {
            var policy = DecisionPolicy(threshold: threshold, clarifyMargin: 0.08)
            policy.bayesWeight = bayes
            var w = base
            w.nearest = nearest
            variants.append(("t\(threshold) b\(bayes) n\(nearest)", w, policy))
        }
        for threshold in [0.15, 0.2, 0.25] {
            variants.append(("threshold \(threshold)", base, DecisionPolicy(threshold: threshold, clarifyMargin: 0.08)))
        }
        for bayes in [0.0, 0.1, 0.3, 0.5] {
            var policy = DecisionPolicy(threshold: 0.2, clarifyMargin: 0.08)
            policy.bayesWeight = bayes
            variants.append(("bayes \(bayes)", base, policy))
        }
        for support in [0.0, 0.3] {
            var policy = DecisionPolicy(threshold: 0.2, clarifyMargin: 0.08)
            policy.labelSupport = support
            variants.append(("support \(support)", base, policy))
        }
        func vary(_ name: String, _ change: (inout RetrievalIndex.Weights) -> Void) {
            var w = base
            change(&w)
            variants.append((name, w, DecisionPolicy(threshold: 0.2, clarifyMargin: 0.08)))
        }
        vary("unigram 0.25") { $0.unigram = 0.25 }
        vary("unigram 0.7") { $0.unigram = 0.7 }
        vary("concept 1.0") { $0.concept = 1.0 }
        vary("concept 2.2") { $0.concept = 2.2 }
        vary("nearest 0.4") { $0.nearest = 0.4 }
        vary("nearest 0.8") { $0.nearest = 0.8 }
        vary("word 1.4") { $0.word = 1.4 }
        vary("bigram 0.7") { $0.bigram = 0.7 }
        for (name, weights, policy) in variants {
            let classifier = Classifier(data: loaded.data, policy: policy, weights: weights)
            let scores = sets.map { set -> String in
                let predicted = set.map { classifier.classify($0.text) }
                let report = EvaluationReport(utterances: set, predicted: predicted.map(\.label), clarified: predicted.map(\.isClarify), microseconds: [])
                return "acc \(format(report.accuracy, 3)) f1 \(format(report.macroF1, 3)) clarify \(format(report.clarifyRate, 3))"
            }
            print(name.padding(16) + "  dev: " + scores[0] + "   holdout: " + scores[1])
        }
    }
}

import Foundation
import Understanding

/// `baohao-bench sweep`: accuracy of weight and policy variants on the labelled sets, for
/// tuning. Prints one line per variant; changes nothing.
enum Sweep {
    static func run(root: String) throws {
        let loaded = try UnderstandingDataLoader.load(directory: root + "/Intents")
        // The development set, and the sets that measured earlier rounds (no longer blind for
        // what is chosen on them); never the untouched blind set.
        let names = (ProcessInfo.processInfo.environment["SWEEP_SETS"] ?? "devset").split(separator: ",").map(String.init)
        let sets = try names.map { try EvaluationSet.load(root + "/Tests/Fixtures/\($0).jsonl") }
        var variants: [(String, RetrievalIndex.Weights, DecisionPolicy)] = []
        let base = RetrievalIndex.Weights()
        for learned in [0.0, 0.3, 0.6, 1.0] {
            for keep in [0.9, 0.95] {
                var policy = DecisionPolicy()
                policy.learnedWeight = learned
                policy.keepPosterior = keep
                variants.append(("learned \(learned) keep \(keep)", base, policy))
            }
        }
        for bayes in [0.0, 0.3] {
            var policy = DecisionPolicy()
            policy.bayesWeight = bayes
            variants.append(("bayes \(bayes)", base, policy))
        }
        for (floor, posterior) in [(0.5, 0.95), (0.3, 0.95), (0.5, 0.9), (0.3, 0.9), (0.0, 0.95)] {
            var policy = DecisionPolicy()
            policy.keepFloor = floor
            policy.keepPosterior = posterior
            variants.append(("floor \(floor) keep \(posterior)", base, policy))
        }
        for (below, keep) in [(0.05, 0.8), (0.2, 0.8), (0.1, 0.7), (0.1, 0.9)] {
            var policy = DecisionPolicy()
            policy.outOfScopeBelow = below
            policy.keepInScope = keep
            variants.append(("scope \(below) \(keep)", base, policy))
        }
        for (name, weights, policy) in variants {
            let classifier = Classifier(data: loaded.data, policy: policy, weights: weights)
            let scores = sets.map { set -> String in
                let predicted = set.map { classifier.classify($0.text) }
                let report = EvaluationReport(utterances: set, predicted: predicted.map(\.label), clarified: predicted.map(\.isClarify), microseconds: [])
                return "acc \(format(report.accuracy, 3)) f1 \(format(report.macroF1, 3)) clarify \(format(report.clarifyRate, 3))"
            }
            print(name.padding(22) + "  " + zip(names, scores).map { "\($0): \($1)" }.joined(separator: "   "))
        }
    }
}

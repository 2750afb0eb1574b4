/// Per-label precision, recall and F1.
public struct LabelScore: Sendable, Equatable {
    public let label: String
    public let precision: Double
    public let recall: Double
    public let f1: Double
    /// How many utterances carry this label.
    public let support: Int
}

/// A frequent mistake: `gold` predicted as `predicted`, how often, and one example.
public struct Confusion: Sendable, Equatable {
    public let gold: String
    public let predicted: String
    public let count: Int
    public let example: String
}

/// Quality and speed of the understanding on a labelled set.
public struct EvaluationReport: Sendable {
    public let count: Int
    public let accuracy: Double
    /// Mean F1 over every label that is gold or predicted at least once.
    public let macroF1: Double
    public let perLabel: [LabelScore]
    /// The most frequent confusions, at most 10.
    public let confusions: [Confusion]
    /// Share of utterances answered with a clarifying question.
    public let clarifyRate: Double
    public let p50Microseconds: Double
    public let p99Microseconds: Double

    /// Builds the report from gold labels, predictions, clarify flags and timings.
    public init(utterances: [LabelledUtterance], predicted: [String], clarified: [Bool], microseconds: [Double]) {
        precondition(utterances.count == predicted.count && predicted.count == clarified.count)
        count = utterances.count
        let correct = zip(utterances, predicted).filter { $0.label == $1 }.count
        accuracy = count == 0 ? 0 : Double(correct) / Double(count)
        clarifyRate = count == 0 ? 0 : Double(clarified.filter { $0 }.count) / Double(count)
        let labels = Set(utterances.map(\.label)).union(predicted).sorted()
        perLabel = labels.map { label in
            let truePositive = zip(utterances, predicted).filter { $0.label == label && $1 == label }.count
            let predictedCount = predicted.filter { $0 == label }.count
            let support = utterances.filter { $0.label == label }.count
            let precision = predictedCount == 0 ? 0 : Double(truePositive) / Double(predictedCount)
            let recall = support == 0 ? 0 : Double(truePositive) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return LabelScore(label: label, precision: precision, recall: recall, f1: f1, support: support)
        }
        macroF1 = perLabel.isEmpty ? 0 : perLabel.map(\.f1).reduce(0, +) / Double(perLabel.count)
        var mistakes: [String: (count: Int, example: String, gold: String, predicted: String)] = [:]
        for (utterance, guess) in zip(utterances, predicted) where utterance.label != guess {
            let key = utterance.label + "\u{1}" + guess
            mistakes[key, default: (0, utterance.text, utterance.label, guess)].count += 1
        }
        confusions = mistakes.values
            .sorted { $0.count != $1.count ? $0.count > $1.count : ($0.gold, $0.predicted) < ($1.gold, $1.predicted) }
            .prefix(10)
            .map { Confusion(gold: $0.gold, predicted: $0.predicted, count: $0.count, example: $0.example) }
        let sorted = microseconds.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
        }
        p50Microseconds = percentile(0.5)
        p99Microseconds = percentile(0.99)
    }
}

/// A JSON Lines evaluation file could not be read: which line and why.
public struct EvaluationFileError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { "\(file): line \(line): \(reason)" }
}

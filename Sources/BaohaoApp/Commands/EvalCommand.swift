import BaohaoCore
import FoundationEssentials
import Understanding

/// `baohao eval FILE.jsonl [--json]`: accuracy, macro-F1, per-label scores, confusions,
/// clarify rate and classification time on a labelled set.
enum EvalCommand {
    static func run(_ context: CommandContext) throws -> Int32 {
        let config = try context.configuration()
        let classifier = try context.loadClassifier(config)
        let utterances: [LabelledUtterance]
        do {
            utterances = try EvaluationSet.load(context.command.arguments[0])
        } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: error.description)
        }
        let report = evaluate(classifier, utterances)
        context.io.out(context.command.flag("--json") ? json(report) : text(report))
        return ExitCode.success
    }

    static func evaluate(_ classifier: Classifier, _ utterances: [LabelledUtterance]) -> EvaluationReport {
        // Warm up once so the first timing does not include lazy initialisation.
        _ = utterances.prefix(20).map { classifier.classify($0.text) }
        let clock = ContinuousClock()
        var predicted: [String] = [], clarified: [Bool] = [], micros: [Double] = []
        for utterance in utterances {
            var decision: Decision?
            let elapsed = clock.measure { decision = classifier.classify(utterance.text) }
            predicted.append(decision!.label)
            clarified.append(decision!.isClarify)
            micros.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
        }
        return EvaluationReport(utterances: utterances, predicted: predicted, clarified: clarified, microseconds: micros)
    }

    static func percent(_ x: Double) -> String {
        let tenths = Int((x * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func fixed(_ x: Double, _ digits: Int = 3) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((x * scale).rounded())
        let fraction = String(scaled % Int(scale))
        return "\(scaled / Int(scale)).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
    }

    static func text(_ r: EvaluationReport) -> String {
        var lines = [
            "utterances:   \(r.count)",
            "accuracy:     \(fixed(r.accuracy)) (\(percent(r.accuracy)))",
            "macro-F1:     \(fixed(r.macroF1))",
            "clarify rate: \(percent(r.clarifyRate))",
            "time:         median \(fixed(r.p50Microseconds, 1)) µs, p99 \(fixed(r.p99Microseconds, 1)) µs per message",
            "",
            "label                 precision  recall     F1  support",
        ]
        for s in r.perLabel {
            let name = s.label + String(repeating: " ", count: max(0, 20 - s.label.count))
            lines.append("\(name)  \(pad(fixed(s.precision), 9))  \(pad(fixed(s.recall), 6))  \(pad(fixed(s.f1), 5))  \(pad(String(s.support), 7))")
        }
        lines += ["", "most frequent confusions (gold → predicted):"]
        if r.confusions.isEmpty { lines.append("  (none)") }
        for c in r.confusions { lines.append("  \(c.count)× \(c.gold) → \(c.predicted)   e.g. «\(c.example)»") }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

    private struct JSONReport: Encodable {
        struct PerLabel: Encodable { let precision: Double; let recall: Double; let f1: Double; let support: Int }
        struct JSONConfusion: Encodable { let gold: String; let predicted: String; let count: Int; let example: String }
        let accuracy: Double
        let macro_f1: Double
        let count: Int
        let clarify_rate: Double
        let per_label: [String: PerLabel]
        let confusions: [JSONConfusion]
        let p50_us: Double
        let p99_us: Double
    }

    static func json(_ r: EvaluationReport) -> String {
        let report = JSONReport(
            accuracy: r.accuracy, macro_f1: r.macroF1, count: r.count, clarify_rate: r.clarifyRate,
            per_label: Dictionary(uniqueKeysWithValues: r.perLabel.map { ($0.label, .init(precision: $0.precision, recall: $0.recall, f1: $0.f1, support: $0.support)) }),
            confusions: r.confusions.map { .init(gold: $0.gold, predicted: $0.predicted, count: $0.count, example: $0.example) },
            p50_us: r.p50Microseconds, p99_us: r.p99Microseconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(report)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

import Foundation
import Testing
import TestSupport
@testable import Understanding

/// The quality gate: the development set, written separately from the training examples.
@Suite struct DevSetQualityTests {
    @Test func theDevelopmentSetIsWellFormed() throws {
        let set = try EvaluationSet.load(repositoryRoot + "/Tests/Fixtures/devset.jsonl")
        #expect(set.count >= 300)
        #expect(Set(set.map(\.label)) == Set(Labels.evaluationLabels))
        // Written separately: no utterance is a training example or FAQ phrasing, even after
        // normalization (script, width, case, punctuation).
        let normalizer = shippedClassifier.normalizer
        let training = Set((shippedData.data.intents.flatMap(\.examples) + shippedData.data.faq.flatMap(\.questions)).map { normalizer.normalize($0) })
        let copies = set.filter { training.contains(normalizer.normalize($0.text)) }
        #expect(copies.isEmpty, "dev set items copied from the training data: \(copies.map(\.text))")
    }

    /// The training-only messages (Intents/training) share no message with any set used for
    /// measuring, after normalization: a copied line would measure memory, not understanding.
    @Test func noEvaluationSetLineIsATrainingMessage() throws {
        let normalizer = shippedClassifier.normalizer
        let training = Set(shippedData.data.training.map { normalizer.normalize($0.text) })
        for name in ["devset", "holdout", "blind-b", "blind-d", "blind-e", "context-devset"] {
            let file = try String(contentsOfFile: repositoryRoot + "/Tests/Fixtures/\(name).jsonl", encoding: .utf8)
            let texts = file.split(separator: "\n").compactMap { line -> String? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                return object["text"] as? String
            }
            #expect(texts.count >= 300, "\(name)")
            let copies = texts.filter { training.contains(normalizer.normalize($0)) }
            #expect(copies.isEmpty, "\(name) lines that are training messages: \(copies)")
        }
    }

    @Test func accuracyAndMacroF1MeetTheGate() throws {
        let set = try EvaluationSet.load(repositoryRoot + "/Tests/Fixtures/devset.jsonl")
        let decisions = set.map { shippedClassifier.classify($0.text) }
        let report = EvaluationReport(utterances: set, predicted: decisions.map(\.label), clarified: decisions.map(\.isClarify), microseconds: [])
        #expect(report.accuracy >= 0.90, "accuracy \(report.accuracy)")
        #expect(report.macroF1 >= 0.88, "macro-F1 \(report.macroF1)")
    }

    @Test func theEvaluationReportComputesItsFigures() {
        let utterances = [("a", "x"), ("b", "x"), ("c", "y"), ("d", "y")].map { LabelledUtterance(text: $0.0, label: $0.1) }
        let report = EvaluationReport(utterances: utterances, predicted: ["x", "y", "y", "y"], clarified: [false, true, false, false], microseconds: [1, 2, 3, 100])
        #expect(report.accuracy == 0.75)
        let x = report.perLabel.first { $0.label == "x" }!
        let y = report.perLabel.first { $0.label == "y" }!
        #expect(x.precision == 1 && x.recall == 0.5)
        #expect(abs(y.precision - 2.0 / 3.0) < 1e-9 && y.recall == 1)
        #expect(abs(report.macroF1 - (x.f1 + y.f1) / 2) < 1e-9)
        #expect(report.clarifyRate == 0.25)
        #expect(report.confusions == [Confusion(gold: "x", predicted: "y", count: 1, example: "b")])
        #expect(report.p50Microseconds == 3)
        #expect(report.p99Microseconds == 100)
    }

    @Test func badEvaluationLinesNameTheLine() {
        #expect(throws: EvaluationFileError.self) { try EvaluationSet.parse(#"{"text": "a", "intent": "renew"}"# + "\n{oops", source: "f") }
        do {
            _ = try EvaluationSet.parse(#"{"text": "a", "intent": "renew"}"# + "\n\n" + #"{"text": "b", "intent": "nope"}"#, source: "f")
        } catch {
            #expect(error.line == 3)
            #expect(error.reason.contains("'nope' is not a label"))
        }
    }
}

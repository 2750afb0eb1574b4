import FoundationEssentials
import Storage
import Understanding
import BaohaoSupport

/// A question whose right answer is known: a label (intent or topic) and, for an FAQ
/// entry, its id.
public struct LabelledQuestion: Sendable, Equatable {
    public let text: String
    public let label: String
    public let target: String?
    /// Where it comes from: "devset", "clarify", "operator".
    public let source: String

    public init(text: String, label: String, target: String? = nil, source: String) {
        self.text = text
        self.label = label
        self.target = target
        self.source = source
    }
}

/// Replays the known questions against the FAQ as it is and as it would be after a change:
/// questions that were answered correctly and would be answered otherwise are regressions,
/// which the operator must see and confirm before the change is saved.
public enum RegressionGate {
    public struct Regression: Sendable, Equatable {
        public let question: LabelledQuestion
        /// What the question matches now and would match after the change ("faq:hk-renew", "cancel", "clarify", "out_of_scope").
        public let before: String
        public let after: String
    }

    /// The questions answered correctly by `before` that `after` answers otherwise.
    public static func regressions(_ questions: [LabelledQuestion], before: Classifier, after: Classifier) -> [Regression] {
        var found: [Regression] = []
        for question in questions {
            let was = before.classify(question.text)
            guard isCorrect(was, question) else { continue }
            let now = after.classify(question.text)
            if !isCorrect(now, question) { found.append(Regression(question: question, before: describe(was), after: describe(now))) }
        }
        return found
    }

    static func isCorrect(_ decision: Decision, _ question: LabelledQuestion) -> Bool {
        switch decision.outcome {
        case .answer(let candidate):
            guard candidate.label == question.label else { return false }
            guard let target = question.target else { return true }
            if case .faq(let id) = candidate.target { return id == target }
            return false
        case .outOfScope: return question.label == Labels.outOfScope
        case .clarify: return false
        }
    }

    /// A decision in a few words.
    public static func describe(_ decision: Decision) -> String {
        switch decision.outcome {
        case .answer(let candidate):
            if case .faq(let id) = candidate.target { return "faq:\(id)" }
            return candidate.label
        case .outOfScope: return Labels.outOfScope
        case .clarify: return "clarify"
        }
    }

    /// The labelled questions the database holds: clarify taps and operator-accepted phrasings.
    public static func storedQuestions(_ db: Connection) throws -> [LabelledQuestion] {
        try db.query("SELECT text, label, target, source FROM labelled_examples ORDER BY id") { row in
            let target = row.optionalString(2).flatMap { $0.hasPrefix("faq:") ? String($0.dropFirst(4)) : nil }
            return LabelledQuestion(text: row.string(0), label: row.string(1), target: target, source: row.string(3))
        }
    }

    /// The development set (`{"text", "intent"}` per line); an unreadable line is skipped and counted.
    public static func loadDevelopmentSet(path: String) -> (questions: [LabelledQuestion], skipped: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        var questions: [LabelledQuestion] = [], skipped = 0
        for line in Array(data).split(separator: UInt8(ascii: "\n")) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            if case .object(let item)? = try? JSONValue.parse(Array(line)), case .string(let text)? = item["text"], case .string(let label)? = item["intent"] {
                questions.append(LabelledQuestion(text: text, label: label, source: "devset"))
            } else {
                skipped += 1
            }
        }
        return (questions, skipped)
    }
}

import Storage
public import Understanding
import BaohaoSupport

#if canImport(Glibc)
import Glibc
#endif

/// A question whose right answer is known: a label (intent or topic) and, for an FAQ
/// entry, its id.
public struct LabelledQuestion: Sendable, Equatable {
    public let text: String
    public let label: String
    public let target: String?
    /// Where it comes from: "regression_set" (the file), "clarify", "operator".
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
            if case .faq = candidate.target { return candidate.target.description }
            return candidate.label
        case .outOfScope: return Labels.outOfScope
        case .clarify: return "clarify"
        }
    }

    /// The regression set (`regression_set_file`, shipped as `Intents/regression.jsonl`): one
    /// `{"text": ..., "intent": LABEL}` per line, as `baohao eval` reads it. A file that cannot
    /// be read, or any bad line, is a configuration error naming the key, the file and the
    /// line: never a smaller or empty gate.
    public static func loadRegressionSet(path: String) throws(ConfigurationError) -> [LabelledQuestion] {
        try checkRegressionSetFile(path: path)
        do {
            return try EvaluationSet.load(path).map { LabelledQuestion(text: $0.text, label: $0.label, source: "regression_set") }
        } catch {
            throw regressionSetError(path, error.line > 0 ? "line \(error.line): \(error.reason)" : error.reason)
        }
    }

    /// What `baohao run` checks at start, before the set is first read (at the first FAQ
    /// change): the file exists and can be read.
    public static func checkRegressionSetFile(path: String) throws(ConfigurationError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        var byte: UInt8 = 0
        // A directory opens, but reading it fails (EISDIR).
        let failure = fd >= 0 && read(fd, &byte, 1) >= 0 ? nil : String(cString: strerror(errno))
        if fd >= 0 { close(fd) }
        if let failure { throw regressionSetError(path, "cannot read the file (\(failure))") }
    }

    static func regressionSetError(_ path: String, _ reason: String) -> ConfigurationError {
        ConfigurationError([ConfigurationProblem(source: path, key: "regression_set_file", reason: reason)])
    }
}

public import Storage
import Synchronization
public import Understanding
public import BaohaoSupport

/// FAQ changes as operators make them, from chat or the command line: each is validated,
/// replayed against the known questions (the regression gate), saved as a new version and
/// audited, in the caller's transaction.
public struct FAQEditor: Sendable {
    public enum Change: Sendable, Equatable {
        /// A new entry (`basedOn` nil) or a new version of one.
        case save(FAQEntry, basedOn: Int?)
        case delete(id: String, basedOn: Int)
        case rollback(id: String, to: Int, basedOn: Int?)

        public var entryID: String {
            switch self {
            case .save(let entry, _): entry.id
            case .delete(let id, _), .rollback(let id, _, _): id
            }
        }
    }

    /// What a change would do.
    public struct Review: Sendable {
        public let problems: [FAQProblem]
        public let regressions: [RegressionGate.Regression]
        public let diff: [String]
        /// The FAQ after the change.
        public let entries: [FAQEntry]
    }

    /// Why a change was not saved.
    public enum Rejection: Error, Sendable, CustomStringConvertible {
        case invalid([FAQProblem])
        /// Questions that were answered correctly would now be answered otherwise; save with `acceptingRegressions`.
        case regressions([RegressionGate.Regression])
        case refused(FAQStore.Refusal)
        /// The regression set file cannot be read or has a bad line: no change is saved ungated.
        case regressionSetUnusable(ConfigurationError)

        public var description: String {
            switch self {
            case .invalid(let problems): problems.map(\.description).joined(separator: "\n")
            case .regressionSetUnusable(let error): "the regression gate cannot run, nothing was saved: " + error.problems.map(\.description).joined(separator: "; ")
            case .regressions(let found):
                "\(found.count) known question(s) would be answered differently:\n"
                    + found.map { "“\($0.question.text)”: \($0.before) → \($0.after)" }.joined(separator: "\n")
            case .refused(let refusal): refusal.description
            }
        }
    }

    public let validator: FAQValidator
    private let regressionSetSource: RegressionSetSource

    public init(validator: FAQValidator, regressionSet: [LabelledQuestion]) {
        self.validator = validator
        regressionSetSource = RegressionSetSource(questions: regressionSet)
    }

    /// The regression set is read from `regressionSetFile` on the first change, not at
    /// start-up (check the file at start with `RegressionGate.checkRegressionSetFile`); nil:
    /// only the database's labelled questions are replayed.
    public init(validator: FAQValidator, regressionSetFile: String?) {
        self.validator = validator
        regressionSetSource = RegressionSetSource(file: regressionSetFile)
    }

    /// The regression set's questions (the database's labelled questions are added to them).
    public func regressionSet() throws(Rejection) -> [LabelledQuestion] {
        do { return try regressionSetSource.questions() } catch { throw .regressionSetUnusable(error) }
    }

    /// What `change` would do to the FAQ the database holds; `classifier` answers from that FAQ now.
    public func review(_ change: Change, in db: any Connection, classifier: Classifier) throws -> Review {
        let current = try FAQStore.current(db)
        let latest = try FAQStore.latest(db, id: change.entryID)
        var entries = current
        var problems: [FAQProblem] = []
        let old = latest?.entry
        var new: FAQEntry?
        switch change {
        case .save(let entry, _):
            new = entry
            if let index = entries.firstIndex(where: { $0.id == entry.id }) { entries[index] = entry } else { entries.append(entry) }
            problems = validator.problems(entry, in: entries)
        case .delete(let id, _):
            entries.removeAll { $0.id == id }
        case .rollback(let id, let version, _):
            guard let target = try FAQStore.version(db, id: id, version: version) else { throw Rejection.refused(.unknownVersion(entry: id, version: version)) }
            new = target.entry
            if let entry = target.entry {
                if let index = entries.firstIndex(where: { $0.id == id }) { entries[index] = entry } else { entries.append(entry) }
                problems = validator.problems(entry, in: entries)
            } else {
                entries.removeAll { $0.id == id }
            }
        }
        var regressions: [RegressionGate.Regression] = []
        if problems.isEmpty {
            let questions = try regressionSet() + (try LabelledExamples.all(db))
            regressions = RegressionGate.regressions(questions, before: classifier, after: classifier.replacingFAQ(entries.map(\.document)))
        }
        return Review(problems: problems, regressions: regressions, diff: FAQDiff.lines(from: old, to: new), entries: entries)
    }

    /// Validates, gates, saves and audits `change`. Throws `Rejection` and changes nothing when refused.
    @discardableResult
    public func apply(
        _ change: Change, in db: any Connection, classifier: Classifier, author: String, at now: Instant, acceptingRegressions: Bool = false
    ) throws -> FAQStore.Version {
        let review = try review(change, in: db, classifier: classifier)
        guard review.problems.isEmpty else { throw Rejection.invalid(review.problems) }
        guard review.regressions.isEmpty || acceptingRegressions else { throw Rejection.regressions(review.regressions) }
        do {
            let version: FAQStore.Version
            switch change {
            case .save(let entry, let basedOn): version = try FAQStore.save(db, entry, basedOn: basedOn, author: author, at: now)
            case .delete(let id, let basedOn): version = try FAQStore.delete(db, id: id, basedOn: basedOn, author: author, at: now)
            case .rollback(let id, let to, let basedOn): version = try FAQStore.rollback(db, id: id, to: to, basedOn: basedOn, author: author, at: now)
            }
            let action: String =
                switch change {
                case .save(_, nil): "faq.add"
                case .save: "faq.edit"
                case .delete: "faq.delete"
                case .rollback: "faq.rollback"
                }
            let accepted = review.regressions.isEmpty ? "" : " (accepted \(review.regressions.count) regression(s))"
            try OperatorRoles.audit(db, actor: author, action: action, detail: "\(version.entryID) v\(version.version)\(accepted)\n\(version.note)", at: now)
            return version
        } catch let refusal as FAQStore.Refusal {
            throw Rejection.refused(refusal)
        }
    }

    /// Deletes `id`, which `into` now holds as a variant (an import of a regrouped FAQ), with
    /// a history note saying so; audited. No gate: the import gated the whole change.
    public func absorb(_ id: String, basedOn: Int, into: String, in db: any Connection, author: String, at now: Instant) throws {
        do {
            let version = try FAQStore.delete(db, id: id, basedOn: basedOn, author: author, at: now, note: "absorbed into \(into) as a variant")
            try OperatorRoles.audit(db, actor: author, action: "faq.absorb", detail: "\(id) v\(version.version) into \(into)", at: now)
        } catch let refusal as FAQStore.Refusal {
            throw Rejection.refused(refusal)
        }
    }
}

/// The regression set, read once when first needed. A failed read is not remembered: the
/// next change tries again (after the file is fixed, without a restart).
final class RegressionSetSource: Sendable {
    private let file: String?
    private let loaded: Mutex<[LabelledQuestion]?>

    init(questions: [LabelledQuestion]) {
        file = nil
        loaded = Mutex(questions)
    }

    init(file: String?) {
        self.file = file
        loaded = Mutex(nil)
    }

    func questions() throws(ConfigurationError) -> [LabelledQuestion] {
        try loaded.withLock { cached throws(ConfigurationError) in
            if let cached { return cached }
            let questions = try file.map { path throws(ConfigurationError) in try RegressionGate.loadRegressionSet(path: path) } ?? []
            cached = questions
            return questions
        }
    }
}

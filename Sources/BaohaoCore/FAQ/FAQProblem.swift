/// Something wrong with an FAQ entry or file, named by entry and field.
public struct FAQProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The entry's id, or `entries[N]` when it has none.
    public let entry: String
    /// The field's path, e.g. `answer.en` or `phrasings[2]`; empty for the whole entry.
    public let field: String
    public let reason: String

    public init(entry: String, field: String, reason: String) {
        self.entry = entry
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? "\(entry): \(reason)" : "\(entry), \(field): \(reason)" }
}

/// Every problem found, as one error.
public struct FAQProblems: Error, Sendable, CustomStringConvertible {
    public let problems: [FAQProblem]
    public init(_ problems: [FAQProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// One problem in the configuration: where it is and what is wrong.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file path, "environment" or "command line".
    public let source: String
    /// The key path (`alerts.quiet_hours.start`) or variable name (`BAOHAO_OPERATORS`).
    public let key: String
    /// What is wrong, and what is expected.
    public let reason: String

    public init(source: String, key: String, reason: String) {
        self.source = source
        self.key = key
        self.reason = reason
    }

    public var description: String { key.isEmpty ? "\(source): \(reason)" : "\(source): \(key): \(reason)" }
}

/// The configuration could not be used; every problem found is listed.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]

    public init(_ problems: [ConfigurationProblem]) { self.problems = problems }

    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

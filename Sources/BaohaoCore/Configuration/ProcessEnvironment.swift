import FoundationEssentials

/// The environment variables the bot reads. Tests construct one with the values they need.
public struct ProcessEnvironment: Sendable {
    /// Variable names to values.
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The environment of this process.
    public static var current: ProcessEnvironment { ProcessEnvironment(ProcessInfo.processInfo.environment) }

    /// The value of `name`, or nil when it is unset or empty.
    public subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }
}

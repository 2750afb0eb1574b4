/// The understanding data is wrong: which file, which entry, which field, and why.
public struct UnderstandingDataError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// The entry (an FAQ id, an intent, `examples.en[3]`, `line 12`), or "" for the whole file.
    public let entry: String
    /// The field within the entry, or "".
    public let field: String
    public let reason: String

    public init(file: String, entry: String, field: String, reason: String) {
        self.file = file
        self.entry = entry
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var location = file
        if !entry.isEmpty { location += ": entry \(entry)" }
        if !field.isEmpty { location += ": field \(field)" }
        return "\(location): \(reason)"
    }
}

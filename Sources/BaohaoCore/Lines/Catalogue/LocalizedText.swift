/// A text in the three languages customers write in.
public struct LocalizedText: Sendable, Equatable, Codable {
    public var simplified: String
    public var traditional: String
    public var english: String

    public init(simplified: String, traditional: String, english: String) {
        self.simplified = simplified
        self.traditional = traditional
        self.english = english
    }

    /// The text for a language tag: `zh-Hans`, `zh-Hant` or `en` (anything else: English).
    public func text(for language: String) -> String {
        switch language {
        case "zh-Hans": simplified
        case "zh-Hant": traditional
        default: english
        }
    }
}

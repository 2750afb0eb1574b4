/// The languages the bot answers in.
public enum Language: String, Sendable, CaseIterable, Codable, Hashable {
    case zhHans = "zh-Hans"
    case zhHant = "zh-Hant"
    case en = "en"
}

public import Understanding

/// Tells the language of a message: traditional characters or Cantonese particles mean
/// zh-Hant, Latin text with no Han means en, other Han text zh-Hans. Messages with no
/// letters at all (a number, an emoji) tell nothing.
public struct LanguageDetector: Sendable {
    let traditionalToSimplified: CharacterMap
    static let cantoneseParticles: Set<Unicode.Scalar> = ["嘅", "咗", "冇", "唔", "喺", "乜", "嘢", "啲", "佢", "哋", "嚟", "咩", "嗰", "咁", "噉", "啱", "畀", "俾", "揾", "搵", "睇", "諗", "攞", "喎", "囉", "嘞", "㗎", "咪", "邊", "點"]

    public init(traditionalToSimplified: CharacterMap) { self.traditionalToSimplified = traditionalToSimplified }

    public func detect(_ text: String) -> Language? {
        var han = 0, latin = 0, traditional = 0
        for scalar in text.unicodeScalars.prefix(400) {
            let v = scalar.value
            if TextNormalizer.isHan(v) {
                han += 1
                if Self.cantoneseParticles.contains(scalar) { traditional += 2; continue }
                if traditionalToSimplified.map(v) != v { traditional += 1 }
            } else if (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) {
                latin += 1
            }
        }
        if han > 0 { return traditional > 0 ? .zhHant : .zhHans }
        return latin >= 2 ? .en : nil
    }

    /// The language a platform code points to: `zh-hant`, `zh-tw`, `zh-hk` → zh-Hant;
    /// other `zh` → zh-Hans; `en…` → en.
    public static func language(forCode code: String?) -> Language? {
        guard let code = code?.lowercased(), !code.isEmpty else { return nil }
        if code.hasPrefix("zh") {
            return code.contains("hant") || code.contains("tw") || code.contains("hk") || code.contains("mo") ? .zhHant : .zhHans
        }
        return code.hasPrefix("en") ? .en : nil
    }
}

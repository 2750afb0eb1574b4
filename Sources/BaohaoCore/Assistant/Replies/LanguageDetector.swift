public import Understanding

/// Tells the language of a message: traditional characters or Cantonese particles mean
/// zh-Hant, Latin text with no Han means en, other Han text zh-Hans; Japanese (Han with
/// kana) is answered in English, the bot's language for everyone who writes neither form of
/// Chinese. Messages with no letters at all (a number, an emoji) tell nothing.
public struct LanguageDetector: Sendable {
    let traditionalToSimplified: CharacterMap
    static let cantoneseParticles: Set<Unicode.Scalar> = ["嘅", "咗", "冇", "唔", "喺", "乜", "嘢", "啲", "佢", "哋", "嚟", "咩", "嗰", "咁", "噉", "啱", "畀", "俾", "揾", "搵", "睇", "諗", "攞", "喎", "囉", "嘞", "㗎", "咪", "邊", "點"]

    public init(traditionalToSimplified: CharacterMap) { self.traditionalToSimplified = traditionalToSimplified }

    public func detect(_ text: String) -> Language? {
        var han = 0, latin = 0, traditional = 0, kana = 0
        for scalar in text.unicodeScalars.prefix(400) {
            let v = scalar.value
            if (0x3041...0x30FA).contains(v) || (0x31F0...0x31FF).contains(v) || (0xFF66...0xFF9D).contains(v) {
                kana += 1
            } else if TextNormalizer.isHan(v) {
                han += 1
                if Self.cantoneseParticles.contains(scalar) { traditional += 2; continue }
                if traditionalToSimplified.map(v) != v { traditional += 1 }
            } else if (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) {
                latin += 1
            }
        }
        // Kana: Japanese (one stray katakana, as in a kaomoji, is not enough).
        if kana >= 2 { return .en }
        if han > 0 { return traditional > 0 ? .zhHant : .zhHans }
        return latin >= 2 ? .en : nil
    }

    /// The language a platform code points to: `zh-hant`, `zh-tw`, `zh-hk` → zh-Hant;
    /// other `zh` → zh-Hans; `yue` (Cantonese) → zh-Hant; any other language (`en`, `ja`,
    /// `ko`, `ru` …) → en, the language the bot speaks to those who read no Chinese.
    public static func language(forCode code: String?) -> Language? {
        guard let code, !code.isEmpty else { return nil }
        return supportedLanguage(forCode: code) ?? .en
    }

    /// The language a code names among those the bot speaks (`zh…`, `yue`, `en…`); nil for
    /// any other: what `/lang CODE` accepts.
    public static func supportedLanguage(forCode code: String) -> Language? {
        let code = code.lowercased()
        if code.hasPrefix("zh") {
            return code.contains("hant") || code.contains("tw") || code.contains("hk") || code.contains("mo") ? .zhHant : .zhHans
        }
        if code.hasPrefix("yue") { return .zhHant }
        return code.hasPrefix("en") ? .en : nil
    }
}

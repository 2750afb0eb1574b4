import Storage
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// Which language a customer is answered in when their messages do not say.
@Suite struct LanguageChoiceTests {
    let detector = LanguageDetector(traditionalToSimplified: ShippedAssistantData.understanding.data.traditionalToSimplified)

    /// Telegram's language code decides a first reply without words to go by: Chinese codes
    /// their script, Cantonese traditional, and every other language English.
    @Test(arguments: [
        ("zh-hans", Language.zhHans), ("zh-TW", .zhHant), ("zh-hk", .zhHant), ("yue", .zhHant), ("en-US", .en), ("ja", .en), ("ko", .en),
        ("ru", .en), ("pt-br", .en),
    ])
    func aLanguageCodeBelowChineseAndEnglishMeansEnglish(code: String, expected: Language) {
        #expect(LanguageDetector.language(forCode: code) == expected)
    }

    /// `/lang CODE` accepts only the languages the bot speaks.
    @Test func theLanguageCommandTakesOnlyLanguagesTheBotSpeaks() {
        #expect(LanguageDetector.supportedLanguage(forCode: "ja") == nil)
        #expect(LanguageDetector.supportedLanguage(forCode: "zh-hant") == .zhHant)
        #expect(LanguageDetector.supportedLanguage(forCode: "en") == .en)
    }

    /// Japanese, kanji and all, is answered in English; Chinese with a stray katakana (a
    /// kaomoji) stays Chinese.
    @Test func japaneseTextIsAnsweredInEnglish() {
        #expect(detector.detect("残高を確認したいです") == .en)
        #expect(detector.detect("カードの有効期限はいつですか") == .en)
        #expect(detector.detect("我的余额ツ") == .zhHans)
        #expect(detector.detect("我想續費") == .zhHant)
    }

    /// What the customer sees: a Japanese user's first message gets the English greeting,
    /// not the Chinese one.
    @Test func aJapaneseUserIsGreetedInEnglish() async throws {
        let d = try await Dialogue()
        let hello = try await d.say("/start", hint: "ja")
        #expect(hello.text.contains(HTML.plainText(ShippedAssistantData.replies.text(.greeting, .en))), "\(hello.text)")
        let japanese = try await d.say("こんにちは", chat: 43, hint: "ja")
        #expect(!japanese.text.contains("您好") && !japanese.text.contains("你好"), "\(japanese.text)")
    }
}

import Testing
@testable import Understanding

@Suite struct NormalizationTests {
    let normalizer = shippedClassifier.normalizer

    private func n(_ text: String) -> String { normalizer.normalize(text).string }

    @Test(arguments: [
        ("點樣續費", "怎样续费"),
        ("餘額", "余额"),
        ("號碼過期", "号码过期"),
        ("轉台", "转网"),
        ("幾時到期", "什么时候到期"),
        ("我張卡仲有幾多錢", "我的卡还有多少钱"),
        ("增值咗未入數", "充值了未到账"),
        ("冇收到", "没有收到"),
        ("唔該晒", "谢谢"),
    ])
    func traditionalAndCantoneseBecomeStandardSimplified(input: String, expected: String) {
        #expect(n(input) == expected)
    }

    @Test func widthsCaseAndPunctuation() {
        #expect(n("ＵＬＴＲＡ　怎么ｔｏｐ ｕｐ？") == "ultra 怎么top up")
        #expect(n("Top-Up!!! NOW...") == "top up now")
        #expect(n("Café RÉSUMÉ") == "cafe resume")
        #expect(n("续费，，，。。。") == "续费")
    }

    @Test(arguments: [
        ("三個月", "3个月"), ("两年", "2年"), ("十二个月", "12个月"), ("半年", "6个月"), ("半个月", "15天"),
        ("一年", "1年"), ("二十块", "20块"), ("续一下", "续一下"), ("一起", "一起"),
    ])
    func chineseNumeralsInQuantitiesBecomeDigits(input: String, expected: String) {
        #expect(n(input) == expected)
    }

    @Test func emojiAndInvisibleCharactersAreDropped() {
        #expect(n("续费👍🏽🇭🇰") == "续费")
        #expect(n("re\u{200D}new\u{200B}") == "renew")
        #expect(n("\u{202E}余额\u{202C}") == "余额")
        #expect(n("e\u{0301}") == "e")
        #expect(n("\u{0000}\u{0007}余额\u{FEFF}") == "余额")
    }

    @Test(arguments: ["", " ", "\n\t", "👍👍👍", "？！。，", "\u{200D}\u{200D}", "\u{0301}\u{0301}"])
    func nothingLeftIsEmpty(input: String) {
        #expect(n(input) == "")
    }

    @Test func longTextIsBounded() {
        let huge = String(repeating: "续费余额", count: 25_000)  // 100,000 characters
        let out = normalizer.normalize(huge)
        #expect(out.scalars.count <= TextNormalizer.maximumOutputScalars)
        #expect(out.string.hasPrefix("续费余额"))
    }

    /// Pinyin words for the service's vocabulary become the Chinese they spell, written
    /// together or apart, as whole words only: English and other Latin words are left alone.
    @Test(arguments: [
        ("tuikuan yao duo jiu", "退款 yao 多久"),
        ("ZIDONG XUFEI kaiqi", "自动 续费 开启"),
        ("ren gong ke fu", "人工客服"),
        ("yu e duoshao", "余额 多少"),
        ("nihao", "你好"),
        ("我的yue还有多少", "我的余额还有多少"),
        ("how do i renew", "how do i renew"),
        ("xufeis", "xufeis"),
        ("axufei", "axufei"),
        ("xufei2", "xufei2"),
        ("3 ge yue 多少钱", "3 个月 多少钱"),
        ("tuikuan幾耐", "退款多久"),
    ])
    func pinyinBecomesChineseAsWholeWords(input: String, expected: String) {
        #expect(n(input) == expected)
    }

    @Test func normalizationIsIdempotent() {
        for text in ["點樣續費呀 ULTRA", "我張卡仲有幾多錢", "三個月 HK$50", "Top-Up 👍 ３個月", "增值咗未入數", "zidong xufei 幾耐", "ren gong ke fu"] {
            let once = n(text)
            #expect(n(once) == once, "not idempotent on \(text)")
        }
    }
}

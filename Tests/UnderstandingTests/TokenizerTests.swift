import Testing
@testable import Understanding

@Suite struct TokenizerTests {
    @Test func stemmerJoinsWordForms() {
        func stem(_ w: String) -> String { String(decoding: Stemmer.stem(Array(w.utf8)), as: UTF8.self) }
        #expect(stem("renew") == stem("renewal"))
        #expect(stem("renew") == stem("renewing"))
        #expect(stem("renew") == stem("renewed"))
        #expect(stem("renew") == stem("renews"))
        #expect(stem("cancel") == stem("cancelled"))
        #expect(stem("cancel") == stem("cancellation"))
        #expect(stem("top") == stem("topping"))
        #expect(stem("charge") == stem("charges"))
    }

    @Test func cjkGivesUnigramsAndBigramsWordsGiveStems() {
        let tokenizer = Tokenizer()
        let readable = tokenizer.explainedTokens(TextNormalizer().normalize("续费 renewing")).map(\.1)
        #expect(readable == ["续", "续费", "费", "renewing"])
        let tokens = tokenizer.tokens(TextNormalizer().normalize("续费 renewing"))
        #expect(tokens.filter { $0.kind == .unigram }.count == 2)
        #expect(tokens.filter { $0.kind == .bigram }.count == 1)
        #expect(tokens.filter { $0.kind == .word }.count == 1)
    }

    @Test func numbersBecomeSizeClasses() {
        let tokens = Tokenizer().explainedTokens(TextNormalizer().normalize("order 12 and 4155550134"))
        #expect(tokens.map(\.1).contains("<number:short>"))
        #expect(tokens.map(\.1).contains("<number:long>"))
    }

    @Test func synonymsMatchLongestFirstAcrossScripts() {
        let normalizer = TextNormalizer()
        let tokenizer = Tokenizer(synonyms: [
            (concept: "card", terms: ["信用卡", "credit card"].map { normalizer.normalize($0) }),
            (concept: "number", terms: ["卡"].map { normalizer.normalize($0) }),
            (concept: "balance", terms: ["credit", "余额"].map { normalizer.normalize($0) }),
        ])
        func concepts(_ text: String) -> [String] {
            tokenizer.explainedTokens(normalizer.normalize(text)).map(\.1).filter { $0.contains("<") }
        }
        #expect(concepts("信用卡被拒") == ["信用卡→<card>"])
        #expect(concepts("我的卡") == ["卡→<number>"])
        #expect(concepts("my credit card") == ["credit card→<card>"])
        #expect(concepts("credit left") == ["credit→<balance>"])
    }
}

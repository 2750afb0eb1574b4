import Testing
import Understanding
@testable import BaohaoCore

private let fiveLines = "<b>续费方法</b>\n1. 打开 App\n2. 选择「续期」\n3. 付款\n完成后会收到短信。"

private let renew = FAQEntry(
    id: "renew-how", topic: "renew", regions: ["us"], carriers: ["ultra"],
    question: [.zhHans: "怎么续费", .en: "How do I renew?"],
    phrasings: ["续费", "怎么充值", "top up"],
    answer: [.zhHans: "打开 App 续费。", .zhHant: fiveLines, .en: "Open the app and renew."],
    threshold: 0.7)

/// `renew` with some fields replaced.
private func edited(
    topic: String? = nil, regions: [String]? = nil, carriers: [String]? = nil, question: [Language: String]? = nil,
    phrasings: [String]? = nil, answer: [Language: String]? = nil, threshold: Double?? = nil
) -> FAQEntry {
    FAQEntry(
        id: renew.id, topic: topic ?? renew.topic, regions: regions ?? renew.regions, carriers: carriers ?? renew.carriers,
        question: question ?? renew.question, phrasings: phrasings ?? renew.phrasings, answer: answer ?? renew.answer,
        threshold: threshold ?? renew.threshold)
}

@Suite struct FAQDiffTests {
    @Test func nothingChangedGivesNoLines() {
        #expect(FAQDiff.lines(from: renew, to: renew) == [])
        #expect(FAQDiff.lines(from: renew, to: edited()) == [])
        #expect(FAQDiff.lines(from: nil, to: nil) == [])
    }

    @Test func aTopicChange() {
        #expect(FAQDiff.lines(from: renew, to: edited(topic: "cancel")) == ["topic: renew → cancel"])
    }

    @Test func phrasingsAddedAndRemovedButNotReordered() {
        #expect(FAQDiff.lines(from: renew, to: edited(phrasings: ["top up", "续费", "怎么充值"])) == [])
        #expect(FAQDiff.lines(from: renew, to: edited(phrasings: ["续费", "怎么充值", "top up", "如何续期"])) == [
            "phrasings: + “如何续期”",
        ])
        #expect(FAQDiff.lines(from: renew, to: edited(phrasings: ["怎么充值", "续费"])) == ["phrasings: − “top up”"])
        #expect(FAQDiff.lines(from: renew, to: edited(phrasings: ["renew", "续费", "top up", "怎么充值", "续费"])) == [
            "phrasings: + “renew”",
            "phrasings: + “续费”",
        ])
    }

    @Test func oneChangedLineAmongFiveShowsAlone() {
        let changed = "<b>续费方法</b>\n1. 打开 App\n2. 选择「续期」\n3. 用信用卡付款\n完成后会收到短信。"
        var answer = renew.answer
        answer[.zhHant] = changed
        #expect(FAQDiff.lines(from: renew, to: edited(answer: answer)) == [
            "answer[zh-Hant]:",
            "  − 3. 付款",
            "  + 3. 用信用卡付款",
        ])
    }

    @Test func answerLinesInsertedRemovedAndMovedAreLineDiffs() {
        func answerDiff(_ old: String, _ new: String) -> [String] {
            FAQDiff.lines(from: edited(answer: [.en: old]), to: edited(answer: [.en: new]))
        }
        #expect(answerDiff("a\nb\nc", "a\nc\nd") == ["answer[en]:", "  − b", "  + d"])
        #expect(answerDiff("a\nb", "a\nb\n") == ["answer[en]:", "  + "])
        #expect(answerDiff("a\nb\nc\nd", "x\ny\nb\nc\nz") == ["answer[en]:", "  − a", "  + x", "  + y", "  − d", "  + z"])
        #expect(answerDiff("one", "two") == ["answer[en]:", "  − one", "  + two"])
    }

    @Test func aLanguageLeftOutOrAdded() {
        var withoutEnglish = renew.answer
        withoutEnglish[.en] = nil
        #expect(FAQDiff.lines(from: renew, to: edited(answer: withoutEnglish)) == ["answer[en]: left out"])
        #expect(FAQDiff.lines(from: edited(answer: withoutEnglish), to: renew) == ["answer[en]: added"])
    }

    @Test func questionsTagsAndThreshold() {
        #expect(FAQDiff.lines(from: renew, to: edited(question: [.zhHans: "怎么续费?", .zhHant: "點樣續費"])) == [
            "question[zh-Hans]: “怎么续费” → “怎么续费?”",
            "question[zh-Hant]: + “點樣續費”",
            "question[en]: − “How do I renew?”",
        ])
        #expect(FAQDiff.lines(from: renew, to: edited(regions: ["hk", "us"], carriers: ["cmhk"])) == [
            "tags.region: + hk",
            "tags.carrier: − ultra",
            "tags.carrier: + cmhk",
        ])
        #expect(FAQDiff.lines(from: renew, to: edited(threshold: .some(0.75))) == ["threshold: 0.7 → 0.75"])
        #expect(FAQDiff.lines(from: renew, to: edited(threshold: .some(nil))) == ["threshold: − 0.7"])
    }

    @Test func changesComeInFieldOrder() {
        let everything = FAQEntry(
            id: "other-id", topic: "cancel", regions: [], carriers: ["ultra", "h2o"],
            question: [.zhHans: "怎么取消"], phrasings: ["取消"],
            answer: [.zhHans: "打开 App 取消。", .zhHant: fiveLines], threshold: nil)
        #expect(FAQDiff.lines(from: renew, to: everything) == [
            "topic: renew → cancel",
            "tags.region: − us",
            "tags.carrier: + h2o",
            "question[zh-Hans]: “怎么续费” → “怎么取消”",
            "question[en]: − “How do I renew?”",
            "phrasings: − “续费”",
            "phrasings: − “怎么充值”",
            "phrasings: − “top up”",
            "phrasings: + “取消”",
            "answer[zh-Hans]:",
            "  − 打开 App 续费。",
            "  + 打开 App 取消。",
            "answer[en]: left out",
            "threshold: − 0.7",
        ])
    }

    @Test func aNewEntryListsEveryField() {
        #expect(FAQDiff.lines(from: nil, to: renew) == [
            "topic: + renew",
            "tags.region: + us",
            "tags.carrier: + ultra",
            "question[zh-Hans]: + “怎么续费”",
            "question[en]: + “How do I renew?”",
            "phrasings: + “续费”",
            "phrasings: + “怎么充值”",
            "phrasings: + “top up”",
            "answer[zh-Hans]: added",
            "answer[zh-Hant]: added",
            "answer[en]: added",
            "threshold: + 0.7",
        ])
        let bare = FAQEntry(id: "x", topic: "misc", question: [:], phrasings: [], answer: [.en: "Hi"])
        #expect(FAQDiff.lines(from: nil, to: bare) == ["topic: + misc", "answer[en]: added"])
    }

    @Test func aDeletedEntryIsOneLine() {
        #expect(FAQDiff.lines(from: renew, to: nil) == ["deleted"])
    }
}

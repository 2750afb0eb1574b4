import Foundation
import Testing
import TestSupport
@testable import Understanding

@Suite struct DataLoaderTests {
    @Test func theShippedDataMeetsItsMinimums() {
        let data = shippedData.data
        for intent in ActionIntent.allCases {
            let examples = data.intents.first { $0.intent == intent.rawValue }?.examples ?? []
            #expect(examples.count >= 25, "\(intent) has \(examples.count) examples")
        }
        // Questions, and the answers they give (each entry's own and its carriers' or regions').
        #expect(shippedData.faqEntries.count >= 25)
        #expect(shippedData.faqEntries.reduce(0) { $0 + 1 + $1.variants.count } >= 60)
        for entry in shippedData.faqEntries {
            #expect(entry.phrasings.count >= 4, "\(entry.id)")
            #expect(Set(entry.answer.keys) == Set(Language.allCases), "\(entry.id)")
            #expect(!entry.regions.isEmpty || !entry.carriers.isEmpty || entry.topic != "", "\(entry.id)")
        }
        let regions = Set(shippedData.faqEntries.flatMap { $0.regions + $0.variants.flatMap(\.regions) })
        #expect(regions.isSuperset(of: ["US", "HK", "UK"]))
        for topic in Labels.faqTopics {
            #expect(shippedData.faqEntries.contains { $0.topic == topic }, "no FAQ entry for \(topic)")
            // Every topic answers a chat whose carrier is unknown: it has a generic entry.
            #expect(shippedData.faqEntries.contains { $0.topic == topic && $0.regions.isEmpty && $0.carriers.isEmpty }, "no generic answer for \(topic)")
        }
        for entry in shippedData.faqEntries {
            for variant in entry.variants {
                #expect(Set(variant.answer.keys) == Set(Language.allCases), "\(variant.id)")
                #expect(!variant.carriers.isEmpty || !variant.regions.isEmpty, "\(variant.id)")
            }
        }
        #expect(data.traditionalToSimplified.count > 3000)
    }

    /// A copy of the shipped Intents/ folder with one file replaced.
    private func folder(replacing file: String, with contents: String) -> String {
        let dir = makeTemporaryDirectory()
        for name in try! FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Intents") {
            try! FileManager.default.copyItem(atPath: repositoryRoot + "/Intents/" + name, toPath: dir + "/" + name)
        }
        try? FileManager.default.removeItem(atPath: dir + "/" + file)
        try! FileManager.default.createDirectory(atPath: (dir + "/" + file).split(separator: "/").dropLast().joined(separator: "/").withLeadingSlash, withIntermediateDirectories: true)
        try! contents.write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
        return dir
    }

    private func error(_ file: String, _ contents: String) -> UnderstandingDataError? {
        do {
            _ = try UnderstandingDataLoader.load(directory: folder(replacing: file, with: contents))
            return nil
        } catch {
            return error
        }
    }

    private let goodEntry = #"{"id": "x-1", "topic": "refund", "tags": {"region": ["US"], "carrier": []}, "question": {"zh-Hans": "a", "zh-Hant": "b", "en": "c"}, "phrasings": ["1", "2", "3", "4"], "answer": {"en": "d"}}"#

    @Test func faqErrorsNameFileEntryAndField() throws {
        let cases: [(String, String, String, String)] = [
            (goodEntry.replacingOccurrences(of: #""refund""#, with: #""refunds""#), "x-1", "topic", "not a known topic"),
            (goodEntry.replacingOccurrences(of: #""US""#, with: #""FR""#), "x-1", "tags.region", "'FR' is not US, HK or UK"),
            (goodEntry.replacingOccurrences(of: #", "en": "c""#, with: ""), "x-1", "question", "needs zh-Hans, zh-Hant and en"),
            (goodEntry.replacingOccurrences(of: #""4""#, with: #""""#), "x-1", "phrasings[3]", "empty phrasing"),
            (goodEntry.replacingOccurrences(of: #", "4""#, with: ""), "x-1", "phrasings", "at least 4"),
            (goodEntry.replacingOccurrences(of: #""x-1""#, with: #""X 1""#), "X 1", "id", "kebab"),
            (goodEntry.replacingOccurrences(of: #"{"en": "d"}"#, with: #"{"fr": "d"}"#), "x-1", "answer.fr", "unknown language"),
        ]
        for (entry, name, field, reason) in cases {
            let found = try #require(error("faq.json", #"{"entries": [\#(entry)]}"#), "\(entry)")
            #expect(found.file.hasSuffix("faq.json"))
            #expect(found.entry == name, "\(found)")
            #expect(found.field == field, "\(found)")
            #expect(found.reason.contains(reason), "\(found)")
        }
        let duplicate = try #require(error("faq.json", #"{"entries": [\#(goodEntry), \#(goodEntry)]}"#))
        #expect(duplicate.field == "id" && duplicate.reason.contains("repeats"))
    }

    @Test func intentAndSynonymErrorsNameTheirPlace() throws {
        let wrongName = try #require(error("renew.json", #"{"intent": "cancel", "examples": {"en": []}}"#))
        #expect(wrongName.field == "intent" && wrongName.reason.contains("expected 'renew'"))
        let tooFew = try #require(error("renew.json", #"{"intent": "renew", "examples": {"en": ["a", "b"]}}"#))
        #expect(tooFew.reason.contains("at least 25"))
        let badLanguage = try #require(error("renew.json", #"{"intent": "renew", "examples": {"fr": ["a"]}}"#))
        #expect(badLanguage.field == "fr")
        let emptyTerm = try #require(error("synonyms.json", #"{"groups": [{"concept": "x", "terms": ["a", " "]}]}"#))
        #expect(emptyTerm.field == "terms[1]")
        let badJSON = try #require(error("synonyms.json", #"{"groups": [}"#))
        #expect(badJSON.reason.hasPrefix("not valid JSON"))
        let missingKey = try #require(error("synonyms.json", #"{"groups": [{"concept": "x"}]}"#))
        #expect(missingKey.field == "terms" && missingKey.reason == "missing")
        let badCue = try #require(error("cues.json", #"{"rules": [{"when_any": ["nope"], "label": "refund", "boost": 0.1}]}"#))
        #expect(badCue.reason.contains("'nope' is not a concept"))
        let badTable = try #require(error("t2s.tsv", "號\t号\n續續\t续\n"))
        #expect(badTable.entry == "line 2")
    }

    @Test func examplesFilesAddToTheirIntentsAndNameABadLine() throws {
        // A set in Intents/examples is read: its texts join their intents' examples.
        let dir = folder(replacing: "examples/extra.jsonl", with: #"{"text": "帮我看看这张卡还剩几天能用呢", "intent": "check_balance"}"# + "\n")
        let loaded = try UnderstandingDataLoader.load(directory: dir)
        #expect(loaded.data.intents.first { $0.intent == "check_balance" }?.examples.contains("帮我看看这张卡还剩几天能用呢") == true)
        let topic = try #require(error("examples/extra.jsonl", #"{"text": "ok", "intent": "greeting"}"# + "\n" + #"{"text": "退款", "intent": "refund"}"#))
        #expect(topic.entry == "line 2" && topic.field == "intent" && topic.file.hasSuffix("extra.jsonl"))
        let broken = try #require(error("examples/extra.jsonl", #"{"text": "ok"#))
        #expect(broken.entry == "line 1")
        let empty = try #require(error("examples/extra.jsonl", #"{"text": " ", "intent": "renew"}"#))
        #expect(empty.field == "text")
    }

    @Test func pinyinWordsAreCheckedAndExpanded() throws {
        let loaded = try UnderstandingDataLoader.load(directory: folder(replacing: "pinyin.json", with: #"{"words": [["xu-fei", "续费"], ["nihao", "你好"]]}"#))
        #expect(loaded.data.pinyin.map(\.from) == ["xufei", "xu fei", "nihao"])
        #expect(loaded.data.pinyin.map(\.to) == ["续费", "续费", "你好"])
        let upper = try #require(error("pinyin.json", #"{"words": [["xu-fei", "续费"], ["Xu-Fei", "续费"]]}"#))
        #expect(upper.entry == "words[1]" && upper.field == "0" && upper.reason.contains("Xu-Fei"))
        let latin = try #require(error("pinyin.json", #"{"words": [["xu-fei", "renew"]]}"#))
        #expect(latin.entry == "words[0]" && latin.field == "1")
        let empty = try #require(error("pinyin.json", #"{"words": [["xu--fei", "续费"]]}"#))
        #expect(empty.entry == "words[0]")
    }

    @Test func trainingFilesTeachAnyLabelAndNameABadLine() throws {
        // A set in Intents/training is read in order, FAQ topics included, each text once.
        let lines = [#"{"text": "我交了钱号码还是停机", "intent": "missed_renewal"}"#, #"{"text": "退钱", "intent": "refund"}"#, #"{"text": "退钱", "intent": "refund"}"#]
        let loaded = try UnderstandingDataLoader.load(directory: folder(replacing: "training/extra.jsonl", with: lines.joined(separator: "\n") + "\n"))
        #expect(loaded.data.training.contains(LabelledUtterance(text: "我交了钱号码还是停机", label: "missed_renewal")))
        #expect(loaded.data.training.count == shippedData.data.training.count + (shippedData.data.training.contains { $0.text == "退钱" } ? 1 : 2))
        #expect(loaded.data.training.filter { $0.text == "退钱" }.count == 1)
        let unknown = try #require(error("training/extra.jsonl", #"{"text": "ok", "intent": "greeting"}"# + "\n" + #"{"text": "退款", "intent": "refunds"}"#))
        #expect(unknown.entry == "line 2" && unknown.field == "intent" && unknown.file.hasSuffix("extra.jsonl"))
        #expect(unknown.reason.contains("refunds"))
        let broken = try #require(error("training/extra.jsonl", #"{"text": "ok"#))
        #expect(broken.entry == "line 1")
        let empty = try #require(error("training/extra.jsonl", #"{"text": "", "intent": "renew"}"#))
        #expect(empty.field == "text")
    }
}

extension String {
    fileprivate var withLeadingSlash: String { hasPrefix("/") ? self : "/" + self }
}

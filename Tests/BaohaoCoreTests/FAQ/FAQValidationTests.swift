import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore

/// Every rule an FAQ entry must meet, the file format's problems, import all-or-nothing,
/// and the regression gate.
@Suite struct FAQValidationTests {
    static let validator = FAQValidator(carriers: ["ultra", "csl"])
    static let good = FAQStoreTests.entry()

    func fields(_ entry: FAQEntry) -> [String] { Self.validator.problems(entry).map(\.field) }

    @Test func aGoodEntryHasNoProblems() {
        #expect(Self.validator.problems(Self.good).isEmpty)
        var leftOut = Self.good.with(answer: [.zhHans: "可以"], leftOut: [.zhHant, .en])
        #expect(Self.validator.problems(leftOut).isEmpty)
        leftOut = Self.good.with(answer: [:], leftOut: [.zhHans, .zhHant, .en])
        #expect(fields(leftOut) == ["answer"])
    }

    @Test func everyRuleNamesItsField() {
        #expect(fields(Self.good.with(id: "Bad Id")) == ["id"])
        #expect(fields(Self.good.with(id: String(repeating: "a", count: 41))) == ["id"])
        #expect(fields(Self.good.with(topic: "weather")) == ["topic"])
        #expect(fields(Self.good.with(regions: ["HK", "CN"])) == ["tags.region[1]"])
        #expect(fields(Self.good.with(carriers: ["ultra", "vodafone"])) == ["tags.carrier[1]"])
        #expect(fields(Self.good.with(phrasings: ["a", "  "])) == ["phrasings[1]"])
        #expect(fields(Self.good.with(phrasings: ["Same", "same "])) == ["phrasings[1]"])
        #expect(fields(Self.good.with(phrasings: [String(repeating: "长", count: 301)])) == ["phrasings[0]"])
        #expect(fields(Self.good.with(answer: [.zhHans: "可以", .zhHant: "得"])) == ["answer.en"])
        #expect(fields(Self.good.with(answer: [.zhHans: "可以", .zhHant: "得", .en: "  "])) == ["answer.en"])
        #expect(fields(Self.good.with(question: [.zhHans: "能吗", .en: "Can I?"])) == ["question.zh-Hant"])
        #expect(fields(Self.good.with(threshold: .some(1.5))) == ["threshold"])
    }

    @Test(arguments: [
        ("<b>open", "is not closed"), ("<div>x</div>", "div"), ("a < b", "<"), ("<b><i>x</b></i>", "</b>"), ("<a>link</a>", "href"),
    ])
    func answersTelegramWouldRefuseAreRefusedWithTheReason(_ html: String, _ mention: String) {
        let problems = Self.validator.problems(Self.good.with(answer: [.zhHans: "可以", .zhHant: "得", .en: html]))
        #expect(problems.count == 1)
        #expect(problems.first?.field == "answer.en")
        #expect(problems.first?.reason.contains("Telegram would refuse this HTML") == true)
        #expect(problems.first?.reason.contains(mention) == true, "\(problems.first?.reason ?? "")")
    }

    @Test func anAnswerMustFitInOneMessageWithItsFooter() {
        let long = String(repeating: "续费", count: 1_801)  // 3,602 visible characters
        let problems = Self.validator.problems(Self.good.with(answer: [.zhHans: long, .zhHant: "得", .en: "ok"]))
        #expect(problems.map(\.field) == ["answer.zh-Hans"])
        #expect(problems.first?.reason.contains("3602") == true)
        // Markup does not count, entities count once.
        let marked = "<b>" + String(repeating: "&amp;", count: 3_600) + "</b>"
        #expect(Self.validator.problems(Self.good.with(answer: [.zhHans: marked, .zhHant: "得", .en: "ok"])).isEmpty)
    }

    @Test func aFileWithProblemsListsEachWithItsEntryAndField() {
        let file = """
            {"entries": [
              {"id": "ok-1", "topic": "general", "tags": {"region": ["HK"]}, "question": {"en": "Q"}, "phrasings": ["p"], "answer": {"en": "A", "zh-Hans": null, "zh-Hant": null}},
              {"id": "bad-2", "topic": 7, "question": {"en": null}, "phrasings": "p", "answer": {"xx": "A"}, "colour": "red"},
              "not an object"
            ], "version": 2}
            """
        guard case .failure(let found) = FAQFileFormat.decodeFile(Array(file.utf8)) else {
            Issue.record("a bad file decoded")
            return
        }
        let described = found.problems.map(\.description)
        #expect(described.contains("file, version: unknown key"))
        #expect(described.contains("bad-2, topic: expected a string, found an integer"))
        #expect(described.contains("bad-2, question.en: expected a string, found null"))
        #expect(described.contains("bad-2, phrasings: expected an array of strings, found a string"))
        #expect(described.contains("bad-2, answer.xx: unknown language (zh-Hans, zh-Hant or en)"))
        #expect(described.contains("bad-2, colour: unknown key"))
        #expect(described.contains("entries[2]: expected an object, found a string"))
        #expect(!described.contains { $0.hasPrefix("ok-1") })
        if case .failure(let invalid) = FAQFileFormat.decodeFile(Array("{\"entries\": [".utf8)) {
            #expect(invalid.problems.first?.reason.hasPrefix("not valid JSON") == true)
        } else {
            Issue.record("truncated JSON decoded")
        }
    }

    @Test func anImportIsAllOrNothing() async throws {
        let database = try await FAQStoreTests.database()
        let now = FAQStoreTests.at
        _ = try await database.write { db in try FAQStore.seedIfEmpty(db, entries: [FAQStoreTests.entry("a")], author: "file", at: now) }
        let updated = FAQStoreTests.entry("a", answer: "<b>updated</b>"), added = FAQStoreTests.entry("b")
        let bad = FAQStoreTests.entry("c", answer: "<b>broken")
        let withBad = FAQFileFormat.encodeFile([updated, added, bad])
        let plan = try await database.read { db in try FAQImport.plan(Array(withBad.utf8), in: db, validator: Self.validator) }
        #expect(plan.changes.isEmpty)
        #expect(plan.problems.map(\.entry) == ["c"])
        #expect(plan.problems.first?.field == "answer.en")

        let good = FAQFileFormat.encodeFile([updated, added, FAQStoreTests.entry("a")])
        let duplicate = try await database.read { db in try FAQImport.plan(Array(good.utf8), in: db, validator: Self.validator) }
        #expect(duplicate.problems.map(\.description) == ["a, id: appears more than once in the file"])

        let clean = FAQFileFormat.encodeFile([updated, added])
        let ok = try await database.read { db in try FAQImport.plan(Array(clean.utf8), in: db, validator: Self.validator) }
        #expect(ok.problems.isEmpty)
        #expect(ok.changes.map(\.kind) == ["update", "add"])
        #expect(ok.changes.map(\.basedOn) == [1, nil])
    }

    /// Found by FuzzFAQImport: ids were checked against the stored FAQ, not against the other
    /// entries of the file, so two entries of one file could hold the same variant id (or one hold
    /// another's id as a variant), which the editor refuses.
    @Test func anImportRefusesAVariantIdUsedTwiceInTheFile() async throws {
        let database = try await FAQStoreTests.database()
        func entry(_ id: String, variant: String, region: String) -> FAQEntry {
            let base = FAQStoreTests.entry(id)
            return FAQEntry(
                id: id, topic: base.topic, regions: [], carriers: [], question: base.question, phrasings: base.phrasings, answer: base.answer,
                variants: [FAQVariant(id: variant, regions: [region], answer: base.answer)])
        }
        let twice = FAQFileFormat.encodeFile([entry("a", variant: "shared", region: "HK"), entry("b", variant: "shared", region: "US")])
        let plan = try await database.read { db in try FAQImport.plan(Array(twice.utf8), in: db, validator: Self.validator) }
        #expect(plan.changes.isEmpty)
        #expect(plan.problems.map(\.description) == [
            "a, variants[0].id: 'shared' is already a variant of b", "b, variants[0].id: 'shared' is already a variant of a",
        ])
        let entryAsVariant = FAQFileFormat.encodeFile([entry("c", variant: "d", region: "HK"), FAQStoreTests.entry("d")])
        let other = try await database.read { db in try FAQImport.plan(Array(entryAsVariant.utf8), in: db, validator: Self.validator) }
        #expect(other.problems.map(\.description) == ["c, variants[0].id: 'd' is already entry d", "d, id: 'd' is already a variant of c"])
    }

    @Test func theGateCatchesAStolenMatchAndNothingElse() throws {
        let classifier = ShippedAssistantData.classifier
        let faq = ShippedAssistantData.understanding.faqEntries
        let questions = try RegressionGate.loadRegressionSet(path: repositoryRoot + "/Intents/regression.jsonl")
        #expect(questions.count >= 465)
        // Unchanged FAQ: no regressions.
        #expect(RegressionGate.regressions(questions, before: classifier, after: classifier.replacingFAQ(faq.map(\.document))).isEmpty)
        // A renew entry that claims a balance question.
        let index = faq.firstIndex { $0.id == "renew-general-steps" }!
        var stolen = faq
        stolen[index] = faq[index].with(phrasings: faq[index].phrasings + ["查询到期日期"])
        let found = RegressionGate.regressions(questions, before: classifier, after: classifier.replacingFAQ(stolen.map(\.document)))
        #expect(found.contains { $0.question.text == "查询到期日期" && $0.before == "check_balance" && $0.after == "faq:renew-general-steps" })
        #expect(found.count < 5, "one phrasing steals little: \(found.map(\.question.text))")
    }
}

import BaohaoSupport
import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore

/// One entry per question, with answers per carrier or region: the file format, validation,
/// the diff, the choice of answer, and bringing an old database to the grouping.
@Suite struct FAQVariantTests {
    static let at = Instant(secondsSinceEpoch: 1_795_341_600)
    static let validator = FAQValidator(carriers: ["ultra", "tello", "csl", "3hk", "giffgaff"])
    static let answers: [Language: String] = [.zhHans: "通用", .zhHant: "通用", .en: "<b>Everyone</b>"]
    static func variant(_ id: String, carriers: [String] = [], regions: [String] = [], en: String? = nil) -> FAQVariant {
        FAQVariant(id: id, regions: regions, carriers: carriers, answer: [.zhHans: id, .zhHant: id, .en: en ?? "<i>\(id)</i>"])
    }
    static let entry = FAQEntry(
        id: "refund-general", topic: "refund", question: [.zhHans: "能退款吗", .zhHant: "可唔可以退款", .en: "Can I get a refund?"],
        phrasings: ["退款", "refund"], answer: answers,
        variants: [variant("ultra-refund", carriers: ["ultra"], regions: ["US"]), variant("hk-refund", regions: ["HK"]), variant("csl-refund", carriers: ["csl"])])

    @Test func variantsRoundTripThroughTheFileFormatAndOldBodiesReadWithout() throws {
        let text = FAQFileFormat.encodeFile([Self.entry])
        #expect(try FAQFileFormat.decodeFile(Array(text.utf8)).get() == [Self.entry])
        // A version stored before variants existed.
        let old = #"{"id": "a", "topic": "refund", "tags": {"region": [], "carrier": []}, "question": {"en": "Q"}, "phrasings": [], "answer": {"en": "A", "zh-Hans": null}}"#
        let decoded = try FAQFileFormat.decodeEntry(try JSONValue.parse(Array(old.utf8)), position: "x").get()
        #expect(decoded.variants.isEmpty)
        #expect(decoded.leftOut == [.zhHans])
        // Bad variants are named by their place.
        let bad = #"{"id": "a", "topic": "refund", "question": {"en": "Q"}, "phrasings": [], "answer": {"en": "A"}, "variants": [{"id": 3, "answer": {"en": "x"}}, {"id": "b", "answer": {"xx": "y"}, "colour": 1}]}"#
        guard case .failure(let problems) = FAQFileFormat.decodeEntry(try JSONValue.parse(Array(bad.utf8)), position: "x") else {
            Issue.record("bad variants were accepted")
            return
        }
        #expect(problems.problems.map(\.field) == ["variants[0].id", "variants[1].colour", "variants[1].answer.xx"])
    }

    @Test func theValidatorNamesEveryVariantProblem() {
        #expect(Self.validator.problems(Self.entry).isEmpty, "\(Self.validator.problems(Self.entry))")
        let broken = Self.entry.with(variants: [
            Self.variant("Bad Id", carriers: ["ultra"]),
            Self.variant("no-scope"),
            Self.variant("nope", carriers: ["vodafone"]),
            Self.variant("twice", carriers: ["ultra"]),
            FAQVariant(id: "half", carriers: ["tello"], answer: [.en: "<b>open"]),
            Self.variant("refund-general", regions: ["UK"]),
        ])
        let found = Self.validator.problems(broken).map { "\($0.field): \($0.reason)" }
        #expect(found.contains { $0.hasPrefix("variants[0].id:") })
        #expect(found.contains { $0.hasPrefix("variants[1].tags: a variant names at least one carrier or region") })
        #expect(found.contains { $0.hasPrefix("variants[2].tags.carrier[0]: 'vodafone' is not a carrier") })
        #expect(found.contains { $0.hasPrefix("variants[3].tags: the same carriers and regions as variant Bad Id") })
        #expect(found.contains { $0.hasPrefix("variants[4].answer.en: Telegram would refuse this HTML") })
        #expect(found.contains { $0.hasPrefix("variants[4].answer.zh-Hans: missing") })
        #expect(found.contains { $0.hasPrefix("variants[5].id: 'refund-general' is used twice") })
        // Inside the entry's scope: an HK question has no Ultra answer.
        let hkOnly = FAQEntry(
            id: "hk-q", topic: "real_name", regions: ["HK"], carriers: ["csl", "3hk"], question: Self.entry.question, phrasings: [], answer: Self.answers,
            variants: [Self.variant("hk-q-ultra", carriers: ["ultra"])])
        #expect(Self.validator.problems(hkOnly).map(\.reason).contains("'ultra' is outside the entry's carriers (csl, 3hk)"))
        // Ids are unique across the FAQ: a variant may not take another entry's id.
        let other = FAQEntry(id: "ultra-refund", topic: "refund", question: Self.entry.question, phrasings: [], answer: Self.answers)
        #expect(Self.validator.problems(Self.entry, in: [other, Self.entry]).map { "\($0.field): \($0.reason)" } == ["variants[0].id: 'ultra-refund' is already entry ultra-refund"])
    }

    @Test func theDiffNamesVariantChanges() {
        let changed = Self.entry
            .answeringVariant("ultra-refund", .en, "<i>ultra-refund</i>\nSecond line")
            .removingVariant("hk-refund")
            .settingVariant(Self.variant("3hk-refund", carriers: ["3hk"]))
        #expect(FAQDiff.lines(from: Self.entry, to: changed) == [
            "variant hk-refund: − removed",
            "variant ultra-refund.answer[en]:", "  + Second line",
            "variant 3hk-refund: + (3hk)", "variant 3hk-refund.answer[zh-Hans]: added", "variant 3hk-refund.answer[zh-Hant]: added",
            "variant 3hk-refund.answer[en]: added",
        ])
    }

    @Test func theChatsCarrierPicksTheVariantTheMostSpecificFirst() {
        let faq = [Self.entry]
        let chooser = AnswerChooser(faq: faq, faqByID: ["refund-general": Self.entry])
        let ranking = [RankedEntry(id: "refund-general", score: 0.7)]
        func chosen(_ context: CarrierContext) -> String? {
            if case .answer(let answer, _) = chooser.choose(Self.entry, ranking: ranking, context: context) { answer.id } else { nil }
        }
        #expect(chosen(CarrierContext(carriers: ["ultra"], regions: ["US"], source: .bound, lines: [])) == "ultra-refund")
        #expect(chosen(CarrierContext(carriers: ["csl"], regions: ["HK"], source: .named, lines: [])) == "csl-refund", "the carrier's own before its region's")
        #expect(chosen(CarrierContext(carriers: ["3hk"], regions: ["HK"], source: .bound, lines: [])) == "hk-refund")
        #expect(chosen(CarrierContext(carriers: ["giffgaff"], regions: ["UK"], source: .bound, lines: [])) == "refund-general")
        #expect(chosen(.unknown) == "refund-general")
        // Two lines whose variants differ: ask which line.
        let two = CarrierContext(carriers: ["ultra", "csl"], regions: ["US", "HK"], source: .bound, lines: [])
        guard case .askLine = chooser.choose(Self.entry, ranking: ranking, context: two) else {
            Issue.record("an Ultra and a csl line get different answers: the bot must ask which line")
            return
        }
    }

    /// A database seeded before variants existed: one entry per carrier. An operator has
    /// edited one of them since. The regroup absorbs them into the shipped questions, keeps the
    /// operator's text, leaves the history readable and runs once.
    @Test func anOldDatabaseIsRegroupedOnceKeepingOperatorsEdits() async throws {
        let shipped = ShippedAssistantData.understanding.faqEntries
        // The old layout: every variant a standalone entry, the shipped entries without variants.
        let split = shipped.flatMap { entry in
            [entry.with(variants: [])]
                + entry.variants.map { v in
                    FAQEntry(
                        id: v.id, topic: entry.topic, regions: v.regions, carriers: v.carriers, question: [.zhHans: v.id + "？", .zhHant: v.id + "？", .en: v.id + "?"],
                        phrasings: ["\(v.id) phrasing one", "\(v.id) phrasing two"], answer: v.answer, leftOut: v.leftOut)
                }
        }.filter { $0.id != "real-name-general" && $0.id != "check-balance-general" }  // entries new in the regrouped file
        let database = try await Database.open(path: temporaryDatabase("regroup"), migrations: BaohaoSchema.migrations)
        try await database.write { db in
            try FAQStore.seedIfEmpty(db, entries: split, author: "file:old", at: Self.at)
            // Seeded by a version from before variants: no regroup mark.
            #expect(try BotState.value(db, .faqRegrouped) == 1)
            try db.execute("DELETE FROM bot_state WHERE key = ?", BotState.Key<Int64>.faqRegrouped.name)
            let ultra = try #require(try FAQStore.latest(db, id: "ultra-renew")?.entry)
            try FAQStore.save(db, ultra.answering(.en, "<b>Edited by an operator</b>"), basedOn: 1, author: "user:9", at: Self.at)
            try FAQStore.delete(db, id: "tello-renew", basedOn: 1, author: "user:9", at: Self.at)
            try LabelledExamples.add(db, text: "ultra 点续", label: "renew", target: .faq("ultra-renew"), source: "clarify", at: Self.at)
        }
        let absorbed = try await database.write { db in try FAQRegroup.absorb(db, shipped: shipped, author: "file:new", at: Self.at) }
        #expect(absorbed.contains(FAQRegroup.Absorbed(variant: "ultra-renew", into: "renew-general-steps")))
        #expect(!absorbed.contains { $0.variant == "tello-renew" }, "a deleted entry stays deleted")
        try await database.read { db in
            let current = try FAQStore.current(db)
            let ids = Set(current.map(\.id))
            #expect(!ids.contains("ultra-renew"))
            #expect(ids.isSuperset(of: ["renew-general-steps", "real-name-general", "check-balance-general"]))
            let renew = try #require(current.first { $0.id == "renew-general-steps" })
            #expect(renew.variants.first { $0.id == "ultra-renew" }?.answer[.en] == "<b>Edited by an operator</b>")
            #expect(renew.variants.first { $0.id == "ultra-renew" }?.carriers == ["ultra"])
            #expect(!renew.variants.contains { $0.id == "tello-renew" })
            #expect(renew.phrasings.contains("ultra-renew phrasing one"))
            #expect(renew.phrasings.contains("ultra-renew?"), "the absorbed question becomes a phrasing")
            #expect(Self.catalogueValidator.problems(renew, in: current).isEmpty, "\(Self.catalogueValidator.problems(renew, in: current))")
            // The absorbed entry's history stays, ending with where it went.
            let history = try FAQStore.history(db, id: "ultra-renew")
            #expect(history.map(\.version) == [1, 2, 3])
            #expect(history.last?.entry == nil)
            #expect(history.last?.note.hasPrefix("absorbed into renew-general-steps as its variant for ultra US") == true)
            #expect(try LabelledExamples.all(db).first { $0.text == "ultra 点续" }?.target == "renew-general-steps")
        }
        // Once: an operator who adds an entry with a freed id later keeps it.
        #expect(try await database.write { db in try FAQRegroup.absorb(db, shipped: shipped, author: "file:new", at: Self.at) }.isEmpty)
    }

    static let catalogueValidator = FAQValidator(catalogue: ShippedAssistantData.catalogue)

    /// Importing the regrouped file into an old database absorbs the entries that became
    /// variants in the same all-or-nothing change.
    @Test func anImportAbsorbsTheEntriesItsVariantsReplace() async throws {
        let database = try await Database.open(path: temporaryDatabase("absorb-import"), migrations: BaohaoSchema.migrations)
        let old = [
            Self.entry.with(variants: []),
            FAQEntry(id: "ultra-refund", topic: "refund", regions: ["US"], carriers: ["ultra"], question: Self.entry.question, phrasings: ["u"], answer: Self.answers),
        ]
        try await database.write { db in try FAQStore.seedIfEmpty(db, entries: old, author: "file", at: Self.at) }
        let file = FAQFileFormat.encodeFile([Self.entry])
        let plan = try await database.read { db in try FAQImport.plan(Array(file.utf8), in: db, validator: Self.validator) }
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.changes.map { "\($0.kind) \($0.entry.id)" } == ["absorb ultra-refund", "update refund-general"])
        #expect(plan.changes.first?.absorbedInto == "refund-general")
        // Without the absorb, the variant's id would collide with the stored entry: the
        // editor refuses that save on its own.
        let editor = FAQEditor(validator: Self.validator, regressionSet: [])
        await #expect(throws: FAQEditor.Rejection.self) {
            try await database.write { db in
                try editor.apply(.save(Self.entry, basedOn: 1), in: db, classifier: ShippedAssistantData.classifier, author: "t", at: Self.at)
            }
        }
    }
}

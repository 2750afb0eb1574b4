public import Understanding
import BaohaoSupport

/// The rules every FAQ entry must meet before it is saved, whether it comes from chat, the
/// command line or an import: every problem is reported, with its field.
public struct FAQValidator: Sendable {
    /// Carrier ids the catalogue knows.
    public var carriers: Set<String>
    /// Longest answer, in the UTF-16 units Telegram counts, so that the answer plus its
    /// "related questions" footer fits in one 4,096-unit message.
    public var answerLimit = 3_600
    public static let idLimit = 40
    public static let phrasingLimit = 300

    public init(carriers: Set<String>) { self.carriers = carriers }

    public init(catalogue: CarrierCatalogue) { self.init(carriers: Set(catalogue.carriers.map(\.id))) }

    /// Every problem of `entry`; empty when it may be saved.
    public func problems(_ entry: FAQEntry) -> [FAQProblem] {
        var problems: [FAQProblem] = []
        let name = entry.id.isEmpty ? "new entry" : entry.id
        func fail(_ field: String, _ reason: String) { problems.append(FAQProblem(entry: name, field: field, reason: reason)) }

        if entry.id.isEmpty || entry.id.utf8.contains(where: { !(0x61...0x7A).contains($0) && !(0x30...0x39).contains($0) && $0 != 0x2D }) {
            fail("id", "'\(entry.id)' must be lower-case letters, digits and '-'")
        } else if entry.id.utf8.count > Self.idLimit {
            fail("id", "longer than \(Self.idLimit) characters")
        }
        if !Labels.faqEntryTopics.contains(entry.topic) {
            fail("topic", "'\(entry.topic)' is not a topic (\(Labels.faqEntryTopics.sorted().joined(separator: ", ")))")
        }
        for (i, region) in entry.regions.enumerated() where !["US", "HK", "UK"].contains(region) {
            fail("tags.region[\(i)]", "'\(region)' is not US, HK or UK")
        }
        for (i, carrier) in entry.carriers.enumerated() where !carriers.contains(carrier) {
            fail("tags.carrier[\(i)]", "'\(carrier)' is not a carrier of the catalogue (\(carriers.sorted().joined(separator: ", ")))")
        }
        var seen: Set<String> = []
        for (i, phrasing) in entry.phrasings.enumerated() {
            let key = phrasing.trimmingWhitespace.lowercased()
            if key.isEmpty {
                fail("phrasings[\(i)]", "empty phrasing")
            } else if phrasing.count > Self.phrasingLimit {
                fail("phrasings[\(i)]", "longer than \(Self.phrasingLimit) characters")
            } else if !seen.insert(key).inserted {
                fail("phrasings[\(i)]", "repeats an earlier phrasing")
            }
        }
        checkAnswers("answer", entry.answer, leftOut: entry.leftOut, fail: fail)
        for language in Language.allCases {
            if let question = entry.question[language] {
                if question.trimmingWhitespace.isEmpty { fail("question.\(language.rawValue)", "empty question") }
            } else {
                fail("question.\(language.rawValue)", "missing: the question is shown as a button in this language")
            }
        }
        if let threshold = entry.threshold, !(0...1).contains(threshold) { fail("threshold", "\(threshold) is outside 0…1") }
        checkVariants(entry, fail: fail)
        return problems
    }

    /// Every problem of `entry` as a member of `faq` (the FAQ after the change): its own, and
    /// an id (the entry's or a variant's) that another entry or variant already uses.
    public func problems(_ entry: FAQEntry, in faq: [FAQEntry]) -> [FAQProblem] {
        var problems = problems(entry)
        var taken: [String: String] = [:]
        for other in faq where other.id != entry.id {
            taken[other.id] = "entry \(other.id)"
            for variant in other.variants { taken[variant.id] = "a variant of \(other.id)" }
        }
        let name = entry.id.isEmpty ? "new entry" : entry.id
        if let owner = taken[entry.id] { problems.append(FAQProblem(entry: name, field: "id", reason: "'\(entry.id)' is already \(owner)")) }
        for (i, variant) in entry.variants.enumerated() {
            if let owner = taken[variant.id] { problems.append(FAQProblem(entry: name, field: "variants[\(i)].id", reason: "'\(variant.id)' is already \(owner)")) }
        }
        return problems
    }

    private func checkAnswers(_ prefix: String, _ texts: [Language: String], leftOut: Set<Language>, fail: (String, String) -> Void) {
        if texts.isEmpty { fail(prefix, "needs at least one language") }
        for language in Language.allCases {
            let field = "\(prefix).\(language.rawValue)"
            guard let answer = texts[language] else {
                if !leftOut.contains(language) {
                    fail(field, "missing: write the \(Self.name(language)) answer, or leave \(Self.name(language)) out explicitly")
                }
                continue
            }
            if answer.trimmingWhitespace.isEmpty {
                fail(field, "empty answer")
                continue
            }
            switch TelegramHTMLCheck.check(answer) {
            case .failure(let problem): fail(field, "Telegram would refuse this HTML: \(problem)")
            case .success(let length) where length > answerLimit:
                fail(field, "\(length) characters once sent; at most \(answerLimit) fit in one message with the related questions")
            case .success: break
            }
        }
    }

    /// Variants: valid unique ids, a known scope inside the entry's, no two for the same
    /// scope, answers like the entry's.
    private func checkVariants(_ entry: FAQEntry, fail: (String, String) -> Void) {
        var ids: Set<String> = [entry.id]
        var scopes: [String: String] = [Self.scopeKey(entry.carriers, entry.regions): "the entry's own answer"]
        for (v, variant) in entry.variants.enumerated() {
            let field = "variants[\(v)]"
            if variant.id.isEmpty || variant.id.utf8.contains(where: { !(0x61...0x7A).contains($0) && !(0x30...0x39).contains($0) && $0 != 0x2D }) {
                fail("\(field).id", "'\(variant.id)' must be lower-case letters, digits and '-'")
            } else if variant.id.utf8.count > Self.idLimit {
                fail("\(field).id", "longer than \(Self.idLimit) characters")
            } else if !ids.insert(variant.id).inserted {
                fail("\(field).id", "'\(variant.id)' is used twice in this entry")
            }
            if variant.carriers.isEmpty && variant.regions.isEmpty { fail("\(field).tags", "a variant names at least one carrier or region (its answer is for them)") }
            for (i, region) in variant.regions.enumerated() where !["US", "HK", "UK"].contains(region) {
                fail("\(field).tags.region[\(i)]", "'\(region)' is not US, HK or UK")
            }
            for (i, carrier) in variant.carriers.enumerated() {
                if !carriers.contains(carrier) {
                    fail("\(field).tags.carrier[\(i)]", "'\(carrier)' is not a carrier of the catalogue (\(carriers.sorted().joined(separator: ", ")))")
                } else if !entry.carriers.isEmpty && !entry.carriers.contains(carrier) {
                    fail("\(field).tags.carrier[\(i)]", "'\(carrier)' is outside the entry's carriers (\(entry.carriers.joined(separator: ", ")))")
                }
            }
            if !entry.regions.isEmpty, entry.carriers.isEmpty, let outside = variant.regions.first(where: { !entry.regions.contains($0) }) {
                fail("\(field).tags.region", "'\(outside)' is outside the entry's regions (\(entry.regions.joined(separator: ", ")))")
            }
            let key = Self.scopeKey(variant.carriers, variant.regions)
            if let other = scopes[key] { fail("\(field).tags", "the same carriers and regions as \(other)") } else { scopes[key] = "variant \(variant.id)" }
            checkAnswers("\(field).answer", variant.answer, leftOut: variant.leftOut, fail: fail)
        }
    }

    static func scopeKey(_ carriers: [String], _ regions: [String]) -> String {
        carriers.sorted().joined(separator: ",") + "|" + regions.sorted().joined(separator: ",")
    }

    static func name(_ language: Language) -> String {
        switch language {
        case .zhHans: "simplified Chinese (zh-Hans)"
        case .zhHant: "traditional Chinese (zh-Hant)"
        case .en: "English (en)"
        }
    }
}

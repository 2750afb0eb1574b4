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
        if entry.answer.isEmpty { fail("answer", "needs at least one language") }
        for language in Language.allCases {
            let field = "answer.\(language.rawValue)"
            guard let answer = entry.answer[language] else {
                if !entry.leftOut.contains(language) {
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
            if let question = entry.question[language] {
                if question.trimmingWhitespace.isEmpty { fail("question.\(language.rawValue)", "empty question") }
            } else {
                fail("question.\(language.rawValue)", "missing: the question is shown as a button in this language")
            }
        }
        if let threshold = entry.threshold, !(0...1).contains(threshold) { fail("threshold", "\(threshold) is outside 0…1") }
        return problems
    }

    static func name(_ language: Language) -> String {
        switch language {
        case .zhHans: "simplified Chinese (zh-Hans)"
        case .zhHant: "traditional Chinese (zh-Hant)"
        case .en: "English (en)"
        }
    }
}

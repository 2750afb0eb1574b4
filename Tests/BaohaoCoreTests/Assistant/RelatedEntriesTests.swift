import TestSupport
import Testing
import Understanding
@testable import BaohaoCore

/// The related questions under an FAQ answer: same topic, shared region or carrier first.
@Suite struct RelatedEntriesTests {
    /// The three-filter formulation the one-pass version replaced, as the oracle.
    static func relatedByFilters(_ entry: FAQEntry, _ faq: [FAQEntry]) -> [FAQEntry] {
        let others = faq.filter { $0.topic == entry.topic && $0.id != entry.id }
        let close = others.filter { !Set($0.regions).isDisjoint(with: entry.regions) || !Set($0.carriers).isDisjoint(with: entry.carriers) }
        let rest = others.filter { candidate in !close.contains { $0.id == candidate.id } }
        return Array((close + rest).prefix(3))
    }

    @Test func theShippedFAQGetsWhatTheFiltersGave() {
        let faq = ShippedAssistantData.understanding.faqEntries
        for entry in faq { #expect(FAQDialogue.related(to: entry, in: faq).map(\.id) == Self.relatedByFilters(entry, faq).map(\.id), "\(entry.id)") }
    }

    @Test func randomFAQsGetWhatTheFiltersGave() {
        var generator = SeededGenerator(seed: 0x5E1A7ED)
        func pick(_ items: [String]) -> [String] { items.filter { _ in generator.next() % 3 == 0 } }
        for _ in 0..<300 {
            let faq = (0..<Int(generator.next() % 12)).map { i in
                FAQEntry(
                    id: "e\(i)", topic: ["renew", "cancel"][Int(generator.next() % 2)], regions: pick(["US", "HK", "UK"]), carriers: pick(["ultra", "csl", "giffgaff", "3hk"]),
                    question: [.en: "q\(i)"], phrasings: [], answer: [.en: "a"])
            }
            for entry in faq {
                let related = FAQDialogue.related(to: entry, in: faq)
                #expect(related.map(\.id) == Self.relatedByFilters(entry, faq).map(\.id))
                #expect(related.count <= 3 && related.allSatisfy { $0.topic == entry.topic && $0.id != entry.id })
            }
        }
    }
}

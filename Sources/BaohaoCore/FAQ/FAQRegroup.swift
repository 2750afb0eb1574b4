public import Storage
public import Understanding
public import BaohaoSupport

/// Brings a database whose FAQ predates variants to the shipped grouping: every stored
/// entry that a shipped entry now holds as a variant (same id) is absorbed into it. The
/// stored content wins over the file's, so operators' edits carry over: the variant takes
/// the stored entry's current answer and tags, its question and phrasings join the
/// question's phrasings, and the absorbed entry gets a last version saying where it went
/// (its history stays readable). Idempotent; one transaction; nothing to do on a database
/// seeded from today's file.
public enum FAQRegroup {
    /// One entry absorbed: `variant` of `into`.
    public struct Absorbed: Sendable, Equatable {
        public let variant: String
        public let into: String
    }

    /// What `absorb(_:shipped:)` would do.
    public static func plan(current: [FAQEntry], shipped: [FAQEntry]) -> [Absorbed] {
        let standalone = Set(current.map(\.id))
        let shippedIDs = Set(shipped.map(\.id))
        return shipped.flatMap { entry in
            entry.variants.filter { standalone.contains($0.id) && !shippedIDs.contains($0.id) }.map { Absorbed(variant: $0.id, into: entry.id) }
        }
    }

    /// Absorbs what `plan` finds; returns it.
    @discardableResult
    public static func absorb(_ db: any Connection, shipped: [FAQEntry], author: String, at now: Instant) throws -> [Absorbed] {
        try db.transaction {
            guard try BotState.value(db, .faqRegrouped) != 1 else { return [] }
            try BotState.set(db, .faqRegrouped, to: 1, at: now)
            let current = try FAQStore.current(db)
            let steps = plan(current: current, shipped: shipped)
            guard !steps.isEmpty else { return [] }
            let byID = Dictionary(current.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for target in shipped {
                let absorbed = steps.filter { $0.into == target.id }.compactMap { byID[$0.variant] }
                guard !absorbed.isEmpty else { continue }
                let latest = try FAQStore.latest(db, id: target.id)
                let base = latest?.entry ?? target.with(variants: [])
                let merged = merge(absorbed, into: base)
                try FAQStore.save(db, merged, basedOn: latest?.entry == nil ? nil : latest?.version, author: author, at: now)
                for old in absorbed {
                    guard let version = try FAQStore.latest(db, id: old.id)?.version else { continue }
                    try FAQStore.delete(db, id: old.id, basedOn: version, author: author, at: now, note: "absorbed into \(target.id) as its variant for \(variantScope(old))")
                }
            }
            try LabelledExamples.retarget(db, steps.map { (from: MatchTarget.faq($0.variant), to: MatchTarget.faq($0.into)) })
            return steps
        }
    }

    /// `base` with each of `absorbed` as a variant (its answer and tags), their questions and
    /// phrasings added to the base's phrasings (repeats left out).
    static func merge(_ absorbed: [FAQEntry], into base: FAQEntry) -> FAQEntry {
        var phrasings = base.phrasings
        var seen = Set(phrasings.map { $0.trimmingWhitespace.lowercased() })
        var variants = base.variants
        for old in absorbed where !variants.contains(where: { $0.id == old.id }) {
            for text in Language.allCases.compactMap({ old.question[$0] }) + old.phrasings {
                let key = text.trimmingWhitespace.lowercased()
                if !key.isEmpty, text.count <= FAQValidator.phrasingLimit, seen.insert(key).inserted { phrasings.append(text) }
            }
            let carriers = old.carriers, regions = carriers.isEmpty && old.regions.isEmpty ? base.regions : old.regions
            variants.append(FAQVariant(id: old.id, regions: regions, carriers: carriers, answer: old.answer, leftOut: old.leftOut))
        }
        return base.with(phrasings: phrasings, variants: variants)
    }

    private static func variantScope(_ entry: FAQEntry) -> String { (entry.carriers + entry.regions).joined(separator: " ") }
}

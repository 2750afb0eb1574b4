public import Understanding

/// One answer an FAQ entry can give: its own (generic, or for the entry's tags) or one of
/// its variants. What the chat is shown, and what the context evaluation checks.
public struct FAQAnswer: Sendable, Equatable {
    /// The question answered.
    public let entry: FAQEntry
    /// The carrier's or region's variant; nil for the entry's own answer.
    public let variant: FAQVariant?

    public init(_ entry: FAQEntry, variant: FAQVariant? = nil) {
        self.entry = entry
        self.variant = variant
    }

    /// The variant's id, or the entry's: unique across the FAQ.
    public var id: String { variant?.id ?? entry.id }
    /// The carriers this answer is about (empty: all of the regions', or everyone's).
    public var carriers: [String] { variant?.carriers ?? entry.carriers }
    public var regions: [String] { variant?.regions ?? entry.regions }
    /// The text per language, in Telegram's HTML subset.
    public var html: [Language: String] { variant?.answer ?? entry.answer }
    /// About particular carriers or regions rather than everyone.
    public var isSpecific: Bool { !carriers.isEmpty || !regions.isEmpty }
}

extension FAQEntry {
    /// Every answer of the entry, the most specific first: variants naming fewer carriers
    /// before those naming more, carrier variants before region-only ones, the entry's own last.
    public var answers: [FAQAnswer] {
        let ordered = variants.enumerated().sorted { a, b in
            let ka = (a.element.carriers.isEmpty ? Int.max : a.element.carriers.count, a.offset)
            let kb = (b.element.carriers.isEmpty ? Int.max : b.element.carriers.count, b.offset)
            return ka < kb
        }
        return ordered.map { FAQAnswer(self, variant: $0.element) } + [FAQAnswer(self)]
    }

    /// The answer with `id` (the entry's own, or a variant's).
    public func answer(id: String) -> FAQAnswer? {
        if id == self.id { return FAQAnswer(self) }
        return variants.first { $0.id == id }.map { FAQAnswer(self, variant: $0) }
    }
}

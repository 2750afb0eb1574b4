public import Understanding

/// Adding, changing and removing an entry's variants, as the operators' tools (chat and
/// command line) do it. Validation is the editor's, as for any change.
extension FAQEntry {
    /// The regions (US, HK, UK) and carrier ids an operator's words name (`3hk`, `HK`, `csl, cmhk`).
    public static func scope(_ text: String) -> (regions: [String], carriers: [String]) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "，" }).map(String.init)
        var regions: [String] = [], carriers: [String] = []
        for word in words {
            if ["US", "HK", "UK"].contains(word.uppercased()) {
                if !regions.contains(word.uppercased()) { regions.append(word.uppercased()) }
            } else if !carriers.contains(word.lowercased()) {
                carriers.append(word.lowercased())
            }
        }
        return (regions, carriers)
    }

    /// The variant for exactly these carriers and regions, if there is one.
    public func variant(carriers: [String], regions: [String]) -> FAQVariant? {
        variants.first { Set($0.carriers) == Set(carriers) && Set($0.regions) == Set(regions) }
    }

    /// A fresh variant id for a scope: `<entry>-<first carrier or region>`, numbered when
    /// `taken` already has it.
    public func newVariantID(carriers: [String], regions: [String], taken: Set<String>) -> String {
        let stem = id.hasSuffix("-general") ? String(id.dropLast("-general".count)) : id
        let base = stem + "-" + (carriers.first ?? regions.first?.lowercased() ?? "variant")
        var candidate = base, n = 2
        while taken.contains(candidate) || variants.contains(where: { $0.id == candidate }) {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }

    /// A copy with `variant` added, or replacing the one with its id.
    public func settingVariant(_ variant: FAQVariant) -> FAQEntry {
        var variants = self.variants
        if let index = variants.firstIndex(where: { $0.id == variant.id }) { variants[index] = variant } else { variants.append(variant) }
        return with(variants: variants)
    }

    /// A copy without the variant `id` (unchanged when there is none).
    public func removingVariant(_ id: String) -> FAQEntry { with(variants: variants.filter { $0.id != id }) }

    /// A copy whose variant `id` answers `language` with `text`, or leaves it out (nil).
    public func answeringVariant(_ id: String, _ language: Language, _ text: String?) -> FAQEntry {
        guard let variant = variants.first(where: { $0.id == id }) else { return self }
        var answer = variant.answer, leftOut = variant.leftOut
        answer[language] = text
        if text == nil { leftOut.insert(language) } else { leftOut.remove(language) }
        return settingVariant(FAQVariant(id: id, regions: variant.regions, carriers: variant.carriers, answer: answer, leftOut: leftOut))
    }
}

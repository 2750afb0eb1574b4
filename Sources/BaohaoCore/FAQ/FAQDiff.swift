public import Understanding

/// A readable difference between two versions of an FAQ entry, for the operators' history and previews.
public enum FAQDiff {
    /// One line per change, in a stable field order (topic, tags.region, tags.carrier, question[lang], phrasings, answer[lang], threshold):
    /// "topic: renew → cancel", "question[en]: “old” → “new”", "phrasings: + “added”", "phrasings: − “removed”",
    /// answer changes as line-level diffs: "answer[zh-Hant]:" followed by "  − old line" / "  + new line" lines (only the changed lines, via an LCS over lines),
    /// "answer[en]: left out" / "answer[en]: added". `old == nil` means the entry is new (list every field as added); `new == nil` means deleted (one line "deleted").
    /// Returns [] when nothing differs. Variants follow, by id in the new order (removed ones
    /// first): "variant ultra-renew: + (ultra US)" with its answers added, "variant ultra-renew: −
    /// removed", "variant ultra-renew.tags.carrier: + 3hk", "variant ultra-renew.answer[en]:" with
    /// its line diff.
    ///
    /// In detail: languages come in `Language.allCases` order. Tags and phrasings are compared as
    /// multisets (a reordering is no change); within a field removals ("−", old order) come before
    /// additions ("+", new order). A question or threshold present on one side only reads
    /// "question[en]: + “new”" / "question[en]: − “old”", "threshold: + 0.8" / "threshold: − 0.7".
    /// In an answer diff, the removed lines of each changed stretch come before its added lines;
    /// lines are separated by "\n". The id is not compared. Strings compare as Swift compares them
    /// (canonically equivalent texts are equal), as `FAQEntry`'s `==` does.
    public static func lines(from old: FAQEntry?, to new: FAQEntry?) -> [String] {
        switch (old, new) {
        case (nil, nil): return []
        case (.some, nil): return ["deleted"]
        case (nil, let new?): return added(new)
        case (let old?, let new?): return changes(from: old, to: new)
        }
    }

    /// Every field of a new entry, as added.
    private static func added(_ entry: FAQEntry) -> [String] {
        var out = ["topic: + \(entry.topic)"]
        out += entry.regions.map { "tags.region: + \($0)" }
        out += entry.carriers.map { "tags.carrier: + \($0)" }
        for language in Language.allCases {
            if let question = entry.question[language] { out.append("question[\(language.rawValue)]: + \(quoted(question))") }
        }
        out += entry.phrasings.map { "phrasings: + \(quoted($0))" }
        for language in Language.allCases where entry.answer[language] != nil {
            out.append("answer[\(language.rawValue)]: added")
        }
        if let threshold = entry.threshold { out.append("threshold: + \(threshold)") }
        out += entry.variants.flatMap(addedVariant)
        return out
    }

    private static func addedVariant(_ variant: FAQVariant) -> [String] {
        ["variant \(variant.id): + (\(variant.scope))"]
            + Language.allCases.filter { variant.answer[$0] != nil }.map { "variant \(variant.id).answer[\($0.rawValue)]: added" }
    }

    private static func variantChanges(from old: [FAQVariant], to new: [FAQVariant]) -> [String] {
        var out: [String] = []
        let newIDs = Set(new.map(\.id))
        for variant in old where !newIDs.contains(variant.id) { out.append("variant \(variant.id): − removed") }
        for variant in new {
            guard let before = old.first(where: { $0.id == variant.id }) else {
                out += addedVariant(variant)
                continue
            }
            let name = "variant \(variant.id)"
            out += multisetChanges("\(name).tags.region", before.regions, variant.regions) { $0 }
            out += multisetChanges("\(name).tags.carrier", before.carriers, variant.carriers) { $0 }
            out += answerChanges("\(name).answer", before.answer, variant.answer)
        }
        return out
    }

    private static func answerChanges(_ prefix: String, _ old: [Language: String], _ new: [Language: String]) -> [String] {
        var out: [String] = []
        for language in Language.allCases {
            let field = "\(prefix)[\(language.rawValue)]"
            switch (old[language], new[language]) {
            case (nil, nil): break
            case (.some, nil): out.append("\(field): left out")
            case (nil, .some): out.append("\(field): added")
            case (let before?, let after?):
                if before != after { out.append("\(field):"); out += lineChanges(from: before, to: after) }
            }
        }
        return out
    }

    private static func changes(from old: FAQEntry, to new: FAQEntry) -> [String] {
        var out: [String] = []
        if old.topic != new.topic { out.append("topic: \(old.topic) → \(new.topic)") }
        out += multisetChanges("tags.region", old.regions, new.regions) { $0 }
        out += multisetChanges("tags.carrier", old.carriers, new.carriers) { $0 }
        for language in Language.allCases {
            out += optionalChange("question[\(language.rawValue)]", old.question[language], new.question[language], quoted)
        }
        out += multisetChanges("phrasings", old.phrasings, new.phrasings, quoted)
        out += answerChanges("answer", old.answer, new.answer)
        out += optionalChange("threshold", old.threshold, new.threshold) { "\($0)" }
        out += variantChanges(from: old.variants, to: new.variants)
        return out
    }

    private static func quoted(_ text: String) -> String { "“\(text)”" }

    /// "field: old → new", "field: + new" or "field: − old"; nothing when equal.
    private static func optionalChange<Value: Equatable>(
        _ field: String, _ old: Value?, _ new: Value?, _ show: (Value) -> String
    ) -> [String] {
        switch (old, new) {
        case (let old?, let new?) where old != new: return ["\(field): \(show(old)) → \(show(new))"]
        case (let old?, nil): return ["\(field): − \(show(old))"]
        case (nil, let new?): return ["\(field): + \(show(new))"]
        default: return []
        }
    }

    /// The items only in `old` ("−", in old order), then those only in `new` ("+", in new order),
    /// counting repeats.
    private static func multisetChanges(
        _ field: String, _ old: [String], _ new: [String], _ show: (String) -> String
    ) -> [String] {
        if old == new { return [] }
        var out: [String] = []
        var unmatched = counts(new)
        for item in old {
            if let n = unmatched[item], n > 0 { unmatched[item] = n - 1 } else { out.append("\(field): − \(show(item))") }
        }
        unmatched = counts(old)
        for item in new {
            if let n = unmatched[item], n > 0 { unmatched[item] = n - 1 } else { out.append("\(field): + \(show(item))") }
        }
        return out
    }

    private static func counts(_ items: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for item in items { counts[item, default: 0] += 1 }
        return counts
    }

    /// The changed lines between two texts ("  − line", "  + line"), through a longest common
    /// subsequence of lines; the common head and tail are skipped before the quadratic table.
    private static func lineChanges(from old: String, to new: String) -> [String] {
        let a = splitLines(old), b = splitLines(new)
        var head = 0
        while head < a.count && head < b.count && a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head && tail < b.count - head && a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = a[head..<(a.count - tail)], y = b[head..<(b.count - tail)]
        let n = x.count, m = y.count
        // lcs[i * (m + 1) + j]: the length of a longest common subsequence of x[i...] and y[j...].
        var lcs = [Int](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i * (m + 1) + j] = x[head + i] == y[head + j]
                    ? lcs[(i + 1) * (m + 1) + j + 1] + 1
                    : max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1])
            }
        }
        var out: [String] = [], removed: [String] = [], inserted: [String] = []
        func flush() {
            out += removed
            out += inserted
            removed.removeAll()
            inserted.removeAll()
        }
        var i = 0, j = 0
        while i < n && j < m {
            if x[head + i] == y[head + j] {
                flush()
                i += 1
                j += 1
            } else if lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1] {
                removed.append("  − \(x[head + i])")
                i += 1
            } else {
                inserted.append("  + \(y[head + j])")
                j += 1
            }
        }
        removed += x[(head + i)...].map { "  − \($0)" }
        inserted += y[(head + j)...].map { "  + \($0)" }
        flush()
        return out
    }

    /// The lines of `text`, split at every "\n" (a "\r" before it stays on its line).
    private static func splitLines(_ text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
    }
}

/// Keeps an answer to the chat's own carriers. Answers about a region or about several
/// carriers list facts per carrier, one bullet each ("• Tello: a 4-digit Security PIN …");
/// for a chat whose carriers are known, the bullets that name only other carriers are left
/// out, so the customer never reads another carrier's specifics they did not ask about.
/// Everything else (steps, notes, bullets naming no carrier or one of the chat's) stays.
struct AnswerTailoring {
    /// The carrier ids a line of text names.
    let carriersNamed: (String) -> Set<String>

    /// `html` for a chat about `carriers`; unchanged when `carriers` is empty (unknown).
    func tailor(_ html: String, to carriers: Set<String>) -> String {
        guard !carriers.isEmpty else { return html }
        var kept: [Substring] = []
        var changed = false
        for line in html.split(separator: "\n", omittingEmptySubsequences: false) {
            if Self.isBullet(line) {
                let named = carriersNamed(String(line))
                if !named.isEmpty, named.isDisjoint(with: carriers) {
                    changed = true
                    continue
                }
            }
            kept.append(line)
        }
        return changed ? kept.joined(separator: "\n") : html
    }

    static func isBullet(_ line: Substring) -> Bool {
        guard let first = line.first(where: { $0 != " " }) else { return false }
        return first == "•" || first == "·" || first == "-" || first == "*"
    }
}

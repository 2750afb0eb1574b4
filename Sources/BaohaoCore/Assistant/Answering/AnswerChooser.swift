public import Understanding

/// Retrieval decides what is asked; the chat decides whose answer. Among the answers of
/// the matched entry's topic (each entry's variants and its own answer), ranked by the
/// classifier, the chooser takes the best one the chat's `CarrierContext` allows: another
/// carrier's specifics are never given unless that carrier was named. Pure: no I/O.
struct AnswerChooser {
    /// What to do with a matched FAQ entry.
    enum Choice: Equatable {
        /// Give this answer.
        case answer(FAQAnswer, reason: String)
        /// The chat's lines get different answers and the message points at none: ask which.
        case askLine([LineView], reason: String)
        /// Nothing known, and no generic answer fits: ask which carrier.
        case askCarrier(reason: String)
    }

    let faq: [FAQEntry]
    let faqByID: [String: FAQEntry]

    /// How far below the best allowed answer one about the chat's own carrier or region
    /// may score and still be preferred (it is the more useful answer).
    static let ownCarrierMargin = 0.08
    /// How far below the best entry of the topic a generic answer may score and still answer
    /// a chat whose carrier is unknown; below that, the bot asks which carrier.
    static let genericMargin = 0.25

    /// The answers of `matched`'s topic: the entries the classifier ranked, best first, then
    /// the rest of the topic in FAQ order (scored below anything ranked); within an entry,
    /// its most specific answers first.
    func options(for matched: FAQEntry, ranking: [RankedEntry]) -> [(answer: FAQAnswer, score: Double)] {
        var seen: Set<String> = [], entries: [(entry: FAQEntry, score: Double)] = []
        for ranked in ranking {
            guard let entry = faqByID[ranked.id], entry.topic == matched.topic, seen.insert(entry.id).inserted else { continue }
            entries.append((entry, ranked.score))
        }
        if seen.insert(matched.id).inserted { entries.insert((matched, entries.first?.score ?? 0), at: 0) }
        for entry in faq where entry.topic == matched.topic && seen.insert(entry.id).inserted { entries.append((entry, -1)) }
        return entries.flatMap { item in item.entry.answers.map { ($0, item.score) } }
    }

    func choose(_ matched: FAQEntry, ranking: [RankedEntry], context: CarrierContext) -> Choice {
        let options = options(for: matched, ranking: ranking)
        let top = options.first?.score ?? 0
        let allowed = options.filter { context.allows($0.answer) }
        guard let best = allowed.first else {
            return .askCarrier(reason: "every \(matched.topic) answer is about a carrier or region the chat neither has nor named (\(context.explanation))")
        }
        // An answer about the chat's own carrier or region, if it is nearly as good.
        let own = allowed.first { context.isSpecific($0.answer) && $0.score >= best.score - Self.ownCarrierMargin }
        let chosen = (context.carriers.count <= 1 || context.source != .bound) ? (own ?? best) : best
        let answer = chosen.answer
        let which = answer.variant == nil ? answer.id : "\(answer.entry.id), variant \(answer.id) (\(answer.variant?.scope ?? ""))"
        let replaced = answer.entry.id == matched.id ? "" : " instead of \(matched.id)"
        if context.isSpecific(answer) {
            // Several lines, the message pointing at none, and this answer is one carrier's.
            if context.source == .bound, context.carriers.count > 1, context.carriers.contains(where: { !context.answer(answer, applies: $0) }) {
                return .askLine(context.lines, reason: "\(which) is about \((answer.carriers + answer.regions).joined(separator: ", ")) and the chat has lines of \(context.carriers.sorted().joined(separator: ", "))")
            }
            return .answer(answer, reason: "\(which)\(replaced): \(context.explanation)")
        }
        // A generic answer: fine when it fits about as well as the best of the topic, or when
        // the chat's carrier is known (its own specifics would have been preferred above).
        if context.source == .unknown, chosen.score < top - Self.genericMargin {
            return .askCarrier(reason: "no carrier known and no generic \(matched.topic) answer fits (best generic \(answer.id))")
        }
        return .answer(answer, reason: "\(which)\(replaced): generic answer (\(context.explanation))")
    }
}

extension AnswerChooser.Choice {
    /// One line for operators: what the chat gets, and why.
    var explanation: String {
        switch self {
        case .answer(let answer, let reason): "answer faq:\(answer.id) — \(reason)"
        case .askLine(_, let reason): "ask which line — \(reason)"
        case .askCarrier(let reason): "ask which carrier — \(reason)"
        }
    }
}

/// Whose answer, for the operators' tools (`baohao classify --carrier`, `/faq test`).
public enum WhoseAnswer {
    /// Which variant of the FAQ entry `decision` matched a chat holding lines of `carriers`
    /// gets, and why; nil when the decision is not an FAQ answer.
    public static func explain(_ decision: Decision, faq: [FAQEntry], carriers: [String], catalogue: CarrierCatalogue) -> String? {
        guard case .answer(let candidate) = decision.outcome, case .faq(let id) = candidate.target else { return nil }
        let byID = Dictionary(faq.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        guard let matched = byID[id] else { return nil }
        let message = MessageContext(decision: decision)
        let context =
            message.carriers.isEmpty && message.numbers.isEmpty && message.regions.isEmpty
            ? CarrierContext(bound: carriers, catalogue: catalogue)
            : CarrierContext(message: message, bound: [], recentCarrier: nil, catalogue: catalogue)
        return AnswerChooser(faq: faq, faqByID: byID).choose(matched, ranking: decision.faqRanking, context: context).explanation
    }
}

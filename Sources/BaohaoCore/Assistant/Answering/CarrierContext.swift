import Understanding

/// Whose answer a message wants: the carriers and regions an FAQ answer may be about, and
/// where they come from. Worked out from what the message names first, then the line it
/// points at, then the carrier the conversation was about in the last minutes, then the
/// chat's bound lines.
struct CarrierContext: Sendable, Equatable {
    enum Source: String, Sendable {
        /// The message names the carrier.
        case named
        /// The message points at one of the chat's lines (its number or region).
        case line
        /// The message names a region only.
        case region
        /// The conversation was about this carrier a few minutes ago (or the customer chose it).
        case recent
        /// The chat's bound lines, the message pointing at none.
        case bound
        /// Nothing is known.
        case unknown
    }

    let carriers: Set<String>
    let regions: Set<String>
    let source: Source
    /// The bound lines behind `carriers` (for "which line?" buttons).
    let lines: [LineView]
    /// The region of each of `carriers`.
    var carrierRegions: [String: String] = [:]

    static let unknown = CarrierContext(carriers: [], regions: [], source: .unknown, lines: [])

    /// `recentCarrier`: what the conversation was about lately, if it still counts.
    init(message: MessageContext, bound: [LineView], recentCarrier: String?, catalogue: CarrierCatalogue) {
        self.init(message: message, bound: bound, recentCarrier: recentCarrier, regionOf: { catalogue.carrier($0)?.region })
    }

    /// `carriers` as the chat's own (the command line's `--carrier`), with no lines behind them.
    init(bound carriers: [String], catalogue: CarrierCatalogue) {
        let known = carriers.filter { catalogue.carrier($0) != nil }
        self.init(
            carriers: Set(known), regions: Set(known.compactMap { catalogue.carrier($0)?.region }), source: known.isEmpty ? .unknown : .bound, lines: [])
        carrierRegions = Dictionary(known.compactMap { c in catalogue.carrier(c).map { (c, $0.region) } }, uniquingKeysWith: { a, _ in a })
    }

    private init(message: MessageContext, bound: [LineView], recentCarrier: String?, regionOf: (String) -> String?) {
        func region(_ carrier: String) -> String? { regionOf(carrier) }
        defer { carrierRegions = Dictionary(carriers.compactMap { c in region(c).map { (c, $0) } }, uniquingKeysWith: { a, _ in a }) }
        if !message.carriers.isEmpty {
            self.init(
                carriers: message.carriers, regions: Set(message.carriers.compactMap(region)).union(message.regions), source: .named,
                lines: bound.filter { message.carriers.contains($0.carrier) })
        } else if !message.numbers.isEmpty {
            let lines = bound.filter { message.numbers.contains($0.number) }
            let regions = Set(message.numbers.map(\.region))
            self.init(carriers: Set(lines.map(\.carrier)), regions: regions, source: lines.isEmpty ? .region : .line, lines: lines)
        } else if !message.regions.isEmpty {
            let lines = bound.filter { message.regions.contains(region($0.carrier) ?? $0.number.region) }
            self.init(carriers: Set(lines.map(\.carrier)), regions: message.regions, source: lines.isEmpty ? .region : .line, lines: lines)
        } else if let recent = recentCarrier, region(recent) != nil {
            self.init(carriers: [recent], regions: Set([region(recent)].compactMap { $0 }), source: .recent, lines: bound.filter { $0.carrier == recent })
        } else if !bound.isEmpty {
            self.init(carriers: Set(bound.map(\.carrier)), regions: Set(bound.compactMap { region($0.carrier) }), source: .bound, lines: bound)
        } else {
            self = .unknown
        }
    }

    init(carriers: Set<String>, regions: Set<String>, source: Source, lines: [LineView]) {
        self.carriers = carriers
        self.regions = regions
        self.source = source
        self.lines = lines
    }

    /// Whether `answer` may be given here: a generic one always; one about carriers only
    /// when one of them is in this context; one about regions only (no carrier) when one of
    /// them is.
    func allows(_ answer: FAQAnswer) -> Bool { allows(carriers: answer.carriers, regions: answer.regions) }

    func allows(carriers answerCarriers: [String], regions answerRegions: [String]) -> Bool {
        if !answerCarriers.isEmpty { return answerCarriers.contains(where: carriers.contains) }
        if !answerRegions.isEmpty { return answerRegions.contains(where: regions.contains) }
        return true
    }

    /// Whether some answer of `entry` may be given here (its question may be offered).
    func allows(_ entry: FAQEntry) -> Bool {
        allows(carriers: entry.carriers, regions: entry.regions) || entry.variants.contains { allows(carriers: $0.carriers, regions: $0.regions) }
    }

    /// `answer` is about this context's carrier or region (not generic).
    func isSpecific(_ answer: FAQAnswer) -> Bool { answer.isSpecific && allows(answer) }

    /// Whether a specific answer is about `carrier` (or, for a region answer, its region).
    func answer(_ answer: FAQAnswer, applies carrier: String) -> Bool {
        answer.carriers.isEmpty ? carrierRegions[carrier].map(answer.regions.contains) ?? false : answer.carriers.contains(carrier)
    }

    /// A short account for operators ("the chat's Ultra Mobile line", "named: giffgaff").
    var explanation: String {
        let names = carriers.sorted().joined(separator: ", ")
        switch source {
        case .named: return "named carrier \(names)"
        case .line: return "the line the message points at (\(names))"
        case .region: return "named region \(regions.sorted().joined(separator: ", "))"
        case .recent: return "the carrier of the last minutes (\(names))"
        case .bound: return "the chat's lines (\(names))"
        case .unknown: return "no carrier known"
        }
    }
}

import Understanding

/// What a message names besides its intent: numbers, carriers, regions.
struct MessageContext: Sendable {
    let numbers: [PhoneNumber]
    let carriers: Set<String>
    let regions: Set<String>
    let textLength: Int
    /// The FAQ entries the classifier ranked for the message, best first.
    let faqRanking: [RankedEntry]
    /// Starts like a follow-up: 那…呢, 咁…, "what about …", "and …".
    let hasFollowUpMarker: Bool

    init(decision: Decision?) {
        var numbers: [PhoneNumber] = [], carriers: Set<String> = []
        for entity in decision?.entities ?? [] {
            switch entity.value {
            case .phoneNumber(let e164, _): if let n = PhoneNumber(e164: e164) { numbers.append(n) }
            case .carrier(let id): carriers.insert(id)
            default: break
            }
        }
        self.numbers = numbers
        self.carriers = carriers
        let text = decision?.normalized.string ?? ""
        let words = Set(text.split(separator: " ").map(String.init))
        var regions: Set<String> = []
        let scalars = Array(text.unicodeScalars)
        for (region, names) in Self.regionWords
        where names.contains(where: { name in name.utf8.allSatisfy({ $0 < 0x80 }) && !name.utf8.contains(0x20) ? words.contains(name) : Self.occurs(name, in: scalars) }) {
            regions.insert(region)
        }
        self.regions = regions
        textLength = text.count
        faqRanking = decision?.faqRanking ?? []
        hasFollowUpMarker = ["那", "咁", "what about", "how about", "and "].contains { text.hasPrefix($0) } || text.hasSuffix("呢")
    }

    /// Plain substring search on scalars (no locale-aware Foundation search on the hot path).
    static func occurs(_ needle: String, in haystack: [Unicode.Scalar]) -> Bool {
        let n = Array(needle.unicodeScalars)
        guard !n.isEmpty, n.count <= haystack.count else { return n.isEmpty }
        for start in 0...(haystack.count - n.count) where haystack[start] == n[0] {
            var k = 1
            while k < n.count, haystack[start + k] == n[k] { k += 1 }
            if k == n.count { return true }
        }
        return false
    }

    /// Region names as customers write them (after normalization: simplified, lower case).
    static let regionWords: [String: [String]] = [
        "HK": ["香港", "港号", "港卡", "hk", "hong kong"],
        "US": ["美国", "美号", "美卡", "us", "usa", "america"],
        "UK": ["英国", "英号", "英卡", "uk", "britain"],
    ]

    var isFollowUpShaped: Bool { textLength <= 16 && (!regions.isEmpty || !carriers.isEmpty || !numbers.isEmpty) }

    /// Lines this message points at among `lines` (all of them when it names nothing).
    func select(_ lines: [LineView], catalogue: CarrierCatalogue) -> [LineView] {
        var selected = lines
        if !carriers.isEmpty { selected = selected.filter { carriers.contains($0.carrier) } }
        if !regions.isEmpty { selected = selected.filter { regions.contains(catalogue.carrier($0.carrier)?.region ?? $0.number.region) } }
        return selected
    }
}

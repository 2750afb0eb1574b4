/// Finds every entity in a message: phone numbers first, then money, durations and dates
/// in what is left, and carrier names anywhere. Results are in message order.
public struct EntityExtractor: Sendable {
    private let map: CharacterMap
    private let carriers: CarrierExtractor

    public init(carriers: [CarrierNames] = [], traditionalToSimplified: CharacterMap = CharacterMap()) {
        map = traditionalToSimplified
        self.carriers = CarrierExtractor(carriers: carriers, map: traditionalToSimplified)
    }

    public func extract(_ text: String) -> [Entity] {
        let t = EntityText(text, map: map)
        var entities: [Entity] = []
        if t.hasDigit || t.hasNumeral || t.hasLetter {
            entities = t.hasDigit ? PhoneNumberExtractor.extract(t) : []
            var taken = entities.map(\.range)
            if t.hasDigit || t.hasNumeral {
                let amounts = AmountExtractor.extract(t, excluding: taken)
                entities += amounts
                taken += amounts.map(\.range)
            }
            let durations = DurationExtractor.extract(t, excluding: taken)
            entities += durations
            taken += durations.map(\.range)
            if t.hasDigit { entities += DateExtractor.extract(t, excluding: taken) }
        }
        entities += carriers.extract(t)
        return entities.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    /// The carrier ids mentioned in `entities`.
    public static func carrierIDs(_ entities: [Entity]) -> [String] {
        entities.compactMap { if case .carrier(let id) = $0.value { id } else { nil } }
    }
}

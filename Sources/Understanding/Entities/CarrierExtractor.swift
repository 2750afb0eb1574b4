/// Finds carrier names and aliases (Ultra, T-Mobile, 中國移動香港, 數碼通, giffgaff ...).
/// Latin names match whole words only.
struct CarrierExtractor: Sendable {
    private let names: [(scalars: [UInt32], id: String)]
    /// Names by their first scalar, longest first.
    private let byFirst: [UInt32: [(scalars: [UInt32], id: String)]]

    init(carriers: [CarrierNames], map: CharacterMap) {
        var names: [(scalars: [UInt32], id: String)] = []
        for carrier in carriers {
            for name in carrier.names + [carrier.id] {
                let prepared = EntityText(name, map: map).scalars
                if !prepared.isEmpty { names.append((prepared, carrier.id)) }
            }
        }
        // Longest first, so "ultra mobile" wins over "ultra".
        self.names = names.sorted { $0.scalars.count > $1.scalars.count }
        self.byFirst = Dictionary(grouping: self.names, by: { $0.scalars[0] })
    }

    func extract(_ t: EntityText) -> [Entity] {
        var found: [Entity] = []
        var i = 0
        while i < t.count {
            var matched = false
            for (name, id) in byFirst[t.scalars[i]] ?? [] where t.matches(name, at: i) {
                let end = i + name.count
                let latinStart = name.first.map { $0 < 0x80 } ?? false
                let latinEnd = name.last.map { $0 < 0x80 } ?? false
                if latinStart && (t.isLetter(i - 1) || t.isDigit(i - 1)) { continue }
                if latinEnd && (t.isLetter(end) || t.isDigit(end)) { continue }
                if !found.contains(where: { if case .carrier(id) = $0.value { return true } else { return false } }) {
                    found.append(Entity(value: .carrier(id), range: i..<end, text: t.text(i..<end)))
                }
                i = end
                matched = true
                break
            }
            if !matched { i += 1 }
        }
        return found
    }
}

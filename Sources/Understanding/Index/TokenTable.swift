/// An immutable open-addressing hash map from 64-bit keys to 32-bit values, with a cheap
/// multiplicative hash: lookups on the hot path cost a multiply and a probe or two.
struct IntegerTable: Sendable {
    private let keys: [UInt64]
    private let values: [Int32]
    private let shift: UInt64
    private let mask: Int
    private static let empty = UInt64.max

    /// A table holding `pairs`; keys must not be `UInt64.max`.
    init(_ pairs: some Sequence<(UInt64, Int32)>) {
        let list = Array(pairs)
        var capacityBits: UInt64 = 4
        while (1 << capacityBits) < list.count * 2 + 1 { capacityBits += 1 }
        let capacity = 1 << Int(capacityBits)
        var keys = [UInt64](repeating: Self.empty, count: capacity)
        var values = [Int32](repeating: -1, count: capacity)
        shift = 64 - capacityBits
        mask = capacity - 1
        for (key, value) in list {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[slot] != Self.empty && keys[slot] != key { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
        self.keys = keys
        self.values = values
    }

    @inline(__always)
    subscript(key: UInt64) -> Int32? {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        return keys.withUnsafeBufferPointer { k in
            while true {
                let found = k[slot]
                if found == key { return values[slot] }
                if found == Self.empty { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}

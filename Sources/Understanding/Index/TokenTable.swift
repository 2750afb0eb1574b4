/// An open-addressing hash map from 64-bit keys to 32-bit values, with a cheap
/// multiplicative hash: lookups on the hot path cost a multiply and a probe or two.
struct IntegerTable: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var shift: UInt64
    private var mask: Int
    private(set) var count = 0
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
        self.count = list.count
    }

    /// The value stored for `key`, storing `make()` first when there is none.
    @inline(__always)
    mutating func value(for key: UInt64, orInsert make: () -> Int32) -> Int32 {
        if (count + 1) * 2 > keys.count { grow() }
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let found = keys[slot]
            if found == key { return values[slot] }
            if found == Self.empty {
                let value = make()
                keys[slot] = key
                values[slot] = value
                count += 1
                return value
            }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        var bigger = IntegerTable(EmptyCollection<(UInt64, Int32)>(), minimumCapacity: keys.count * 2)
        for (k, v) in zip(keys, values) where k != Self.empty { _ = bigger.value(for: k) { v } }
        self = bigger
    }

    /// An empty table with room for `minimumCapacity` / 2 keys before it grows.
    init(_ pairs: EmptyCollection<(UInt64, Int32)>, minimumCapacity: Int) {
        var bits: UInt64 = 4
        while (1 << bits) < minimumCapacity { bits += 1 }
        keys = [UInt64](repeating: Self.empty, count: 1 << Int(bits))
        values = [Int32](repeating: -1, count: 1 << Int(bits))
        shift = 64 - bits
        mask = (1 << Int(bits)) - 1
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

/// Replaces phrases (sequences of characters) by other phrases, leftmost-longest first:
/// Cantonese and HK usage to standard written Chinese (增值→充值, 點樣→怎样), or pinyin words
/// to the Chinese they spell (xufei→续费), which match whole words only.
public struct PhraseTable: Sendable {
    private var trie = ScalarTrie<[UInt32]>()
    /// One bit per BMP character that starts a phrase, for a quick "no phrase here".
    private var starts = [UInt64](repeating: 0, count: 1024)
    /// Phrases match only where no ASCII letter or digit precedes or follows them.
    public let wholeWords: Bool

    public init(wholeWords: Bool = false) {
        self.wholeWords = wholeWords
    }

    /// Adds a replacement. Keys are given already normalized (simplified script).
    public mutating func add(_ phrase: [UInt32], replacement: [UInt32]) {
        guard let first = phrase.first else { return }
        trie.insert(phrase, value: replacement)
        trie.freeze()
        if first < 0x10000 { starts[Int(first >> 6)] |= 1 << UInt64(first & 63) } else { starts[0] |= 1 }
    }

    @inline(__always)
    private func mayStart(_ v: UInt32) -> Bool {
        v >= 0x10000 || starts[Int(v >> 6)] & (1 << UInt64(v & 63)) != 0
    }

    public var isEmpty: Bool { trie.isEmpty }

    @inline(__always)
    private static func isWordCharacter(_ v: UInt32) -> Bool {
        (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
    }

    /// The longest phrase at `i`, if it may match there.
    @inline(__always)
    private func match(_ scalars: [UInt32], at i: Int) -> (Int, [UInt32])? {
        guard mayStart(scalars[i]) else { return nil }
        if wholeWords, i > 0, Self.isWordCharacter(scalars[i - 1]) { return nil }
        guard let (length, replacement) = trie.longestMatch(in: scalars, from: i) else { return nil }
        if wholeWords, i + length < scalars.count, Self.isWordCharacter(scalars[i + length]) { return nil }
        return (length, replacement)
    }

    /// `scalars` with every phrase replaced, scanning left to right, longest match first.
    public func apply(_ scalars: [UInt32]) -> [UInt32] {
        guard !trie.isEmpty else { return scalars }
        // Find the first phrase; most texts have none and are returned as they are.
        var i = 0
        var first: (at: Int, length: Int, replacement: [UInt32])?
        while i < scalars.count {
            if let (length, replacement) = match(scalars, at: i) {
                first = (i, length, replacement)
                break
            }
            i += 1
        }
        guard let first else { return scalars }
        var out: [UInt32] = []
        out.reserveCapacity(scalars.count + 8)
        out.append(contentsOf: scalars[0..<first.at])
        out.append(contentsOf: first.replacement)
        i = first.at + first.length
        while i < scalars.count {
            if let (length, replacement) = match(scalars, at: i) {
                out.append(contentsOf: replacement)
                i += length
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return out
    }
}

/// A trie over integer keys with a value at each terminal, for leftmost-longest matching.
/// Built with `insert`, then `freeze()` lays the children out flat and sorted, so reading is
/// a binary search over plain arrays (no hashing, no reference counting).
struct ScalarTrie<Value: Sendable>: Sendable {
    private struct Node: Sendable {
        var keys: [UInt64] = []
        var children: [Int32] = []
        var value: Value?
    }
    private var nodes: [Node] = [Node()]
    private var childStart: [Int32] = [0, 0]
    private var childKeys: [UInt64] = []
    private var childNodes: [Int32] = []
    private var values: [Value?] = [nil]
    /// The root's children by key: the root has most children, so it gets a hash table.
    private var rootChildren = IntegerTable([])

    var isEmpty: Bool { nodes.count == 1 }

    private func buildChild(_ node: Int, _ key: UInt64) -> Int? {
        let keys = nodes[node].keys
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) >> 1
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low < keys.count && keys[low] == key ? Int(nodes[node].children[low]) : nil
    }

    @inline(__always)
    private func child(_ node: Int, _ key: UInt64) -> Int? {
        if node == 0 {
            guard key != UInt64.max, let next = rootChildren[key] else { return nil }
            return Int(next)
        }
        var low = Int(childStart[node]), high = Int(childStart[node + 1])
        while low < high {
            let mid = (low + high) >> 1
            if childKeys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low < Int(childStart[node + 1]) && childKeys[low] == key ? Int(childNodes[low]) : nil
    }

    mutating func insert<C: Collection>(_ key: C, value: Value) where C.Element: BinaryInteger {
        var node = 0
        for element in key {
            let k = UInt64(element)
            if let next = buildChild(node, k) {
                node = next
            } else {
                nodes.append(Node())
                let position = nodes[node].keys.firstIndex { $0 > k } ?? nodes[node].keys.count
                nodes[node].keys.insert(k, at: position)
                nodes[node].children.insert(Int32(nodes.count - 1), at: position)
                node = nodes.count - 1
            }
        }
        nodes[node].value = value
    }

    /// Lays the trie out for reading; call after the last `insert`.
    mutating func freeze() {
        childStart = [0]
        childKeys = []
        childNodes = []
        values = []
        for node in nodes {
            childKeys += node.keys
            childNodes += node.children
            childStart.append(Int32(childKeys.count))
            values.append(node.value)
        }
        rootChildren = IntegerTable(zip(nodes[0].keys, nodes[0].children).map { ($0, $1) })
    }

    /// The longest key made of `key(0)`, `key(1)`, ... (at most `length` keys): its length and value.
    @inline(__always)
    func longestMatch(length available: Int, key: (Int) -> UInt64) -> (Int, Value)? {
        var node = 0
        var best: (Int, Value)?
        var length = 0
        while length < available {
            guard let next = child(node, key(length)) else { break }
            node = next
            length += 1
            if let value = values[node] { best = (length, value) }
        }
        return best
    }

    /// The longest key that starts at `start` in `keys`: its length and value.
    @inline(__always)
    func longestMatch<C: RandomAccessCollection>(in keys: C, from start: C.Index) -> (Int, Value)? where C.Element: BinaryInteger {
        var node = 0
        var best: (Int, Value)?
        var index = start
        var length = 0
        while index != keys.endIndex {
            guard let next = child(node, UInt64(keys[index])) else { break }
            node = next
            length += 1
            if let value = values[node] { best = (length, value) }
            index = keys.index(after: index)
        }
        return best
    }
}

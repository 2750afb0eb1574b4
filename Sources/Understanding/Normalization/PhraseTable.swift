/// Replaces phrases (sequences of characters) by other phrases, leftmost-longest first:
/// Cantonese and HK usage to standard written Chinese (增值→充值, 點樣→怎样).
public struct PhraseTable: Sendable {
    private var trie = ScalarTrie<[UInt32]>()

    public init() {}

    /// Adds a replacement. Keys are given already normalized (simplified script).
    public mutating func add(_ phrase: [UInt32], replacement: [UInt32]) {
        guard !phrase.isEmpty else { return }
        trie.insert(phrase, value: replacement)
    }

    public var isEmpty: Bool { trie.isEmpty }

    /// `scalars` with every phrase replaced, scanning left to right, longest match first.
    public func apply(_ scalars: [UInt32]) -> [UInt32] {
        guard !trie.isEmpty else { return scalars }
        var out: [UInt32] = []
        out.reserveCapacity(scalars.count + 8)
        var i = 0
        var changed = false
        while i < scalars.count {
            if let (length, replacement) = trie.longestMatch(in: scalars, from: i) {
                out.append(contentsOf: replacement)
                i += length
                changed = true
            } else {
                out.append(scalars[i])
                i += 1
            }
        }
        return changed ? out : scalars
    }
}

/// A trie over 32-bit keys with a value at each terminal, for leftmost-longest matching.
struct ScalarTrie<Value: Sendable>: Sendable {
    private struct Node: Sendable {
        var children: [UInt64: Int32] = [:]
        var value: Value?
    }
    private var nodes: [Node] = [Node()]

    var isEmpty: Bool { nodes.count == 1 }

    mutating func insert<C: Collection>(_ key: C, value: Value) where C.Element: BinaryInteger {
        var node = 0
        for element in key {
            let k = UInt64(element)
            if let next = nodes[node].children[k] {
                node = Int(next)
            } else {
                nodes.append(Node())
                nodes[node].children[k] = Int32(nodes.count - 1)
                node = nodes.count - 1
            }
        }
        nodes[node].value = value
    }

    /// The longest key that starts at `start` in `keys`: its length and value.
    @inline(__always)
    func longestMatch<C: RandomAccessCollection>(in keys: C, from start: C.Index) -> (Int, Value)? where C.Element: BinaryInteger {
        var node = 0
        var best: (Int, Value)?
        var index = start
        var length = 0
        while index != keys.endIndex {
            guard let next = nodes[node].children[UInt64(keys[index])] else { break }
            node = Int(next)
            length += 1
            if let value = nodes[node].value { best = (length, value) }
            index = keys.index(after: index)
        }
        return best
    }
}

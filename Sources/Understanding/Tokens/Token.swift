/// A matching feature, packed into 64 bits: the kind in the top 6 bits, the payload below.
public struct Token: Hashable, Sendable, Comparable {
    public let raw: UInt64

    public enum Kind: UInt64, Sendable, CaseIterable {
        /// One CJK character.
        case unigram = 1
        /// Two adjacent CJK characters.
        case bigram = 2
        /// A stemmed Latin word.
        case word = 3
        /// A number, by size class (short, medium, phone-length).
        case number = 4
        /// A synonym group ("balance", "renew") matched anywhere in the text.
        case concept = 5
    }

    @inline(__always) init(_ kind: Kind, _ payload: UInt64) {
        raw = (kind.rawValue << 58) | (payload & ((1 << 58) - 1))
    }

    public var kind: Kind { Kind(rawValue: raw >> 58) ?? .unigram }
    var payload: UInt64 { raw & ((1 << 58) - 1) }

    public static func < (lhs: Token, rhs: Token) -> Bool { lhs.raw < rhs.raw }

    static func unigram(_ c: UInt32) -> Token { Token(.unigram, UInt64(c)) }
    static func bigram(_ a: UInt32, _ b: UInt32) -> Token { Token(.bigram, UInt64(a) << 21 | UInt64(b)) }
    static func word(hash: UInt64) -> Token { Token(.word, hash) }
    static func number(_ sizeClass: UInt64) -> Token { Token(.number, sizeClass) }
    static func concept(_ index: Int) -> Token { Token(.concept, UInt64(index)) }

    /// FNV-1a over bytes: stable across runs, so a word's token never depends on load order.
    @inline(__always)
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

/// Turns normalized text into tokens: CJK unigrams and bigrams, stemmed Latin words, number
/// size classes, and synonym concepts (leftmost-longest, over characters and words alike).
public struct Tokenizer: Sendable {
    /// Words too common to carry meaning.
    static let stopWords: Set<UInt64> = Set(
        ["a", "an", "the", "to", "of", "is", "are", "am", "be", "i", "me", "my", "it", "its", "this", "that",
         "for", "on", "in", "at", "and", "or", "so", "pls", "plz", "please", "u", "im", "just", "hi"]
            .filter { $0 != "hi" }
            .map { Token.hash(Stemmer.stem(Array($0.utf8))) })
    /// Chinese particles that say nothing on their own (simplified).
    static let stopCharacters: [UInt32] = "的了吗呢啊吧呀么嘛哦喔啦哈诶欸哇噢嗯喂咯".unicodeScalars.map(\.value).sorted()

    @inline(__always)
    static func isStopCharacter(_ c: UInt32) -> Bool {
        guard c >= stopCharacters[0], c <= stopCharacters[stopCharacters.count - 1] else { return false }
        for s in stopCharacters where s == c { return true }
        return false
    }

    private let concepts: ScalarTrie<Int>
    /// One bit per BMP character that starts a concept term (words are always tried).
    private let conceptStarts: [UInt64]
    /// Concept names, by index.
    public let conceptNames: [String]

    /// A tokenizer without synonyms.
    public init() {
        concepts = ScalarTrie()
        conceptStarts = []
        conceptNames = []
    }

    /// A tokenizer that also emits a concept token wherever one of a group's terms occurs.
    /// Terms must already be normalized.
    public init(synonyms: [(concept: String, terms: [NormalizedText])]) {
        var trie = ScalarTrie<Int>()
        var starts = [UInt64](repeating: 0, count: 1024)
        for (index, group) in synonyms.enumerated() {
            for term in group.terms {
                let units = Self.units(of: term.scalars).map(\.key)
                guard let first = units.first else { continue }
                trie.insert(units, value: index)
                if first < 0x10000 { starts[Int(first >> 6)] |= 1 << (first & 63) }
            }
        }
        trie.freeze()
        concepts = trie
        conceptStarts = starts
        conceptNames = synonyms.map(\.concept)
    }

    /// A unit of text: one CJK (or other non-Latin) character, one stemmed Latin word, or a number.
    struct Unit {
        var key: UInt64
        var isHan: Bool
        var digits: Int
        /// The unit's characters: `start..<end` in the normalized text.
        var start: Int32
        var end: Int32
        /// True when a space precedes this unit (no bigram across it).
        var afterSpace: Bool
    }

    static func units(of s: [UInt32]) -> [Unit] {
        var units: [Unit] = []
        var bytes: [UInt8] = []
        Self.units(of: s, into: &units, bytes: &bytes)
        return units
    }

    /// `units(of:)` into reusable storage.
    static func units(of s: [UInt32], into units: inout [Unit], bytes: inout [UInt8]) {
        // At most one unit per character: fill an exactly-sized buffer, no per-unit append.
        units.overwrite(capacity: s.count, filler: Unit(key: 0, isHan: false, digits: 0, start: 0, end: 0, afterSpace: false)) { buffer in
            var n = 0
            var i = 0
            var afterSpace = true
            s.withUnsafeBufferPointer { s in
                while i < s.count {
                    let v = s[i]
                    if v == 0x20 { afterSpace = true; i += 1; continue }
                    let unit: Unit
                    if v >= 0x61 && v <= 0x7A {
                        var j = i
                        bytes.removeAll(keepingCapacity: true)
                        while j < s.count, s[j] >= 0x61 && s[j] <= 0x7A { bytes.append(UInt8(s[j])); j += 1 }
                        Stemmer.stem(&bytes)
                        unit = Unit(key: Token.word(hash: Token.hash(bytes)).raw, isHan: false, digits: 0, start: Int32(i), end: Int32(j), afterSpace: afterSpace)
                        i = j
                    } else if v >= 0x30 && v <= 0x39 {
                        var j = i
                        while j < s.count, s[j] >= 0x30 && s[j] <= 0x39 { j += 1 }
                        // Numbers match synonyms by their digits ("3q", "30天"), so key on the digit string.
                        unit = Unit(key: Token.word(hash: Token.hash(s[i..<j].lazy.map { UInt8($0) })).raw, isHan: false, digits: j - i, start: Int32(i), end: Int32(j), afterSpace: afterSpace)
                        i = j
                    } else {
                        unit = Unit(key: UInt64(v), isHan: true, digits: 0, start: Int32(i), end: Int32(i + 1), afterSpace: afterSpace)
                        i += 1
                    }
                    (buffer + n).initialize(to: unit)
                    n += 1
                    afterSpace = false
                }
            }
            return n
        }
    }

    /// The tokens of `text`, with repeats (term frequency matters).
    public func tokens(_ text: NormalizedText) -> [Token] {
        rawTokens(text).map { Token(raw: $0) }
    }

    /// `tokens(text)` as raw 64-bit values.
    func rawTokens(_ text: NormalizedText) -> [UInt64] {
        var buffers = TokenizationBuffers()
        buffers.scalars = text.scalars
        rawTokens(&buffers)
        return buffers.tokens
    }

    /// Tokenizes `buffers.scalars` (normalized text) into `buffers.tokens`, reusing storage.
    func rawTokens(_ buffers: inout TokenizationBuffers) {
        Self.units(of: buffers.scalars, into: &buffers.units, bytes: &buffers.bytes)
        let units = buffers.units
        // Per unit at most a unigram, a bigram and a concept: fill an exactly-sized buffer.
        buffers.tokens.overwrite(capacity: units.count * 3 + 1, filler: 0) { buffer in
            var sink = PointerTokenSink(base: buffer)
            emitTokens(units, into: &sink)
            return sink.count
        }
    }

    /// Stop words as a table (a hash lookup per word instead of a `Set`'s SipHash).
    static let stopWordTable = IntegerTable(stopWords.map { ($0, 1) })

    /// Calls `emit` for every token with the span of units it came from (for explanations).
    func tokens(_ text: NormalizedText, _ emit: (Token, Range<Int>) -> Void) {
        var sink = SpanTokenSink()
        emitTokens(Self.units(of: text.scalars), into: &sink)
        for (raw, span) in sink.items { emit(Token(raw: raw), span) }
    }

    /// The one tokenization rule set: unigrams (no particles), bigrams within a CJK run,
    /// number classes, words (no stop words), then concepts leftmost-longest.
    @inline(__always)
    private func emitTokens<Sink: TokenSink>(_ units: [Unit], into sink: inout Sink) {
        for index in units.indices {
            let unit = units[index]
            if unit.isHan {
                let c = UInt32(unit.key)
                if !Self.isStopCharacter(c) { sink.emit(Token.unigram(c).raw, index..<(index + 1)) }
                if index + 1 < units.count, units[index + 1].isHan, !units[index + 1].afterSpace {
                    sink.emit(Token.bigram(c, UInt32(units[index + 1].key)).raw, index..<(index + 2))
                }
            } else if unit.digits > 0 {
                sink.emit(Token.number(unit.digits >= 8 ? 3 : unit.digits >= 5 ? 2 : 1).raw, index..<(index + 1))
            } else if Self.stopWordTable[Token(raw: unit.key).payload] == nil {
                sink.emit(unit.key, index..<(index + 1))
            }
        }
        guard !concepts.isEmpty else { return }
        var i = 0
        while i < units.count {
            let key = units[i].key
            // Han characters not starting any term are skipped without a trie probe.
            if key < 0x10000, conceptStarts[Int(key >> 6)] & (1 << (key & 63)) == 0 {
                i += 1
                continue
            }
            if let (length, concept) = concepts.longestMatch(units: units, from: i) {
                sink.emit(Token.concept(concept).raw, i..<(i + length))
                i += length
            } else {
                i += 1
            }
        }
    }

    /// A readable form of each token of `text`: `续费`, `renew`, `<concept:renew>`, `<number:phone>`.
    public func explainedTokens(_ text: NormalizedText) -> [(Token, String)] {
        let units = Self.units(of: text.scalars)
        var result: [(Token, String)] = []
        tokens(text) { token, span in
            let surface = units[span].map { unit in
                String(String.UnicodeScalarView(text.scalars[Int(unit.start)..<Int(unit.end)].compactMap(Unicode.Scalar.init)))
            }
            let joined = surface.allSatisfy { $0.unicodeScalars.count == 1 && TextNormalizer.isHan($0.unicodeScalars.first!.value) }
                ? surface.joined() : surface.joined(separator: " ")
            switch token.kind {
            case .concept: result.append((token, "\(joined)→<\(conceptNames[Int(token.payload)])>"))
            case .number: result.append((token, "<number:\(["", "short", "medium", "long"][Int(token.payload)])>"))
            default: result.append((token, joined))
            }
        }
        return result
    }
}

extension Token {
    init(raw: UInt64) { self.raw = raw }
}

/// Where tokens go: an array on the hot path, a closure with spans for explanations.
protocol TokenSink {
    mutating func emit(_ raw: UInt64, _ span: Range<Int>)
}

struct PointerTokenSink: TokenSink {
    let base: UnsafeMutablePointer<UInt64>
    var count = 0
    @inline(__always) mutating func emit(_ raw: UInt64, _ span: Range<Int>) {
        base[count] = raw
        count += 1
    }
}

struct SpanTokenSink: TokenSink {
    var items: [(UInt64, Range<Int>)] = []
    mutating func emit(_ raw: UInt64, _ span: Range<Int>) { items.append((raw, span)) }
}

/// Storage reused from one text to the next when tokenizing many texts.
struct TokenizationBuffers {
    var scalars: [UInt32] = []
    var units: [Tokenizer.Unit] = []
    var bytes: [UInt8] = []
    var tokens: [UInt64] = []
}

extension ScalarTrie {
    /// `longestMatch` over the keys of tokenizer units.
    @inline(__always)
    func longestMatch(units: [Tokenizer.Unit], from start: Int) -> (Int, Value)? {
        longestMatch(length: units.count - start) { units[start + $0].key }
    }
}

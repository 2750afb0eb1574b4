/// The message prepared for entity extraction: one scalar per input scalar (so spans map
/// back), with full-width forms folded, ASCII lower-cased and traditional characters simplified.
struct EntityText {
    let scalars: [UInt32]
    private let source: String
    /// Whether any ASCII digit, Chinese numeral (or 半) or ASCII letter occurs: extractors
    /// that need one skip the message when it has none.
    let hasDigit: Bool
    let hasNumeral: Bool
    let hasLetter: Bool

    init(_ text: String, map: CharacterMap) {
        var scalars: [UInt32] = []
        scalars.reserveCapacity(min(text.utf8.count, TextNormalizer.maximumInputScalars))
        var digit = false, numeral = false, letter = false
        for scalar in text.unicodeScalars {
            if scalars.count == TextNormalizer.maximumInputScalars { break }
            var v = scalar.value
            if v < 0x80 {
                if v >= 0x41 && v <= 0x5A { v += 0x20 }
                if v >= 0x30 && v <= 0x39 { digit = true } else if v >= 0x61 && v <= 0x7A { letter = true }
            } else {
                if v >= 0xFF01 && v <= 0xFF5E {
                    v -= 0xFEE0
                    if v >= 0x41 && v <= 0x5A { v += 0x20 }
                    if v >= 0x30 && v <= 0x39 { digit = true } else if v >= 0x61 && v <= 0x7A { letter = true }
                } else if v == 0x3000 {
                    v = 0x20
                } else {
                    v = map.map(v)
                    if v == CJK.ban || ChineseNumerals.isNumeral(v) { numeral = true }
                }
            }
            scalars.append(v)
        }
        self.scalars = scalars
        self.source = text
        hasDigit = digit
        hasNumeral = numeral
        hasLetter = letter
    }

    var count: Int { scalars.count }

    /// The message's own text for `range` (as written, before folding).
    func text(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        for (offset, scalar) in source.unicodeScalars.enumerated() {
            if offset >= range.upperBound { break }
            if offset >= range.lowerBound { view.append(scalar) }
        }
        return String(view)
    }

    @inline(__always) func isDigit(_ i: Int) -> Bool { i >= 0 && i < count && scalars[i] >= 0x30 && scalars[i] <= 0x39 }
    @inline(__always) func isLetter(_ i: Int) -> Bool { i >= 0 && i < count && scalars[i] >= 0x61 && scalars[i] <= 0x7A }

    /// True when the scalars at `i` spell `word`.
    func matches(_ word: [UInt32], at i: Int) -> Bool {
        guard i >= 0, i + word.count <= count else { return false }
        for k in 0..<word.count where scalars[i + k] != word[k] { return false }
        return true
    }

    /// The first of `words` that starts at `i` (longest first), with its length.
    func firstMatch(_ words: [[UInt32]], at i: Int) -> [UInt32]? {
        words.first { matches($0, at: i) }
    }

    /// Skips spaces from `i` forward.
    func skipSpaces(_ i: Int) -> Int {
        var j = i
        while j < count, scalars[j] == 0x20 { j += 1 }
        return j
    }
}

/// Characters the extractors look for, as scalar values.
enum CJK {
    static let yue: UInt32 = 0x6708  // 月
    static let nian: UInt32 = 0x5E74  // 年
    static let hao: UInt32 = 0x53F7  // 号
    static let ri: UInt32 = 0x65E5  // 日
    static let ge: UInt32 = 0x4E2A  // 个
    static let ban: UInt32 = 0x534A  // 半
}

extension String {
    var scalarValues: [UInt32] { unicodeScalars.map(\.value) }
}

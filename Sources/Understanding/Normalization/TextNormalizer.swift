/// Text reduced to what matching needs: half-width, lower-case, simplified script, standard
/// written Chinese for Cantonese phrases, ASCII digits for quantities, no punctuation, emoji,
/// control or format characters, single spaces. Bounded in length.
public struct NormalizedText: Sendable, Hashable {
    /// The normalized characters as Unicode scalar values.
    public let scalars: [UInt32]

    /// The normalized text as a string.
    public var string: String {
        var s = String.UnicodeScalarView()
        for v in scalars { if let u = Unicode.Scalar(v) { s.append(u) } }
        return String(s)
    }
}

/// Normalizes customer text. Total on every input: any Unicode, any length.
public struct TextNormalizer: Sendable {
    /// At most this many input scalars are read; the rest of a long message is ignored for matching.
    public static let maximumInputScalars = 1000
    /// At most this many scalars come out.
    public static let maximumOutputScalars = 400

    public let traditionalToSimplified: CharacterMap
    public let phrases: PhraseTable
    /// Pinyin words to Chinese (whole words), applied before `phrases`.
    public let pinyin: PhraseTable

    public init(traditionalToSimplified: CharacterMap = CharacterMap(), phrases: PhraseTable = PhraseTable(), pinyin: PhraseTable = PhraseTable(wholeWords: true)) {
        self.traditionalToSimplified = traditionalToSimplified
        self.phrases = phrases
        self.pinyin = pinyin
    }

    private struct State {
        var read = 0
        var hasHan = false
        var lastWasSpace = true
        /// Where the next output character goes, and how many there are.
        var output: UnsafeMutablePointer<UInt32>
        var count = 0

        @inline(__always) mutating func append(_ v: UInt32) {
            output[count] = v
            count += 1
        }
    }

    /// Appends what one input character becomes: itself folded, a space, or nothing.
    @inline(__always)
    private func step(_ scalarValue: UInt32, _ state: inout State) {
        var v = scalarValue
        // Full-width ASCII and the ideographic space.
        if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 } else if v == 0x3000 { v = 0x20 }
        var emitted: UInt32 = 0  // 0: a space; 0xFFFFFFFF: nothing
        if v < 0x80 {
            switch v {
            case 0x41...0x5A: emitted = v + 0x20
            case 0x61...0x7A, 0x30...0x39: emitted = v
            default: emitted = 0  // punctuation, symbols, controls, whitespace
            }
        } else if Self.isHan(v) {
            state.hasHan = true
            emitted = traditionalToSimplified.map(v)
        } else if (v >= 0x3001 && v <= 0x303F) || (v >= 0xFF5F && v <= 0xFF65) || (v >= 0x2010 && v <= 0x2027) || (v >= 0x2030 && v <= 0x205E) {
            emitted = 0  // CJK and general punctuation
        } else if (v >= 0x200B && v <= 0x200F) || (v >= 0x202A && v <= 0x202E) || (v >= 0x2060 && v <= 0x206F) || v == 0xFEFF || (v >= 0xFE00 && v <= 0xFE0F) {
            return  // zero-width, direction and variation marks
        } else if let u = Unicode.Scalar(v) {
            let properties = u.properties
            switch properties.generalCategory {
            case .uppercaseLetter, .titlecaseLetter:
                // İ lower-cases to i + a combining dot: marks are dropped here as they are in
                // the input, so normalizing twice changes nothing.
                for l in properties.lowercaseMapping.unicodeScalars where !Self.isDroppedMark(l) {
                    state.append(Self.foldLatin(l.value))
                }
                state.lastWasSpace = false
                return
            case .lowercaseLetter, .otherLetter, .modifierLetter:
                emitted = Self.foldLatin(v)
            case .decimalNumber:
                if let value = properties.numericValue, value >= 0, value <= 9 { emitted = 0x30 + UInt32(value) }
            case .nonspacingMark, .enclosingMark, .spacingMark, .format, .control, .surrogate, .privateUse, .unassigned:
                return  // combining marks, ZWJ, RTL marks, variation selectors: dropped
            default:
                emitted = 0  // punctuation, symbols, emoji, separators
            }
        }
        if emitted == 0 {
            if !state.lastWasSpace {
                state.append(0x20)
                state.lastWasSpace = true
            }
        } else {
            state.append(emitted)
            state.lastWasSpace = false
        }
    }

    public func normalize(_ text: String) -> NormalizedText {
        var out: [UInt32] = []
        normalize(text, into: &out)
        return NormalizedText(scalars: out)
    }

    /// Normalizes `text` into `out` (cleared first), reusing its storage.
    func normalize(_ text: String, into out: inout [UInt32]) {
        // Each input scalar becomes at most 3 (a lower-case mapping), so 3 per UTF-8 byte is
        // always room enough; the count is fixed at the end.
        let capacity = min(text.utf8.count, Self.maximumInputScalars * 4) * 3 + 4
        var hasHanSeen = false
        out.overwrite(capacity: capacity, filler: 0) { buffer in
            var state = State(output: buffer)
            let decoded: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
                // Swift strings hold valid UTF-8, so decoding needs no validation.
                var i = 0
                let n = bytes.count
                while i < n, state.read < Self.maximumInputScalars {
                    let b0 = bytes[i]
                    let v: UInt32
                    if b0 < 0x80 {
                        v = UInt32(b0)
                        i += 1
                    } else if b0 < 0xE0 {
                        v = (UInt32(b0 & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F)
                        i += 2
                    } else if b0 < 0xF0 {
                        v = (UInt32(b0 & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
                        i += 3
                    } else {
                        v = (UInt32(b0 & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12) | (UInt32(bytes[i + 2] & 0x3F) << 6)
                            | UInt32(bytes[i + 3] & 0x3F)
                        i += 4
                    }
                    state.read += 1
                    step(v, &state)
                }
            }
            if decoded == nil {
                for scalar in text.unicodeScalars {
                    if state.read >= Self.maximumInputScalars { break }
                    state.read += 1
                    step(scalar.value, &state)
                }
            }
            hasHanSeen = state.hasHan
            return state.count
        }
        var hasHan = hasHanSeen
        while out.last == 0x20 { out.removeLast() }
        if !pinyin.isEmpty, out.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) {
            out = pinyin.apply(out)
            if !hasHan { hasHan = out.contains(where: Self.isHan) }
        }
        if hasHan {
            out = phrases.apply(out)
            out = ChineseNumerals.rewrite(out)
        }
        if out.count > Self.maximumOutputScalars { out.removeSubrange(Self.maximumOutputScalars...) }
    }

    static func isDroppedMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark, .format: true
        default: false
        }
    }

    /// CJK unified ideographs (and extensions, compatibility ideographs).
    @inline(__always)
    public static func isHan(_ v: UInt32) -> Bool {
        (v >= 0x4E00 && v <= 0x9FFF) || (v >= 0x3400 && v <= 0x4DBF) || (v >= 0x20000 && v <= 0x3134F)
            || (v >= 0xF900 && v <= 0xFAFF)
    }

    /// Latin letters with common diacritics folded to ASCII (é → e), others unchanged.
    @inline(__always)
    static func foldLatin(_ v: UInt32) -> UInt32 {
        guard v >= 0xC0 && v <= 0x17F else { return v }
        switch v {
        case 0xE0...0xE5: return 0x61
        case 0xE7: return 0x63
        case 0xE8...0xEB: return 0x65
        case 0xEC...0xEF: return 0x69
        case 0xF1: return 0x6E
        case 0xF2...0xF6, 0xF8: return 0x6F
        case 0xF9...0xFC: return 0x75
        case 0xFD, 0xFF: return 0x79
        default: return v
        }
    }
}

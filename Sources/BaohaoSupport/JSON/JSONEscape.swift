/// The escapes of a JSON string (RFC 8259 §7) decoded to UTF-8: the one definition the
/// parsers that read JSON from bytes share (`JSONValue.parse` and Telegram's getUpdates
/// decoder).
public enum JSONEscape {
    /// Why an escape is not JSON, and the byte offset where that was found.
    public struct Failure: Error, Equatable, Sendable {
        /// What was wrong with the escape.
        public enum Kind: Sendable, Equatable {
            /// A backslash before anything but `" \ / b f n r t u` (or before the end).
            case unknownEscape
            /// `\u` with fewer than four bytes after it.
            case truncatedHex
            /// `\u` followed by something other than four hex digits.
            case badHex
            /// A high surrogate not followed by `\u`.
            case loneHighSurrogate
            /// A high surrogate followed by a `\u` that is not a low surrogate.
            case badLowSurrogate
            /// A low surrogate with no high surrogate before it.
            case loneLowSurrogate
        }
        /// What was wrong.
        public let kind: Kind
        /// The offset in the bytes given to `decode` at which it was found.
        public let offset: Int
    }

    /// Decodes the escape whose letter is at `letter` (the byte after its backslash) and
    /// appends the character it stands for, in UTF-8, to `out`. A surrogate pair written as
    /// two escapes is one character. Returns the offset just past the escape.
    public static func decode<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, letter: Int, into out: inout [UInt8]
    ) throws(Failure) -> Int where Bytes.Index == Int {
        guard letter < bytes.endIndex else { throw Failure(kind: .unknownEscape, offset: letter) }
        switch bytes[letter] {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(bytes, at: letter + 1)
            var end = letter + 5
            if (0xD800...0xDBFF).contains(scalar) {
                guard end + 1 < bytes.endIndex, bytes[end] == UInt8(ascii: "\\"), bytes[end + 1] == UInt8(ascii: "u") else {
                    throw Failure(kind: .loneHighSurrogate, offset: end)
                }
                let low = try hex4(bytes, at: end + 2)
                end += 6
                guard (0xDC00...0xDFFF).contains(low) else { throw Failure(kind: .badLowSurrogate, offset: end) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw Failure(kind: .loneLowSurrogate, offset: end)
            }
            // Every value left is a scalar: surrogates were paired or refused above.
            out.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
            return end
        default: throw Failure(kind: .unknownEscape, offset: letter + 1)
        }
        return letter + 1
    }

    /// The four hex digits (either case) from `start`.
    private static func hex4<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at start: Int) throws(Failure) -> UInt32 where Bytes.Index == Int {
        guard start + 4 <= bytes.endIndex else { throw Failure(kind: .truncatedHex, offset: start) }
        var value: UInt32 = 0
        for i in start..<start + 4 {
            let c = bytes[i]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - 0x41 + 10)
            default: throw Failure(kind: .badHex, offset: i)
            }
            value = value << 4 | digit
        }
        return value
    }
}

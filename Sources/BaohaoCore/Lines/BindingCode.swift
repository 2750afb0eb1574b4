import BaohaoSupport

/// One-time codes that let a chat bind a line: 10 characters of Crockford base-32 (50 random
/// bits), easy to read aloud and to type, and valid as a Telegram `/start` parameter.
public enum BindingCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    public static let length = 10
    /// Random bits in a code.
    public static let entropyBits = length * 5
    /// How long an issued code can be redeemed.
    public static let validitySeconds: Int64 = 24 * 3600

    /// A new random code.
    public static func generate<R: RandomNumberGenerator>(using generator: inout R) -> String {
        String(decoding: (0..<length).map { _ in alphabet[Int(generator.next() % 32)] }, as: UTF8.self)
    }

    /// The code as typed, canonicalized: case folded, spaces and dashes dropped, and the
    /// look-alikes O→0, I and L→1. Nil when it cannot be a code.
    public static func canonical(_ typed: String) -> String? {
        var out: [UInt8] = []
        for u in typed.utf8 {
            switch u {
            case 0x20, 0x2D, 0x09: continue
            default: break
            }
            var c = u
            if c >= 0x61 && c <= 0x7A { c -= 0x20 }
            if c == 0x4F { c = 0x30 }
            if c == 0x49 || c == 0x4C { c = 0x31 }
            guard alphabet.contains(c) else { return nil }
            out.append(c)
            if out.count > length { return nil }
        }
        return out.count == length ? String(decoding: out, as: UTF8.self) : nil
    }

    /// SHA-256 of salt and code: what is stored instead of the code.
    public static func hash(code: String, salt: [UInt8]) -> [UInt8] {
        SHA256.hash(salt + Array(code.utf8))
    }

    /// `XXXXX-XXXXX`, for reading.
    public static func display(_ code: String) -> String {
        code.count == length ? String(code.prefix(5)) + "-" + String(code.suffix(5)) : code
    }
}

/// A bound value in PostgreSQL's text format, as `PQexecParams` takes it with format 0: nil
/// is SQL NULL, and the server parses the text as the parameter's inferred type.
enum PGTextParameter {
    /// The text PostgreSQL parses back to exactly `value`: integers in decimal, doubles in
    /// Swift's shortest round-tripping form (`NaN`, `Infinity`, `-Infinity` spelled as
    /// PostgreSQL does), text as is, bytes as `bytea` hex (`\x…`). PostgreSQL's text cannot
    /// hold U+0000 at all: each is stored as U+FFFD (the replacement character), so a
    /// customer's message carrying one is kept, readable, rather than refused and lost.
    static func text(for value: DatabaseValue, sql: String) throws(DatabaseError) -> String? {
        switch value {
        case .null:
            return nil
        case .integer(let integer):
            return String(integer)
        case .real(let double):
            if double.isNaN { return "NaN" }
            if double.isInfinite { return double < 0 ? "-Infinity" : "Infinity" }
            return "\(double)"
        case .text(let text):
            guard text.utf8.contains(0) else { return text }
            return String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
        case .blob(let bytes):
            let hex = Array("0123456789abcdef".utf8)
            var text = [UInt8]("\\x".utf8)
            text.reserveCapacity(2 + bytes.count * 2)
            for byte in bytes {
                text.append(hex[Int(byte >> 4)])
                text.append(hex[Int(byte & 15)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }
}

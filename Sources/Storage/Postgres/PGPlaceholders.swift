/// The domain's SQL marks parameters with `?`, as SQLite does; PostgreSQL numbers them
/// (`$1, $2, …`). This is the one place that translates: every `?` outside a string
/// literal, a quoted identifier or a comment becomes the next `$n`.
enum PGPlaceholders {
    /// `sql` with its `?` parameters numbered, and how many there are.
    static func numbered(_ sql: String) -> (sql: String, count: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + 16)
        let bytes = Array(sql.utf8)
        var count = 0, i = 0
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // A literal or identifier runs to the matching quote; a doubled quote is an escape.
                out.append(byte)
                i += 1
                while i < bytes.count {
                    out.append(bytes[i])
                    if bytes[i] == byte {
                        if i + 1 < bytes.count, bytes[i + 1] == byte {
                            out.append(byte)
                            i += 2
                            continue
                        }
                        break
                    }
                    i += 1
                }
                i += 1
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") {
                    out.append(bytes[i])
                    i += 1
                }
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                out.append(contentsOf: [byte, bytes[i + 1]])
                i += 2
                while i < bytes.count, !(bytes[i] == UInt8(ascii: "*") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/")) {
                    out.append(bytes[i])
                    i += 1
                }
                if i < bytes.count {
                    out.append(contentsOf: [bytes[i], bytes[i + 1]])
                    i += 2
                }
            case UInt8(ascii: "?"):
                count += 1
                out.append(UInt8(ascii: "$"))
                out.append(contentsOf: Array(String(count).utf8))
                i += 1
            default:
                out.append(byte)
                i += 1
            }
        }
        return (String(decoding: out, as: UTF8.self), count)
    }
}

internal import CLibPQ

/// One row of a PostgreSQL result, in libpq's text format. Valid only inside the closure that
/// receives it. The accessors read as Storage's `Row` does: NULL reads as 0, "" or false, and
/// the `optional…` variants tell NULL apart.
public struct PGRow {
    let result: OpaquePointer
    let index: Int32

    init(result: OpaquePointer, index: Int32) {
        self.result = result
        self.index = index
    }

    /// Number of result columns.
    public var count: Int { Int(PQnfields(result)) }

    /// True when the column holds NULL.
    public func isNull(_ column: Int) -> Bool { PQgetisnull(result, index, Int32(column)) == 1 }

    /// The column as text, byte for byte; NULL reads as "".
    public func string(_ column: Int) -> String {
        guard let bytes = PQgetvalue(result, index, Int32(column)) else { return "" }
        let count = Int(PQgetlength(result, index, Int32(column)))
        return bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    /// The column as a 64-bit integer. NULL, and text that is not an integer, read as 0.
    public func int64(_ column: Int) -> Int64 { Int64(string(column)) ?? 0 }

    /// The column as an Int (NULL reads as 0).
    public func int(_ column: Int) -> Int { Int(int64(column)) }

    /// The column as a Bool: PostgreSQL's `t`/`true`, or a non-zero integer, is true; NULL is false.
    public func bool(_ column: Int) -> Bool {
        let text = string(column)
        switch text {
        case "t", "true", "TRUE", "on", "yes": return true
        default: return (Int64(text) ?? 0) != 0
        }
    }

    /// The column as a Double, including `NaN` and `±Infinity`; NULL reads as 0.
    public func double(_ column: Int) -> Double {
        switch string(column) {
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        case "NaN": .nan
        case let text: Double(text) ?? 0
        }
    }

    /// The column as bytes: a `bytea` column (`\x` hex) decoded, any other column's text as
    /// UTF-8. NULL reads as [].
    public func blob(_ column: Int) -> [UInt8] {
        let text = string(column)
        guard text.hasPrefix("\\x") else { return Array(text.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((text.utf8.count - 2) / 2)
        var high: UInt8?
        for byte in text.utf8.dropFirst(2) {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: continue
            }
            if let h = high { bytes.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        return bytes
    }

    /// The column as text, or nil when it is NULL.
    public func optionalString(_ column: Int) -> String? { isNull(column) ? nil : string(column) }
    /// The column as an integer, or nil when it is NULL.
    public func optionalInt64(_ column: Int) -> Int64? { isNull(column) ? nil : int64(column) }
    /// The column as a Double, or nil when it is NULL.
    public func optionalDouble(_ column: Int) -> Double? { isNull(column) ? nil : double(column) }
    /// The column as a Bool, or nil when it is NULL.
    public func optionalBool(_ column: Int) -> Bool? { isNull(column) ? nil : bool(column) }
}

internal import CSQLite
internal import CLibPQ

/// The current row of a result, from either engine. Valid only inside the closure that
/// receives it. Reads are the same on both: NULL reads as 0, "", false or [], and the
/// `optional…` variants tell NULL apart. On PostgreSQL (text format) a boolean reads as 1/0
/// and a numeric as its number, so `SELECT a = b` or `sum(x)` read alike on both.
public struct Row {
    enum Source {
        /// A stepping SQLite statement.
        case sqlite(OpaquePointer)
        /// Row `index` of a PostgreSQL result.
        case postgres(OpaquePointer, Int32)
    }

    let source: Source

    init(handle: OpaquePointer) { source = .sqlite(handle) }

    init(result: OpaquePointer, index: Int32) { source = .postgres(result, index) }

    /// Number of result columns.
    public var count: Int {
        switch source {
        case .sqlite(let statement): Int(sqlite3_column_count(statement))
        case .postgres(let result, _): Int(PQnfields(result))
        }
    }

    /// True when the column holds NULL.
    public func isNull(_ column: Int) -> Bool {
        switch source {
        case .sqlite(let statement): sqlite3_column_type(statement, Int32(column)) == SQLITE_NULL
        case .postgres(let result, let index): PQgetisnull(result, index, Int32(column)) == 1
        }
    }

    /// The column as a 64-bit integer (NULL, and text that is not a number, read as 0).
    public func int64(_ column: Int) -> Int64 {
        switch source {
        case .sqlite(let statement): return sqlite3_column_int64(statement, Int32(column))
        case .postgres:
            let text = string(column)
            if let value = Int64(text) { return value }
            switch text {
            case "t": return 1
            case "f": return 0
            default: return Double(text).map { Int64(exactly: $0.rounded(.towardZero)) ?? 0 } ?? 0
            }
        }
    }

    /// The column as an Int (NULL reads as 0).
    public func int(_ column: Int) -> Int { Int(int64(column)) }

    /// The column as a Bool: any non-zero integer (or PostgreSQL's `t`) is true.
    public func bool(_ column: Int) -> Bool { int64(column) != 0 }

    /// The column as a Double (NULL reads as 0), including PostgreSQL's `NaN` and `±Infinity`.
    public func double(_ column: Int) -> Double {
        switch source {
        case .sqlite(let statement): return sqlite3_column_double(statement, Int32(column))
        case .postgres:
            switch string(column) {
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            case "NaN": return .nan
            case "t": return 1
            case "f": return 0
            case let text: return Double(text) ?? 0
            }
        }
    }

    /// The column as text, byte for byte (embedded NULs kept on SQLite); NULL reads as "".
    public func string(_ column: Int) -> String {
        switch source {
        case .sqlite(let statement):
            let index = Int32(column)
            guard let bytes = sqlite3_column_text(statement, index) else { return "" }
            let count = Int(sqlite3_column_bytes(statement, index))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        case .postgres(let result, let index):
            guard let bytes = PQgetvalue(result, index, Int32(column)) else { return "" }
            let count = Int(PQgetlength(result, index, Int32(column)))
            return bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
                String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
            }
        }
    }

    /// The column as bytes; NULL reads as []. On PostgreSQL a `bytea` column (`\x` hex) is
    /// decoded, any other column's text read as UTF-8.
    public func blob(_ column: Int) -> [UInt8] {
        switch source {
        case .sqlite(let statement):
            let index = Int32(column)
            guard let raw = sqlite3_column_blob(statement, index) else { return [] }
            let count = Int(sqlite3_column_bytes(statement, index))
            return Array(UnsafeRawBufferPointer(start: raw, count: count))
        case .postgres:
            return Self.decodeHex(string(column))
        }
    }

    /// The column as text, or nil when it is NULL.
    public func optionalString(_ column: Int) -> String? { isNull(column) ? nil : string(column) }
    /// The column as an integer, or nil when it is NULL.
    public func optionalInt64(_ column: Int) -> Int64? { isNull(column) ? nil : int64(column) }
    /// The column as a Double, or nil when it is NULL.
    public func optionalDouble(_ column: Int) -> Double? { isNull(column) ? nil : double(column) }
    /// The column as a Bool, or nil when it is NULL.
    public func optionalBool(_ column: Int) -> Bool? { isNull(column) ? nil : bool(column) }

    /// The column with its storage class: SQLite's own, or on PostgreSQL the class of the
    /// column's type (integers, floating point and numeric, bytea, the rest as text).
    public func value(_ column: Int) -> DatabaseValue {
        switch source {
        case .sqlite(let statement):
            switch sqlite3_column_type(statement, Int32(column)) {
            case SQLITE_INTEGER: return .integer(int64(column))
            case SQLITE_FLOAT: return .real(double(column))
            case SQLITE_TEXT: return .text(string(column))
            case SQLITE_BLOB: return .blob(blob(column))
            default: return .null
            }
        case .postgres(let result, _):
            if isNull(column) { return .null }
            switch PQftype(result, Int32(column)) {
            case 20, 21, 23, 16: return .integer(int64(column))  // int8, int2, int4, bool
            case 700, 701, 1700: return .real(double(column))  // float4, float8, numeric
            case 17: return .blob(blob(column))  // bytea
            default: return .text(string(column))
            }
        }
    }

    /// `\x`-prefixed hex (PostgreSQL's bytea output) as bytes; any other text as its UTF-8.
    static func decodeHex(_ text: String) -> [UInt8] {
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
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

internal import CSQLite

/// The current row of a stepping statement. Valid only inside the closure that receives it.
public struct Row {
    let handle: OpaquePointer

    init(handle: OpaquePointer) { self.handle = handle }

    /// Number of result columns.
    public var count: Int { Int(sqlite3_column_count(handle)) }

    /// True when the column holds NULL.
    public func isNull(_ column: Int) -> Bool {
        sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL
    }

    /// The column as a 64-bit integer (NULL reads as 0, as SQLite converts).
    public func int64(_ column: Int) -> Int64 { sqlite3_column_int64(handle, Int32(column)) }

    /// The column as an Int (NULL reads as 0).
    public func int(_ column: Int) -> Int { Int(sqlite3_column_int64(handle, Int32(column))) }

    /// The column as a Bool: any non-zero integer is true.
    public func bool(_ column: Int) -> Bool { sqlite3_column_int64(handle, Int32(column)) != 0 }

    /// The column as a Double (NULL reads as 0).
    public func double(_ column: Int) -> Double { sqlite3_column_double(handle, Int32(column)) }

    /// The column as text, byte for byte (embedded NULs kept); NULL reads as "".
    public func string(_ column: Int) -> String {
        let index = Int32(column)
        guard let bytes = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column as bytes; NULL reads as [].
    public func blob(_ column: Int) -> [UInt8] {
        let index = Int32(column)
        guard let raw = sqlite3_column_blob(handle, index) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, index))
        return Array(UnsafeRawBufferPointer(start: raw, count: count))
    }

    /// The column as text, or nil when it is NULL.
    public func optionalString(_ column: Int) -> String? { isNull(column) ? nil : string(column) }
    /// The column as an integer, or nil when it is NULL.
    public func optionalInt64(_ column: Int) -> Int64? { isNull(column) ? nil : int64(column) }
    /// The column as a Double, or nil when it is NULL.
    public func optionalDouble(_ column: Int) -> Double? { isNull(column) ? nil : double(column) }

    /// The column with its storage class preserved.
    public func value(_ column: Int) -> DatabaseValue {
        switch sqlite3_column_type(handle, Int32(column)) {
        case SQLITE_INTEGER: .integer(int64(column))
        case SQLITE_FLOAT: .real(double(column))
        case SQLITE_TEXT: .text(string(column))
        case SQLITE_BLOB: .blob(blob(column))
        default: .null
        }
    }
}

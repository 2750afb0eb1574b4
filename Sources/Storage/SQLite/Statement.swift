internal import CSQLite

/// A prepared statement. Owned by one `Connection`; use it only from that connection's owner.
public final class Statement {
    let handle: OpaquePointer
    let connection: OpaquePointer
    /// The SQL the statement was prepared from.
    public let sql: String

    init(connection: OpaquePointer, sql: String) throws(DatabaseError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(
                code: code & 0xFF, extendedCode: sqlite3_extended_errcode(connection),
                message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds `arguments` to its parameters, in order.
    /// Fails when the count differs from the statement's parameter count.
    public func bind(_ arguments: [any DatabaseValueConvertible]) throws(DatabaseError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == arguments.count else {
            throw DatabaseError(
                code: SQLITE_RANGE,
                message: "statement takes \(expected) argument(s), \(arguments.count) given", sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            try bind(argument.databaseValue, at: Int32(offset + 1))
        }
    }

    private func bind(_ value: DatabaseValue, at index: Int32) throws(DatabaseError) {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let v):
            code = sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            code = sqlite3_bind_double(handle, index, v)
        case .text(var v):
            code = v.withUTF8 { bytes -> Int32 in
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return csqlite_bind_text(handle, index, "", 0)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                    csqlite_bind_text(handle, index, $0, Int32(bytes.count))
                }
            }
        case .blob(let v):
            code = v.withUnsafeBytes { bytes -> Int32 in
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_zeroblob(handle, index, 0)
                }
                return csqlite_bind_blob(handle, index, base, Int32(bytes.count))
            }
        }
        guard code == SQLITE_OK else { throw failure(code) }
    }

    /// Advances to the next row: true when a row is ready, false when the statement is done.
    public func step() throws(DatabaseError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let error = failure(code)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement with `arguments` to completion, ignoring any rows.
    public func execute(_ arguments: [any DatabaseValueConvertible] = []) throws(DatabaseError) {
        try bind(arguments)
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Runs the statement and maps every row.
    public func query<T>(
        _ arguments: [any DatabaseValueConvertible] = [], _ map: (Row) throws -> T
    ) throws -> [T] {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        var results: [T] = []
        while try step() {
            results.append(try map(Row(handle: handle)))
        }
        return results
    }

    /// Runs the statement and maps the first row, if any.
    public func queryFirst<T>(
        _ arguments: [any DatabaseValueConvertible] = [], _ map: (Row) throws -> T
    ) throws -> T? {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return try map(Row(handle: handle))
    }

    private func failure(_ code: Int32) -> DatabaseError {
        DatabaseError(
            code: code & 0xFF, extendedCode: sqlite3_extended_errcode(connection),
            message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}

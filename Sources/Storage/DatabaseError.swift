internal import CSQLite

/// An error from SQLite, from PostgreSQL or from this layer, carrying what a person needs to
/// find the cause. A PostgreSQL error carries its SQLSTATE, and its `code` is the SQLite code
/// of the same kind (a unique violation is `SQLITE_CONSTRAINT`, a cancelled statement
/// `SQLITE_INTERRUPT`), so `isConstraintViolation`, `isInterrupted` and `isBusy` hold for both.
public struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SQLite's primary result code (`SQLITE_CONSTRAINT` is 19, ...); 0 for errors raised by this layer.
    public let code: Int32
    /// PostgreSQL's five-character SQLSTATE ("23505" for a unique violation), nil for SQLite
    /// and for this layer's own errors.
    public let sqlState: String?
    /// SQLite's extended result code, when it gave one.
    public let extendedCode: Int32
    /// SQLite's message, or this layer's.
    public let message: String
    /// The SQL that failed, when there was one.
    public let sql: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil, sqlState: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    /// True when the failure is a constraint violation (unique, foreign key, check, not null).
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }
    /// True when the statement was stopped by `interrupt()` (cancellation).
    public var isInterrupted: Bool { code == SQLITE_INTERRUPT }
    /// True when another connection or process holds a lock the operation needed.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
    /// True when the connection to the PostgreSQL server was lost or the server is shutting
    /// down: the work did not commit, and may be run again once the connection is back.
    public var isConnectionLost: Bool {
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }
    /// The work did not commit for a reason that is not its own (cancelled, locked out, the
    /// connection lost): run it again later rather than skip it.
    public var isTransient: Bool { isInterrupted || isBusy || isConnectionLost }

    /// SQLite's own wording of the result code ("file is not a database", "database disk
    /// image is malformed"), or this layer's message for its own errors.
    public var resultDescription: String {
        code == 0 || sqlState != nil ? message : String(cString: sqlite3_errstr(extendedCode))
    }

    public var description: String {
        if let sqlState {
            return "PostgreSQL error \(sqlState): \(message)" + (sql.map { " — in: \($0)" } ?? "")
        }
        // This layer's own errors (code 0) are neither engine's.
        if code == 0 { return "database error: \(message)" + (sql.map { " — in: \($0)" } ?? "") }
        var text = "SQLite error \(code)"
        if extendedCode != code { text += " (extended \(extendedCode))" }
        text += ": \(message)"
        if let sql { text += " — in: \(sql)" }
        return text
    }
}

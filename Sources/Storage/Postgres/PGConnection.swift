internal import CLibPQ
internal import CSQLite
public import BaohaoSupport
#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL connection through libpq, used with blocking calls. Not thread-safe:
/// exactly one owner (one actor on its own thread, or a single-threaded tool) uses it at a
/// time, as with SQLite's `Connection`. It is deliberately not `Sendable`.
///
/// Statements take their parameters as `$1, $2, …`, bound with `PQexecParams` in text format
/// (never interpolated into the SQL). Errors are `DatabaseError`s carrying the SQLSTATE, and
/// neither they nor `description` ever hold the connection string's password.
public final class PGConnection: CustomStringConvertible {
    let handle: OpaquePointer
    /// The connection string, whose `description` is redacted.
    public let connectionString: PGConnectionString
    /// Cancels the running statement from another thread; see `PostgresDatabase`.
    public let cancelHandle: PGCancelHandle
    private var transactionDepth = 0
    private var cancelFlag: CancelFlag?

    /// Connects with a libpq connection string (a `postgres://` URL or `key=value` pairs),
    /// blocking until the server accepts or refuses. The session's client encoding is UTF-8.
    /// A failure throws with SQLSTATE 08001 and libpq's message, password masked.
    public init(_ connectionString: String) throws(DatabaseError) {
        let parsed = PGConnectionString(connectionString)
        guard let conn = PQconnectdb(connectionString) else {
            throw DatabaseError(
                code: SQLITE_CANTOPEN, message: "cannot connect to \(parsed.redacted): out of memory", sqlState: "08001")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(conn)))
            PQfinish(conn)
            throw DatabaseError(
                code: SQLITE_CANTOPEN, message: parsed.redact("cannot connect to \(parsed.redacted): \(message)"),
                sqlState: "08001")
        }
        self.handle = conn
        self.connectionString = parsed
        self.cancelHandle = PGCancelHandle(conn)
        // Notices (NOTICE, WARNING) would go to standard error by default; they are not errors.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        guard PQsetClientEncoding(conn, "UTF8") == 0 else {
            // deinit closes the handle.
            throw DatabaseError(code: SQLITE_CANTOPEN, message: "cannot set client_encoding to UTF8", sqlState: "22021")
        }
    }

    deinit {
        cancelHandle.detach()
        PQfinish(handle)
    }

    /// "PostgreSQL connection to <redacted connection string>".
    public var description: String { "PostgreSQL connection to \(connectionString.redacted)" }

    /// The server's version as a number (150018 for 15.18).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// True while the session is inside a transaction block (including a failed one).
    public var isInTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    /// Runs `work` so that raising `flag` stops it: no statement starts once the flag is
    /// raised (each fails with SQLSTATE 57014), and the raiser also calls
    /// `cancelHandle.cancel()` for the statement already running.
    public func cancellable<T>(by flag: CancelFlag, _ work: () throws -> T) rethrows -> T {
        let previous = cancelFlag
        cancelFlag = flag
        defer { cancelFlag = previous }
        return try work()
    }

    /// Throws 57014 when the work this statement belongs to was cancelled.
    private func checkCancelled(_ sql: String) throws(DatabaseError) {
        guard let cancelFlag, cancelFlag.isRaised else { return }
        throw DatabaseError(
            code: SQLITE_INTERRUPT, message: "cancelled before the statement started", sql: sql, sqlState: "57014")
    }

    /// Runs one or more `;`-separated statements that take no parameters (DDL, SET).
    public func executeScript(_ sql: String) throws(DatabaseError) {
        try checkCancelled(sql)
        try exec(sql)
    }

    /// `executeScript` without the cancellation check: for the ROLLBACK that cleans up after one.
    private func exec(_ sql: String) throws(DatabaseError) {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Runs `sql` with `arguments` bound to `$1, $2, …`, ignoring rows. Returns the number of
    /// rows the statement inserted, updated or deleted (0 for other statements): a fenced
    /// `UPDATE … WHERE epoch = $n` reads it to learn it lost the lease.
    @discardableResult
    public func execute(_ sql: String, _ arguments: any DatabaseValueConvertible...) throws(DatabaseError) -> Int {
        try execute(sql, arguments: arguments)
    }

    /// Runs `sql` with an argument array, ignoring rows; returns the rows changed.
    @discardableResult
    public func execute(_ sql: String, arguments: [any DatabaseValueConvertible]) throws(DatabaseError) -> Int {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs `sql` with `arguments` and maps every row.
    public func query<T>(
        _ sql: String, _ arguments: any DatabaseValueConvertible..., map: (PGRow) throws -> T
    ) throws -> [T] {
        try query(sql, arguments: arguments, map: map)
    }

    /// Runs `sql` with an argument array and maps every row.
    public func query<T>(
        _ sql: String, arguments: [any DatabaseValueConvertible], map: (PGRow) throws -> T
    ) throws -> [T] {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        let rows = PQntuples(result)
        var mapped: [T] = []
        mapped.reserveCapacity(Int(rows))
        for index in 0..<rows { mapped.append(try map(PGRow(result: result, index: index))) }
        return mapped
    }

    /// Runs `sql` and maps its first row, if any.
    public func queryFirst<T>(
        _ sql: String, _ arguments: any DatabaseValueConvertible..., map: (PGRow) throws -> T
    ) throws -> T? {
        try query(sql, arguments: arguments, map: map).first
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls become savepoints, so an inner failure undoes only the inner work. A
    /// statement that failed inside `body` aborts the transaction even if `body` caught the
    /// error; the COMMIT then rolls back, and this throws (SQLSTATE 25P02) rather than
    /// pretend the work was stored.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let depth = transactionDepth
        let savepoint = "baohao_sp\(depth)"
        try executeScript(depth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        let result: T
        do {
            result = try body()
        } catch {
            transactionDepth -= 1
            try? exec(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
            throw error
        }
        transactionDepth -= 1
        if depth > 0 {
            do {
                try executeScript("RELEASE SAVEPOINT \(savepoint)")
            } catch {
                try? exec("ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
                throw error
            }
            return result
        }
        let commit = PQexec(handle, "COMMIT")
        defer { PQclear(commit) }
        do {
            try check(commit, sql: "COMMIT")
        } catch {
            if isInTransaction { try? exec("ROLLBACK") }
            throw error
        }
        // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not with an error.
        if let commit, String(cString: PQcmdStatus(commit)) == "ROLLBACK" {
            throw DatabaseError(
                code: SQLITE_ABORT, message: "the transaction had failed, and COMMIT rolled it back", sql: "COMMIT",
                sqlState: "25P02")
        }
        return result
    }

    // MARK: - Running statements

    /// Runs `sql` with its arguments in text format; the caller clears the (successful) result.
    private func run(_ sql: String, _ arguments: [any DatabaseValueConvertible]) throws(DatabaseError) -> OpaquePointer {
        try checkCancelled(sql)
        var texts: [String?] = []
        texts.reserveCapacity(arguments.count)
        for argument in arguments { texts.append(try PGTextParameter.text(for: argument.databaseValue, sql: sql)) }
        let owned: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { for pointer in owned { free(pointer) } }
        let values: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } }
        let result = values.withUnsafeBufferPointer { buffer in
            PQexecParams(handle, sql, Int32(buffer.count), nil, buffer.baseAddress, nil, nil, 0)
        }
        guard let result else {
            throw error(sqlState: nil, message: String(cString: PQerrorMessage(handle)), sql: sql)
        }
        do {
            try check(result, sql: sql)
        } catch {
            PQclear(result)
            throw error
        }
        return result
    }

    /// Throws the result's error, if it is one.
    private func check(_ result: OpaquePointer?, sql: String) throws(DatabaseError) {
        guard let result else {
            throw error(sqlState: nil, message: String(cString: PQerrorMessage(handle)), sql: sql)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let state = cpq_result_sqlstate(result).map { String(cString: $0) }
            let message =
                cpq_result_primary_message(result).map { String(cString: $0) }
                ?? String(cString: PQresultErrorMessage(result))
            throw error(sqlState: state, message: message, sql: sql)
        }
    }

    /// A `DatabaseError` for `sqlState`, with the SQLite code of the same kind. An error libpq
    /// raised itself has no SQLSTATE: 08006 when the connection is gone, XX000 otherwise.
    private func error(sqlState: String?, message: String, sql: String) -> DatabaseError {
        let state = sqlState ?? (PQstatus(handle) == CONNECTION_BAD ? "08006" : "XX000")
        return DatabaseError(
            code: Self.sqliteCode(forSQLState: state), message: connectionString.redact(Self.trimmed(message)), sql: sql,
            sqlState: state)
    }

    /// The SQLite result code of the same kind as `sqlState`, so that engine-neutral code can
    /// ask `isConstraintViolation`, `isInterrupted` or `isBusy` of either engine's errors.
    static func sqliteCode(forSQLState sqlState: String) -> Int32 {
        switch sqlState {
        case _ where sqlState.hasPrefix("23"): SQLITE_CONSTRAINT  // integrity constraint violation
        case "57014": SQLITE_INTERRUPT  // query_canceled
        case "40001", "40P01", "55P03": SQLITE_BUSY  // serialization failure, deadlock, lock not available
        case _ where sqlState.hasPrefix("08"): SQLITE_IOERR  // connection exception
        default: SQLITE_ERROR
        }
    }

    private static func trimmed(_ message: String) -> String {
        String(message.reversed().drop { $0.isNewline || $0 == " " }.reversed())
    }
}

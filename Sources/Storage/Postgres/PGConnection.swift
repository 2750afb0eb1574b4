internal import CLibPQ
internal import CSQLite
public import BaohaoSupport
#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL connection through libpq, used with blocking calls. Not thread-safe:
/// exactly one owner (a `Database` actor on its own thread, or a single-threaded tool) uses
/// it at a time, as with SQLite's connection. It is deliberately not `Sendable`.
///
/// The domain's `?` placeholders are numbered here (`PGPlaceholders`); statements written
/// with `$1, $2, …` pass unchanged. Each distinct statement is prepared once on the server
/// and then executed with its parameters in text format (never interpolated into the SQL).
/// Errors are `DatabaseError`s carrying the SQLSTATE, and neither they nor `description`
/// ever hold the connection string's password.
///
/// A connection that broke (the server restarted, the network failed) is made again at the
/// start of the next top-level transaction (`reconnectIfBroken`); the work that was running
/// fails with a connection error (SQLSTATE class 08) and is not retried here.
public final class PGConnection: Connection, TransactionStatements, CustomStringConvertible {
    let handle: OpaquePointer
    /// The connection string, whose `description` is redacted.
    public let connectionString: PGConnectionString
    /// Cancels the running statement from another thread; see `Database`.
    public let cancelHandle: PGCancelHandle
    var transactionDepth = 0
    private var cancelFlag: CancelFlag?
    /// Statements run once per session after connecting (and again after a reconnection).
    private let sessionSetup: String
    /// SQL → the name of its prepared statement on the server (this session's).
    private var prepared: [String: String] = [:]
    private var preparedCount = 0
    private static let preparedLimit = 512
    /// Rows changed by the last statement whose result was read.
    private var lastChanges = 0
    /// Statements sent in pipeline mode whose results are not read yet (their SQL, named in
    /// an error). See `execute`.
    private var unread: [String] = []
    /// The first error among pipelined statements, found where nothing could throw it
    /// (`changes`): the next statement, RELEASE or COMMIT throws it.
    private var deferredError: DatabaseError?

    /// The number of rows the last `execute` inserted, updated or deleted. Reading it reads
    /// the results of statements still in the pipeline.
    public var changes: Int {
        if !unread.isEmpty {
            do { try drain() } catch { deferredError = deferredError ?? error }
        }
        return lastChanges
    }

    /// The key of the advisory lock every write transaction takes: writers run one at a time
    /// across all processes, as SQLite's `BEGIN IMMEDIATE` makes them.
    public static let writeLockKey: Int64 = 0x6261_6F68_616F_5772  // "baohaoWr"

    /// Every session's settings, before the caller's own: UTC; a wait for a lock gives up
    /// after 5 s (55P03, `isBusy`), as SQLite's busy timeout does; a transaction left open
    /// and idle (its client paused or cut off) is ended by the server after 30 s, releasing
    /// its locks.
    static let defaultSessionSetup = "SET TIME ZONE 'UTC'; SET lock_timeout = '5s'; SET idle_in_transaction_session_timeout = '30s'"

    /// TCP settings added before the caller's own (which override them): a dead peer is
    /// noticed within seconds rather than the kernel's two hours.
    static let defaultParameters: [(String, String)] = [
        ("connect_timeout", "5"), ("keepalives", "1"), ("keepalives_idle", "5"), ("keepalives_interval", "2"),
        ("keepalives_count", "3"), ("tcp_user_timeout", "10000"), ("application_name", "baohao"),
    ]

    /// Connects with a libpq connection string (a `postgres://` URL or `key=value` pairs),
    /// blocking until the server accepts or refuses, then runs `sessionSetup` (`SET …`
    /// statements). The session's client encoding is UTF-8 and its time zone UTC. The
    /// password may also come from libpq's `PGPASSWORD` or a password file (`passfile`,
    /// `PGPASSFILE`, `~/.pgpass`). A failure throws with SQLSTATE 08001 and libpq's message,
    /// password masked.
    public init(_ connectionString: String, sessionSetup: String = "") throws(DatabaseError) {
        let parsed = PGConnectionString(connectionString)
        let keywords = Self.defaultParameters.map(\.0) + ["dbname"]
        let values = Self.defaultParameters.map(\.1) + [connectionString]
        let cKeywords = keywords.map { strdup($0) }, cValues = values.map { strdup($0) }
        defer { (cKeywords + cValues).forEach { free($0) } }
        let connection = (cKeywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { k in
            (cValues.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let conn = connection else {
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
        self.sessionSetup = sessionSetup
        // Notices (NOTICE, WARNING) would go to standard error by default; they are not errors.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        // deinit closes the handle when this throws.
        try setUpSession()
    }

    deinit {
        cancelHandle.detach()
        PQfinish(handle)
    }

    private func setUpSession() throws(DatabaseError) {
        guard PQsetClientEncoding(handle, "UTF8") == 0 else {
            throw DatabaseError(code: SQLITE_CANTOPEN, message: "cannot set client_encoding to UTF8", sqlState: "22021")
        }
        try exec(Self.defaultSessionSetup + (sessionSetup.isEmpty ? "" : "; " + sessionSetup))
    }

    /// "PostgreSQL connection to <redacted connection string>".
    public var description: String { "PostgreSQL connection to \(connectionString.redacted)" }

    public var engine: DatabaseEngine { .postgres }
    public var location: String { connectionString.redacted }
    public var interrupter: any StatementInterrupter { cancelHandle }

    /// The server's version as a number (150018 for 15.18).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// True while the session is inside a transaction block (including a failed one). A
    /// broken connection is in none: its transaction ended with it on the server.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// True when the connection to the server is lost.
    public var isBroken: Bool { PQstatus(handle) == CONNECTION_BAD }

    /// Connects again when the connection broke (libpq's `PQreset`: the same parameters, a
    /// new server session), and sets the session up as before. Prepared statements belonged
    /// to the old session and are prepared again as they are used. Throws (08001) when the
    /// server still cannot be reached.
    public func reconnectIfBroken() throws(DatabaseError) {
        guard isBroken else { return }
        PQreset(handle)
        prepared.removeAll()
        transactionDepth = 0
        // The pipeline went with the old session (PQreset leaves pipeline mode).
        unread.removeAll()
        deferredError = nil
        guard PQstatus(handle) == CONNECTION_OK else {
            throw DatabaseError(
                code: SQLITE_CANTOPEN,
                message: connectionString.redact(
                    "cannot reconnect to \(connectionString.redacted): \(Self.trimmed(String(cString: PQerrorMessage(handle))))"),
                sqlState: "08001")
        }
        cancelHandle.reattach(handle)
        try setUpSession()
    }

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
        try drain()
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    /// Runs `sql` with `arguments` bound to its `?`s (or `$n`s), ignoring rows; `changes` is
    /// then the number of rows it inserted, updated or deleted: a fenced `UPDATE … WHERE
    /// epoch = ?` reads it to learn it lost the lease.
    ///
    /// Inside a transaction the statement is pipelined (libpq's pipeline mode): sent without
    /// waiting for its result, which is read with the next query's, or at `changes`,
    /// SAVEPOINT, RELEASE or COMMIT. A write then costs no round trip of its own. Its error,
    /// if it fails, is thrown there instead of here; the transaction (or the savepoint) it
    /// belongs to fails with it all the same, and nothing after it in the pipeline runs.
    public func execute(_ sql: String, arguments: [any DatabaseValueConvertible]) throws(DatabaseError) {
        if transactionDepth > 0 {
            try pipeline(sql, arguments)
        } else {
            let result = try run(sql, arguments)
            PQclear(result)
        }
    }

    /// Runs `sql` with an argument array and maps every row.
    public func query<T>(
        _ sql: String, arguments: [any DatabaseValueConvertible], map: (Row) throws -> T
    ) throws -> [T] {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        let rows = PQntuples(result)
        var mapped: [T] = []
        mapped.reserveCapacity(Int(rows))
        for index in 0..<rows { mapped.append(try map(Row(result: result, index: index))) }
        return mapped
    }

    /// Runs `sql` and maps its first row, if any.
    public func queryFirst<T>(
        _ sql: String, arguments: [any DatabaseValueConvertible], map: (Row) throws -> T
    ) throws -> T? {
        let result = try run(sql, arguments)
        defer { PQclear(result) }
        guard PQntuples(result) > 0 else { return nil }
        return try map(Row(result: result, index: 0))
    }

    /// Runs `body` in a transaction; nested calls become savepoints. A statement that failed
    /// inside `body` aborts the transaction even if `body` caught the error; the COMMIT then
    /// rolls back, and this throws (SQLSTATE 25P02) rather than pretend the work was stored.
    /// Wrap a statement whose failure is expected in a nested `transaction` (a savepoint).
    ///
    /// `.immediate` takes the write lock (`pg_advisory_xact_lock`) at BEGIN, under READ
    /// COMMITTED; `.deferred` reads one snapshot (REPEATABLE READ); `.rowLocking` is READ
    /// COMMITTED with row locks only.
    public func transaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T {
        if transactionDepth == 0 { try reconnectIfBroken() }
        return try nestedTransaction(kind, body)
    }

    func beginTransaction(_ kind: TransactionKind) throws(DatabaseError) {
        switch kind {
        case .immediate: try executeScript("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
        case .deferred: try executeScript("BEGIN ISOLATION LEVEL REPEATABLE READ")
        case .rowLocking: try executeScript("BEGIN ISOLATION LEVEL READ COMMITTED")
        }
    }

    func commitTransaction() throws(DatabaseError) {
        try drain()
        let commit = PQexec(handle, "COMMIT")
        defer { PQclear(commit) }
        try check(commit, sql: "COMMIT")
        // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, not with an error.
        if let commit, String(cString: PQcmdStatus(commit)) == "ROLLBACK" {
            throw DatabaseError(
                code: SQLITE_ABORT, message: "the transaction had failed, and COMMIT rolled it back", sql: "COMMIT",
                sqlState: "25P02")
        }
    }

    func rollbackTransaction() {
        discardPipeline()
        if isInTransaction { try? exec("ROLLBACK") }
    }

    func savepointStatement(_ sql: String) throws(DatabaseError) { try executeScript(sql) }

    func rollbackToSavepoint(_ name: String) {
        discardPipeline()
        try? exec("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
    }

    // MARK: - Running statements

    /// The name of `sql`'s prepared statement, preparing it on first use.
    private func preparedName(_ sql: String) throws(DatabaseError) -> String {
        if let name = prepared[sql] { return name }
        if prepared.count >= Self.preparedLimit {
            try exec("DEALLOCATE ALL")
            prepared.removeAll()
        }
        preparedCount += 1
        let name = "baohao_\(preparedCount)"
        let result = PQprepare(handle, name, PGPlaceholders.numbered(sql).sql, 0, nil)
        defer { PQclear(result) }
        try check(result, sql: sql)
        prepared[sql] = name
        return name
    }

    /// Runs `sql`'s prepared statement with its arguments in text format; the caller clears
    /// the (successful) result.
    private func run(_ sql: String, _ arguments: [any DatabaseValueConvertible]) throws(DatabaseError) -> OpaquePointer {
        if !unread.isEmpty || deferredError != nil {
            // Statements are in the pipeline: this one joins them, and one round trip reads
            // all their results and its own.
            try pipeline(sql, arguments)
            guard let result = try drain(keepingLast: true) else {
                throw error(sqlState: nil, message: "no result for the statement", sql: sql)
            }
            return result
        }
        try checkCancelled(sql)
        let name = try preparedName(sql)
        let result = try withTextParameters(arguments, sql: sql) { count, values in
            PQexecPrepared(handle, name, count, values, nil, nil, 0)
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
        lastChanges = Int(String(cString: PQcmdTuples(result))) ?? 0
        return result
    }

    /// Calls `body` with `arguments` as C strings in text format (NULL for SQL NULL).
    private func withTextParameters<R>(
        _ arguments: [any DatabaseValueConvertible], sql: String,
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) throws(DatabaseError) -> R {
        var texts: [String?] = []
        texts.reserveCapacity(arguments.count)
        for argument in arguments { texts.append(try PGTextParameter.text(for: argument.databaseValue, sql: sql)) }
        let owned: [UnsafeMutablePointer<CChar>?] = texts.map { $0.flatMap { strdup($0) } }
        defer { for pointer in owned { free(pointer) } }
        let values: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } }
        return values.withUnsafeBufferPointer { buffer in body(Int32(buffer.count), buffer.baseAddress) }
    }

    // MARK: - The pipeline

    /// Sends `sql`'s prepared statement in pipeline mode without reading its result. An error
    /// kept from an earlier pipelined statement is thrown first.
    private func pipeline(_ sql: String, _ arguments: [any DatabaseValueConvertible]) throws(DatabaseError) {
        try checkCancelled(sql)
        if let error = deferredError {
            deferredError = nil
            throw error
        }
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            // Preparing is synchronous: outside pipeline mode (once per statement and session).
            try drain()
            name = try preparedName(sql)
        }
        if unread.isEmpty, PQenterPipelineMode(handle) != 1 {
            throw error(sqlState: nil, message: String(cString: PQerrorMessage(handle)), sql: sql)
        }
        let sent = try withTextParameters(arguments, sql: sql) { count, values in
            PQsendQueryPrepared(handle, name, count, values, nil, nil, 0)
        }
        guard sent == 1 else {
            let failure = error(sqlState: nil, message: String(cString: PQerrorMessage(handle)), sql: sql)
            discardPipeline()
            throw failure
        }
        unread.append(sql)
    }

    /// Ends the pipeline: one round trip reads the results of every statement in it, and
    /// pipeline mode is left. Throws the first statement's error, if any failed (those after
    /// it did not run). With `keepingLast`, returns the last statement's successful result,
    /// which the caller clears.
    @discardableResult
    private func drain(keepingLast: Bool = false) throws(DatabaseError) -> OpaquePointer? {
        if unread.isEmpty {
            if let error = deferredError {
                deferredError = nil
                throw error
            }
            return nil
        }
        let statements = unread
        unread.removeAll(keepingCapacity: true)
        var failure = deferredError
        deferredError = nil
        var kept: OpaquePointer?
        if PQpipelineSync(handle) == 1 {
            for (index, sql) in statements.enumerated() {
                // Each statement's results end with a NULL.
                while let result = PQgetResult(handle) {
                    switch PQresultStatus(result) {
                    case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                        lastChanges = Int(String(cString: PQcmdTuples(result))) ?? 0
                        if keepingLast, index == statements.count - 1 {
                            if let kept { PQclear(kept) }
                            kept = result
                            continue
                        }
                    case PGRES_PIPELINE_ABORTED:
                        break  // skipped after an earlier statement failed
                    default:
                        if failure == nil {
                            do { try check(result, sql: sql) } catch { failure = error }
                        }
                    }
                    PQclear(result)
                }
                if isBroken { break }
            }
            // The synchronisation point's own result.
            if !isBroken, let sync = PQgetResult(handle) { PQclear(sync) }
        }
        if failure == nil, isBroken {
            failure = error(sqlState: "08006", message: String(cString: PQerrorMessage(handle)), sql: statements.last ?? "")
        }
        if PQexitPipelineMode(handle) != 1, failure == nil {
            failure = error(sqlState: nil, message: String(cString: PQerrorMessage(handle)), sql: statements.last ?? "")
        }
        if let failure {
            if let kept { PQclear(kept) }
            throw failure
        }
        return kept
    }

    /// Reads the results of the statements still in the pipeline (see `execute`), throwing the
    /// first one's error: for a caller that wants a failure named where its writes were made.
    public func readPipelinedResults() throws(DatabaseError) {
        try drain()
    }

    /// Reads and drops whatever the pipeline holds, errors included: the work it belonged
    /// to is being rolled back.
    private func discardPipeline() {
        do { try drain() } catch {}
        deferredError = nil
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

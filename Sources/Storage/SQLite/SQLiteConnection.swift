internal import CSQLite
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
public import BaohaoSupport

/// One SQLite connection. Not thread-safe: exactly one owner (a `Database` actor, or a
/// single-threaded tool) uses it at a time.
public final class SQLiteConnection: Connection, TransactionStatements {
    let handle: OpaquePointer
    /// The path the connection was opened with (":memory:" for an in-memory database).
    public let path: String
    /// Stops the running statement from another thread; see `Database` for cancellation.
    public let interruptHandle: InterruptHandle
    private var statementCache: [String: Statement] = [:]
    var transactionDepth = 0
    private static let statementCacheLimit = 256

    /// Opens (creating if needed) the database at `path` with WAL, foreign keys, a busy
    /// timeout, and no SQLite-level mutex (the single owner makes it unnecessary).
    public convenience init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws(DatabaseError) {
        try self.init(opening: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, path: path)
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        // On failure deinit runs (every property is set) and closes the handle: no close here.
        // A 512 KiB page cache (SQLite's default is 2 MiB): the bot's hot rows are few, and
        // resident memory has a budget. Measured: 128 KiB takes about 0.3 MB off the
        // end-to-end peak but costs the in-process pipeline a fifth of its throughput
        // (8,800/s against 10,900/s), below its budget.
        try executeScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-512;")
    }

    /// Opens the file at `path` read-only and immutable (SQLite's `immutable=1`): no lock is
    /// taken and nothing is written or created beside it (no `-wal`, no `-shm`), so a file
    /// that is only being looked at stays byte for byte as it was. Only for a file no process
    /// changes, such as a backup; a `-wal` file beside it is not read. A file that is not a
    /// database opens, and fails at the first statement.
    public convenience init(immutableFileAt path: String) throws(DatabaseError) {
        try self.init(
            opening: Self.fileURI(path) + "?immutable=1", flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
            path: path)
    }

    /// Opens (creating) the file at `path` as SQLite leaves it by default: rollback journal,
    /// no pragmas. For a file this process alone writes, such as a backup being made.
    convenience init(plainFileAt path: String) throws(DatabaseError) {
        try self.init(opening: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, path: path)
    }

    private init(opening name: String, flags: Int32, path: String) throws(DatabaseError) {
        var db: OpaquePointer?
        let code = sqlite3_open_v2(name, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw DatabaseError(code: code, message: "cannot open \(path): \(message)")
        }
        self.handle = db
        self.path = path
        self.interruptHandle = InterruptHandle(db)
        sqlite3_extended_result_codes(db, 1)
    }

    /// `path` as a `file:` URI: absolute, with the characters a URI gives meaning to escaped.
    private static func fileURI(_ path: String) -> String {
        var absolute = path
        if !absolute.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buffer, buffer.count) != nil {
                absolute = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
            }
        }
        var uri = "file://"
        for byte in absolute.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x21, 0x7F...:
                let hex = Array("0123456789ABCDEF".utf8)
                uri.unicodeScalars.append("%")
                uri.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                uri.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
            default:
                uri.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return uri
    }

    deinit {
        interruptHandle.detach()
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more `;`-separated statements that take no arguments (DDL, pragmas).
    public func executeScript(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw DatabaseError(
                code: code & 0xFF, extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A new prepared statement, not cached; it is finalized when released.
    public func prepare(_ sql: String) throws(DatabaseError) -> Statement {
        try Statement(connection: handle, sql: sql)
    }

    /// The prepared statement for `sql`, prepared once and reused.
    public func cachedStatement(_ sql: String) throws(DatabaseError) -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try Statement(connection: handle, sql: sql)
        if statementCache.count >= Self.statementCacheLimit { statementCache.removeAll(keepingCapacity: true) }
        statementCache[sql] = statement
        return statement
    }

    public var engine: DatabaseEngine { .sqlite }
    public var location: String { path }
    public var interrupter: any StatementInterrupter { interruptHandle }

    /// Runs `sql` (cached) with an argument array, ignoring rows.
    public func execute(_ sql: String, arguments: [any DatabaseValueConvertible]) throws(DatabaseError) {
        try cachedStatement(sql).execute(arguments)
    }

    /// Runs `sql` (cached) with an argument array and maps every row.
    public func query<T>(
        _ sql: String, arguments: [any DatabaseValueConvertible], map: (Row) throws -> T
    ) throws -> [T] {
        try cachedStatement(sql).query(arguments, map)
    }

    /// Runs `sql` (cached) with an argument array and maps the first row, if any.
    public func queryFirst<T>(
        _ sql: String, arguments: [any DatabaseValueConvertible], map: (Row) throws -> T
    ) throws -> T? {
        try cachedStatement(sql).queryFirst(arguments, map)
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `work` so that raising `flag` stops whatever statement it is running (or starts
    /// next) with `SQLITE_INTERRUPT`: SQLite asks the flag every 1,000 virtual-machine steps.
    public func cancellable<T>(by flag: CancelFlag, _ work: () throws -> T) rethrows -> T {
        let context = Unmanaged.passUnretained(flag).toOpaque()
        sqlite3_progress_handler(handle, 1000, { context in
            guard let context else { return 0 }
            return Unmanaged<CancelFlag>.fromOpaque(context).takeUnretainedValue().isRaised ? 1 : 0
        }, context)
        defer { sqlite3_progress_handler(handle, 0, nil, nil) }
        return try withExtendedLifetime(flag) { try work() }
    }

    /// True while a transaction (or savepoint) opened through `transaction` is running.
    public var isInTransaction: Bool { transactionDepth > 0 }

    /// Runs `body` in a transaction (`BEGIN IMMEDIATE` or `BEGIN DEFERRED`); nested calls
    /// become savepoints.
    public func transaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T {
        try nestedTransaction(kind, body)
    }

    func beginTransaction(_ kind: TransactionKind) throws(DatabaseError) {
        try executeScript(kind == .deferred ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE")
    }

    func commitTransaction() throws(DatabaseError) { try executeScript("COMMIT") }

    func rollbackTransaction() { try? executeScript("ROLLBACK") }

    func savepointStatement(_ sql: String) throws(DatabaseError) { try executeScript(sql) }

    func rollbackToSavepoint(_ name: String) {
        try? executeScript("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
    }
}

/// Lets another thread stop the statement a connection is running (`sqlite3_interrupt`,
/// which SQLite documents as safe to call from any thread while the connection is open).
public final class InterruptHandle: StatementInterrupter {
    // The pointer is only handed to sqlite3_interrupt, under the lock, and cleared before close.
    private struct Pointer: @unchecked Sendable { let raw: OpaquePointer }
    private let pointer: Mutex<Pointer?>

    init(_ connection: OpaquePointer) { pointer = Mutex(Pointer(raw: connection)) }

    /// Interrupts the running statement, if any; a no-op once the connection is closed.
    public func interrupt() {
        pointer.withLock { if let p = $0 { sqlite3_interrupt(p.raw) } }
    }

    func detach() { pointer.withLock { $0 = nil } }
}

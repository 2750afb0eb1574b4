public import BaohaoSupport

/// The engine behind a connection.
public enum DatabaseEngine: String, Sendable, Equatable {
    /// One file, opened in this process (the embedded default).
    case sqlite
    /// A PostgreSQL server, through libpq.
    case postgres
}

/// How a top-level transaction takes its locks.
public enum TransactionKind: Sendable {
    /// Writes: one such transaction at a time across every process using the database
    /// (SQLite's `BEGIN IMMEDIATE`; on PostgreSQL a transaction-scoped advisory lock taken
    /// at BEGIN), so a read-modify-write in it never races another writer.
    case immediate
    /// Reads: one consistent snapshot, no write lock.
    case deferred
    /// Writes that lock only the rows they touch: on PostgreSQL READ COMMITTED without the
    /// write lock, so they neither wait for nor hold up the writers of other rows (a claim
    /// with `claimClause` passes over rows another transaction holds). On SQLite, where a
    /// write excludes every other writer anyway, the same as `.immediate`.
    case rowLocking
}

extension DatabaseEngine {
    /// The clause that ends a `SELECT` so that the rows of `table` it returns are locked for
    /// the transaction, passing over those another transaction holds: PostgreSQL's `FOR
    /// UPDATE OF table SKIP LOCKED`. Empty on SQLite, whose write transactions exclude every
    /// other writer. `table` is the name (or alias) as the query writes it.
    public func claimClause(of table: String) -> String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE OF \(table) SKIP LOCKED"
        }
    }
}

/// Lets another thread stop the statement a connection is running. Safe to call at any
/// time, from any thread, including after the connection closed (then it does nothing).
public protocol StatementInterrupter: Sendable {
    /// Asks the engine to stop the running statement, which then fails with an error whose
    /// `isInterrupted` is true.
    func interrupt()
}

/// One database connection, SQLite or PostgreSQL: the API every table's owner writes its
/// SQL against. Not thread-safe: exactly one owner (a `Database` actor, or a single-threaded
/// tool) uses it at a time.
///
/// The SQL is the dialect both engines share: `?` placeholders (PostgreSQL's connection
/// numbers them), `ON CONFLICT`, `RETURNING`, and times bound from Swift, never computed in
/// SQL. Every value is bound, never interpolated. A statement only one engine understands
/// lives in that engine's type, not in the domain's.
public protocol Connection: AnyObject {
    /// Which engine this is.
    var engine: DatabaseEngine { get }
    /// Where the connection points, for messages: a path, or a URL with its password masked.
    var location: String { get }
    /// Runs one or more `;`-separated statements that take no arguments (DDL).
    func executeScript(_ sql: String) throws(DatabaseError)
    /// Runs `sql` with `arguments` bound to its `?`s in order, ignoring any rows.
    func execute(_ sql: String, arguments: [any DatabaseValueConvertible]) throws(DatabaseError)
    /// Runs `sql` with `arguments` and maps every row. `Row` is valid only inside `map`.
    func query<T>(_ sql: String, arguments: [any DatabaseValueConvertible], map: (Row) throws -> T) throws -> [T]
    /// Runs `sql` with `arguments` and maps its first row, if any.
    func queryFirst<T>(_ sql: String, arguments: [any DatabaseValueConvertible], map: (Row) throws -> T) throws -> T?
    /// Rows inserted, updated or deleted by the last statement run.
    var changes: Int { get }
    /// True while a transaction opened through `transaction` is running.
    var isInTransaction: Bool { get }
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls become savepoints, so an inner failure undoes only the inner work, and the
    /// outer transaction can go on (on PostgreSQL too, where a failed statement would
    /// otherwise abort the whole transaction).
    func transaction<T>(_ kind: TransactionKind, _ body: () throws -> T) throws -> T
    /// Runs `work` so that raising `flag` stops it: no statement starts once it is raised,
    /// and `interrupter` stops the one running.
    func cancellable<T>(by flag: CancelFlag, _ work: () throws -> T) rethrows -> T
    /// Stops this connection's running statement from another thread.
    var interrupter: any StatementInterrupter { get }
}

extension Connection {
    /// Runs `sql` with `arguments` bound to its `?`s in order, ignoring any rows.
    public func execute(_ sql: String, _ arguments: any DatabaseValueConvertible...) throws(DatabaseError) {
        try execute(sql, arguments: arguments)
    }

    /// Runs `sql` with `arguments` and maps every row.
    public func query<T>(_ sql: String, _ arguments: any DatabaseValueConvertible..., map: (Row) throws -> T) throws -> [T] {
        try query(sql, arguments: arguments, map: map)
    }

    /// Runs `sql` with `arguments` and maps its first row, if any.
    public func queryFirst<T>(_ sql: String, _ arguments: any DatabaseValueConvertible..., map: (Row) throws -> T) throws -> T? {
        try queryFirst(sql, arguments: arguments, map: map)
    }

    /// Runs `body` in a write transaction (`.immediate`); nested calls become savepoints.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try transaction(.immediate, body)
    }
}

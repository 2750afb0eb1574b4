import Dispatch
import BaohaoSupport

/// The single owner of one connection, SQLite or PostgreSQL. Work runs serially on the
/// database's own thread, never on Swift's cooperative pool (both engines' calls block);
/// cancelling the calling task interrupts the running statement (SQLite's interrupt,
/// PostgreSQL's server-side cancel), whose transaction is then rolled back.
///
/// On PostgreSQL a connection that broke is made again at the next transaction; the work
/// that was running when it broke fails with a connection error, and its caller decides
/// whether to run it again (the poll loop does: a batch is retried).
public actor Database {
    private let executor: QueueExecutor
    // Actor-isolated: only this actor's serial executor ever touches the connection.
    private let connection: any Connection
    private let interrupter: any StatementInterrupter

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Where the database is.
    public nonisolated let location: DatabaseLocation

    /// The path the database was opened with, or the PostgreSQL URL with its password masked.
    public nonisolated var path: String { location.description }

    /// The engine behind it.
    public nonisolated var engine: DatabaseEngine { location.engine }

    /// Opens the database at `path` (a file, or a `postgres://` URL) and applies
    /// `migrations`, synchronously on the caller's thread. From async code prefer `open`.
    public init(path: String, migrations: [Migration] = []) throws {
        try self.init(location: DatabaseLocation(path), migrations: migrations)
    }

    /// Opens the database at `location` and applies `migrations`. On PostgreSQL each session
    /// runs `postgresSessionSetup` first (`SET …`), again after a reconnection.
    public init(location: DatabaseLocation, migrations: [Migration] = [], postgresSessionSetup: String = "") throws {
        let connection = try location.connect(postgresSessionSetup: postgresSessionSetup)
        try Migrator.migrate(connection, migrations)
        self.connection = connection
        self.interrupter = connection.interrupter
        self.location = location
        self.executor = QueueExecutor(label: "baohao.database")
    }

    /// Opens the database off the cooperative pool and applies `migrations`.
    public static func open(path: String, migrations: [Migration] = []) async throws -> Database {
        try await open(location: DatabaseLocation(path), migrations: migrations)
    }

    /// Opens the database at `location` off the cooperative pool and applies `migrations`.
    public static func open(location: DatabaseLocation, migrations: [Migration] = [], postgresSessionSetup: String = "") async throws -> Database {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Database(location: location, migrations: migrations, postgresSessionSetup: postgresSessionSetup) })
            }
        }
    }

    /// Runs `body` in an immediate (write) transaction: all of it is committed, or none.
    public func write<T: Sendable>(_ body: @Sendable (any Connection) throws -> T) async throws -> T {
        try await interruptible { try connection.transaction(.immediate) { try body(connection) } }
    }

    /// Runs `body` in a deferred transaction, for reads that must see one consistent snapshot.
    public func read<T: Sendable>(_ body: @Sendable (any Connection) throws -> T) async throws -> T {
        try await interruptible { try connection.transaction(.deferred) { try body(connection) } }
    }

    /// Runs `body` with the connection and no transaction of its own (pragmas, checkpoints,
    /// the lease's single statements).
    public func withConnection<T: Sendable>(_ body: @Sendable (any Connection) throws -> T) async throws -> T {
        try await interruptible {
            if let postgres = connection as? PGConnection, !postgres.isInTransaction { try postgres.reconnectIfBroken() }
            return try body(connection)
        }
    }

    /// Runs `work` so that cancelling the calling task stops it: the flag catches statements
    /// that have not started yet, the interrupt the one running now.
    private func interruptible<T: Sendable>(_ work: () throws -> T) async throws -> T {
        try Task.checkCancellation()
        let interrupter = self.interrupter
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try connection.cancellable(by: flag) { try work() }
        } onCancel: {
            flag.raise()
            interrupter.interrupt()
        }
    }
}

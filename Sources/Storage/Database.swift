import Dispatch
import BaohaoSupport

/// The single owner of one SQLite connection. Work runs serially on the database's own
/// thread, never on Swift's cooperative pool; cancelling the calling task interrupts the
/// running statement, whose transaction is then rolled back.
public actor Database {
    private let executor: QueueExecutor
    private let connection: Connection
    private let interruptHandle: InterruptHandle

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// The path the database was opened with.
    public nonisolated let path: String

    /// Opens the database at `path` and applies `migrations`, synchronously on the caller's
    /// thread. From async code prefer `open(path:migrations:)`.
    public init(path: String, migrations: [Migration] = []) throws {
        let connection = try Connection(path: path)
        try Migrator.migrate(connection, migrations)
        self.connection = connection
        self.interruptHandle = connection.interruptHandle
        self.path = path
        self.executor = QueueExecutor(label: "baohao.database")
    }

    /// Opens the database off the cooperative pool and applies `migrations`.
    public static func open(path: String, migrations: [Migration] = []) async throws -> Database {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Database(path: path, migrations: migrations) })
            }
        }
    }

    /// Runs `body` in an immediate (write) transaction: all of it is committed, or none.
    public func write<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        try await interruptible { try connection.transaction(.immediate) { try body(connection) } }
    }

    /// Runs `body` in a deferred transaction, for reads that must see one consistent snapshot.
    public func read<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        try await interruptible { try connection.transaction(.deferred) { try body(connection) } }
    }

    /// Runs `body` with the connection and no transaction of its own (pragmas, checkpoints).
    public func withConnection<T: Sendable>(_ body: @Sendable (Connection) throws -> T) async throws -> T {
        try await interruptible { try body(connection) }
    }

    /// Runs `work` so that cancelling the calling task stops it: the flag catches statements
    /// that have not started yet, the interrupt the one running now.
    private func interruptible<T: Sendable>(_ work: () throws -> T) async throws -> T {
        try Task.checkCancellation()
        let handle = interruptHandle
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try connection.cancellable(by: flag) { try work() }
        } onCancel: {
            flag.raise()
            handle.interrupt()
        }
    }
}

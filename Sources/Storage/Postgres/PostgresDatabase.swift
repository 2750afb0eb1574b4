import Dispatch
public import BaohaoSupport

/// The single owner of one PostgreSQL connection, as `Database` is for SQLite: work runs
/// serially on the connection's own thread (libpq's calls block), never on Swift's
/// cooperative pool. Cancelling the calling task cancels the running statement on the server
/// (SQLSTATE 57014, `isInterrupted`), and its transaction is then rolled back.
///
/// A cancellation that reaches the server in the instant between two statements is ignored
/// by PostgreSQL; the next statement then does not start, but the one that had just begun
/// runs to its end. Reconnection is not handled yet: a lost connection fails every call.
public actor PostgresDatabase {
    private let executor: QueueExecutor
    // Actor-isolated: only this actor's serial executor ever touches the connection.
    private let connection: PGConnection
    private let cancelHandle: PGCancelHandle

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// The connection string, shown with its password masked.
    public nonisolated let connectionString: PGConnectionString

    /// Connects synchronously on the caller's thread. From async code prefer `open(_:)`.
    public init(_ connectionString: String) throws {
        let connection = try PGConnection(connectionString)
        self.connection = connection
        self.cancelHandle = connection.cancelHandle
        self.connectionString = connection.connectionString
        self.executor = QueueExecutor(label: "baohao.postgres")
    }

    /// Connects off the cooperative pool.
    public static func open(_ connectionString: String) async throws -> PostgresDatabase {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try PostgresDatabase(connectionString) })
            }
        }
    }

    /// Runs `body` in a transaction: all of it is committed, or none.
    public func write<T: Sendable>(_ body: @Sendable (PGConnection) throws -> T) async throws -> T {
        try await cancellable { try connection.transaction { try body(connection) } }
    }

    /// Runs `body` with the connection and no transaction of its own.
    public func withConnection<T: Sendable>(_ body: @Sendable (PGConnection) throws -> T) async throws -> T {
        try await cancellable { try body(connection) }
    }

    /// Runs `work` so that cancelling the calling task stops it: the flag catches statements
    /// that have not started yet, the server-side cancel the one running now.
    private func cancellable<T: Sendable>(_ work: () throws -> T) async throws -> T {
        try Task.checkCancellation()
        let handle = cancelHandle
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try connection.cancellable(by: flag) { try work() }
        } onCancel: {
            flag.raise()
            handle.cancel()
        }
    }
}

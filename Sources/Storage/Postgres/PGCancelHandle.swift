internal import CLibPQ
import Synchronization

/// Lets another thread ask the server to cancel the statement a `PGConnection` is running
/// (`PQcancel`, which libpq documents as safe to call from any thread). The statement then
/// fails with SQLSTATE 57014 (`isInterrupted`). A request that reaches the server while no
/// statement runs is ignored by it, so the owner also checks a `CancelFlag` before each
/// statement (see `PGConnection.cancellable`).
public final class PGCancelHandle: StatementInterrupter {
    // @unchecked Sendable: the PGcancel object is only handed to PQcancel (thread-safe by
    // libpq's contract) and freed, both under the mutex; it is freed once, before the
    // connection closes, and never used after.
    private struct Pointer: @unchecked Sendable { let raw: OpaquePointer }
    private let pointer: Mutex<Pointer?>

    init(_ connection: OpaquePointer) {
        pointer = Mutex(PQgetCancel(connection).map { Pointer(raw: $0) })
    }

    /// Asks the server to cancel the running statement, if any (it opens a short separate
    /// connection, so it blocks for a round trip). A no-op once the connection is closed.
    public func cancel() {
        pointer.withLock { pointer in
            guard let pointer else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(pointer.raw, &buffer, Int32(buffer.count))
        }
    }

    /// The same as `cancel()`.
    public func interrupt() { cancel() }

    /// Points the handle at the connection's new server process after a reconnection.
    func reattach(_ connection: OpaquePointer) {
        pointer.withLock { pointer in
            if let raw = pointer?.raw { PQfreeCancel(raw) }
            pointer = PQgetCancel(connection).map { Pointer(raw: $0) }
        }
    }

    func detach() {
        pointer.withLock { pointer in
            if let raw = pointer?.raw { PQfreeCancel(raw) }
            pointer = nil
        }
    }
}

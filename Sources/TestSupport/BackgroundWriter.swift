import Foundation
public import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Commits batch after batch on a thread of its own, through a connection of its own, until
/// stopped: the busy bot beside a backup or a restore. A task on the cooperative pool could
/// be starved for a whole test in a loaded parallel run; a thread is not. It paces itself
/// (0.2 ms between batches) as a busy bot does rather than spinning a core. Generic over the
/// connection so this target needs no database module: `open` makes it on the thread, and
/// `commit(connection, n)` writes batch `n` in one transaction. The first failure stops it.
public final class BackgroundWriter<Connection>: Sendable {
    /// Batches committed so far.
    public let committed = Atomic<Int>(0)
    /// What went wrong (the writer stops at the first failure).
    public let failures = Mutex<[String]>([])
    private let stop = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    /// Starts writing batches numbered from `firstBatch`.
    public init(
        firstBatch: Int, open: @escaping @Sendable () throws -> Connection, commit: @escaping @Sendable (Connection, Int) throws -> Void
    ) {
        let thread = Thread { [self] in
            defer { finished.store(true, ordering: .releasing) }
            do {
                let connection = try open()
                var number = firstBatch
                while !stop.load(ordering: .acquiring) {
                    try commit(connection, number)
                    number += 1
                    committed.add(1, ordering: .releasing)
                    usleep(200)
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        thread.start()
    }

    /// Waits until at least `count` batches are in (or the writer failed).
    public func waitFor(_ count: Int) {
        while committed.load(ordering: .acquiring) < count, failures.withLock({ $0.isEmpty }) { usleep(1_000) }
    }

    /// Stops the writer and waits for its thread to end.
    public func stopAndWait() {
        stop.store(true, ordering: .releasing)
        while !finished.load(ordering: .acquiring) { usleep(1_000) }
    }
}

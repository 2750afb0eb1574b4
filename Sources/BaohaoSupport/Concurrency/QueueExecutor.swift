import Dispatch

/// A serial executor backed by a private Dispatch queue, so that an actor using it runs
/// blocking C calls on its own thread instead of Swift's cooperative pool.
// @unchecked Sendable: the only state is an immutable serial DispatchQueue, itself thread-safe.
public final class QueueExecutor: SerialExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    /// Creates an executor whose jobs run one at a time on a new queue named `label`.
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `job` on this executor's queue after every job enqueued before it, never
    /// alongside another job of this executor.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        queue.async {
            unowned.runSynchronously(on: self.asUnownedSerialExecutor())
        }
    }

    /// This executor, for an actor's `unownedExecutor`; the actor must keep the executor alive.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}

import BaohaoSupport
import Synchronization

/// The first shutdown signal, kept: any number of waits, one after another, see it. (An
/// `AsyncStream` of signals cannot be watched by a task that may be cancelled and then by
/// another: cancelling its consumer ends the stream.)
final class SignalLatch: Sendable {
    private let received = Mutex<Int32?>(nil)
    private let bell = Doorbell()

    /// Relays the first signal of `stream` into a new latch, until `relay` is cancelled. A
    /// stream that ends without one counts as signal 0 (stop, as a signal would).
    static func relaying(_ stream: AsyncStream<Int32>) -> (latch: SignalLatch, relay: Task<Void, Never>) {
        let latch = SignalLatch()
        let relay = Task {
            for await number in stream {
                latch.raise(number)
                return
            }
            if !Task.isCancelled { latch.raise(0) }
        }
        return (latch, relay)
    }

    func raise(_ number: Int32) {
        received.withLock { $0 = $0 ?? number }
        bell.ring()
    }

    /// The signal, once one has arrived; nil if the waiting task is cancelled first. One task
    /// waits at a time.
    func wait() async -> Int32? {
        while !Task.isCancelled {
            if let number = received.withLock({ $0 }) { return number }
            await bell.wait(seconds: 3600)
        }
        return received.withLock { $0 }
    }
}

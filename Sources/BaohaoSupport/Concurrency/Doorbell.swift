import Synchronization

/// Lets one waiting task be woken early from any thread: `wait(seconds:)` returns when the
/// bell rings, when its time is up, or when the task is cancelled, whichever comes first. A
/// ring while nobody waits is kept for the next wait, so none is lost between two waits.
public final class Doorbell: Sendable {
    private struct State {
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
        /// Rung while nobody waited.
        var rung = false
        var lastID: UInt64 = 0
        /// The wait whose time ran out (or was cancelled) before it began waiting.
        var expired: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the task waiting now, or else the next `wait`.
    public func ring() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let waiter = s.waiter else {
                s.rung = true
                return nil
            }
            s.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns when rung (now, or since the last wait returned), after `seconds`, or when
    /// the calling task is cancelled. One task waits at a time.
    public func wait(seconds: Double) async {
        let id = state.withLock { s -> UInt64? in
            if s.rung {
                s.rung = false
                return nil
            }
            s.lastID += 1
            return s.lastID
        }
        guard let id else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
            self?.end(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { s -> Bool in
                    if s.rung || s.expired == id {
                        s.rung = false
                        return true
                    }
                    s.waiter = (id, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            end(id)
        }
        timer.cancel()
    }

    /// Ends wait `id` (its time is up, or its task was cancelled) if it is still waiting.
    private func end(_ id: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let waiter = s.waiter, waiter.id == id else {
                s.expired = id
                return nil
            }
            s.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}

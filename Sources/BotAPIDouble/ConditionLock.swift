import Glibc

/// One pthread mutex with several condition variables that share it. Timed waits use
/// CLOCK_MONOTONIC deadlines (see `monotonicSeconds()`), so wall-clock jumps do not matter.
final class ConditionLock: @unchecked Sendable {  // the pthread objects are only used through pthread calls, which are thread-safe
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let conditionCount: Int

    init(conditionCount: Int) {
        self.conditionCount = conditionCount
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        conditions = .allocate(capacity: conditionCount)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        for index in 0..<conditionCount {
            pthread_cond_init(conditions + index, &attributes)
        }
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        for index in 0..<conditionCount {
            pthread_cond_destroy(conditions + index)
        }
        conditions.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always) func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Wakes every thread waiting on condition `index`. Call with the lock held.
    @inline(__always) func broadcast(_ index: Int) {
        pthread_cond_broadcast(conditions + index)
    }

    /// Waits on condition `index` until it is signalled or the monotonic `deadline` passes
    /// (spurious wake-ups possible: callers re-check their predicate). Call with the lock held.
    func wait(_ index: Int, until deadline: Double) {
        let capped = min(deadline, monotonicSeconds() + 86_400)
        let whole = capped.rounded(.down)
        var time = timespec(tv_sec: Int(whole), tv_nsec: Int((capped - whole) * 1_000_000_000))
        pthread_cond_timedwait(conditions + index, mutex, &time)
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
}

import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reusable per-query buffers, so scoring allocates nothing proportional to the index.
/// Used by one query at a time (the pool hands it out); freed with the pool.
final class Scratch {
    let documentScores: UnsafeMutableBufferPointer<Float>
    let targetBest: UnsafeMutableBufferPointer<Int32>
    let targetSum: UnsafeMutableBufferPointer<Float>
    /// Documents and targets touched by the current query, in touch order.
    let touched: UnsafeMutableBufferPointer<Int32>
    var touchedCount = 0
    let touchedTargets: UnsafeMutableBufferPointer<Int32>
    var touchedTargetCount = 0

    init(documents: Int, targets: Int) {
        documentScores = .allocate(capacity: max(documents, 1))
        documentScores.initialize(repeating: 0)
        touched = .allocate(capacity: max(documents, 1))
        touched.initialize(repeating: 0)
        targetBest = .allocate(capacity: max(targets, 1))
        targetBest.initialize(repeating: -1)
        targetSum = .allocate(capacity: max(targets, 1))
        targetSum.initialize(repeating: 0)
        touchedTargets = .allocate(capacity: max(targets, 1))
        touchedTargets.initialize(repeating: 0)
    }

    private var queryWeights: UnsafeMutableBufferPointer<Float>?

    /// A zeroed weight per term, for exact rescoring; callers zero what they set.
    func queryWeight(termCount: Int) -> UnsafeMutableBufferPointer<Float> {
        if let existing = queryWeights { return existing }
        let fresh = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(termCount, 1))
        fresh.initialize(repeating: 0)
        queryWeights = fresh
        return fresh
    }

    deinit {
        queryWeights?.deallocate()
        documentScores.deallocate()
        touched.deallocate()
        targetBest.deallocate()
        targetSum.deallocate()
        touchedTargets.deallocate()
    }

    /// Clears only what the last query touched.
    func reset() {
        for i in 0..<touchedCount { documentScores[Int(touched[i])] = 0 }
        for i in 0..<touchedTargetCount {
            let t = Int(touchedTargets[i])
            targetBest[t] = -1
            targetSum[t] = 0
        }
        touchedCount = 0
        touchedTargetCount = 0
    }
}

/// Hands each concurrent query its own `Scratch`.
// @unchecked Sendable: the free list is only touched under the mutex; a Scratch is used by one query at a time.
final class ScratchPool: @unchecked Sendable {
    private let documents: Int
    private let targets: Int
    private let lock = PthreadMutex()
    private var free: [Scratch] = []

    init(documents: Int, targets: Int) {
        self.documents = documents
        self.targets = targets
    }

    func take() -> Scratch {
        lock.lock()
        let reused = free.popLast()
        lock.unlock()
        return reused ?? Scratch(documents: documents, targets: targets)
    }

    func give(back scratch: Scratch) {
        scratch.reset()
        lock.lock()
        if free.count < 16 { free.append(scratch) }
        lock.unlock()
    }
}

/// A plain pthread mutex (no allocation per lock, usable from synchronous code).
// @unchecked Sendable: pthread mutexes are made to be shared between threads.
final class PthreadMutex: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }
    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}

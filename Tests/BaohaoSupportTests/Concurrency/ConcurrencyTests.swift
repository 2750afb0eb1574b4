import Dispatch
import Synchronization
import Testing
import BaohaoSupport

@Suite struct CancelFlagTests {
    @Test func staysRaisedOnceRaisedFromAnotherThread() async {
        let flag = CancelFlag()
        #expect(!flag.isRaised)
        await Task.detached { flag.raise() }.value
        #expect(flag.isRaised)
        flag.raise()
        #expect(flag.isRaised)
    }
}

@Suite struct QueueExecutorTests {
    /// Where the blocked jobs count themselves and wait.
    final class Gate: Sendable {
        let started = Atomic<Int>(0)
        let release = DispatchSemaphore(value: 0)
    }

    /// An actor on its own `QueueExecutor` whose one method blocks its thread.
    actor Blocker {
        private let executor: QueueExecutor
        nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

        init(_ index: Int) { executor = QueueExecutor(label: "baohao.tests.blocker\(index)") }

        /// Counts itself as started, then blocks until the gate releases it (true) or sixty
        /// seconds have passed (false).
        func block(_ gate: Gate) -> Bool {
            gate.started.add(1, ordering: .sequentiallyConsistent)
            return gate.release.wait(timeout: .now() + 60) == .success
        }
    }

    /// More actors block at once than the cooperative pool has threads, and a task on that
    /// pool still runs to release them: the blocked jobs hold queue threads, not pool threads.
    @Test func blockingJobsLeaveTheCooperativePoolFree() async {
        let count = 8
        let gate = Gate()
        let blockers = (0..<count).map(Blocker.init)
        await withTaskGroup(of: Bool.self) { group in
            for blocker in blockers { group.addTask { await blocker.block(gate) } }
            group.addTask {
                while gate.started.load(ordering: .sequentiallyConsistent) < count { try? await Task.sleep(for: .milliseconds(1)) }
                for _ in 0..<count { gate.release.signal() }
                return true
            }
            for await released in group { #expect(released) }
        }
    }
}

@Suite struct DoorbellTests {
    @Test func aRingWakesTheWaiterAndARingWhileNobodyWaitsIsKeptForTheNextWait() async {
        let bell = Doorbell()
        // Rung before anyone waits: the next wait returns at once (it would otherwise take an hour).
        bell.ring()
        await bell.wait(seconds: 3600)
        // Rung from another thread, before or while the other task waits: it returns.
        let waiter = Task { await bell.wait(seconds: 3600); return true }
        await Task.detached { bell.ring() }.value
        #expect(await waiter.value)
        // One ring wakes one wait: the next waits for its time (a short one here) or a ring.
        let timedOut = Task { await bell.wait(seconds: 0.05); return "returned" }
        #expect(await timedOut.value == "returned")
    }

    @Test func cancellingTheWaitingTaskEndsItsWait() async {
        let bell = Doorbell()
        let waiter = Task { await bell.wait(seconds: 3600) }
        waiter.cancel()
        await waiter.value  // returns instead of waiting an hour
        // The bell still works for the next waiter.
        bell.ring()
        await bell.wait(seconds: 3600)
    }
}

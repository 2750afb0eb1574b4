public import Storage
public import BaohaoSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Drives `LeaderLease` against the lease row (`PGLeaseStore`) and runs the leader's work
/// only while this instance holds the lease: acquire after expiry, renew every few seconds,
/// stop by itself on its own monotonic clock when renewals stop succeeding, step down at
/// once when a commit is fenced, and hand over on shutdown (the lease is released, so the
/// standby takes over at its next attempt rather than after the TTL).
///
/// The lease's statements run on a connection of their own, never behind a batch, and are
/// never awaited in line: the driver keeps ticking while one hangs (a partitioned network),
/// so the deadline is enforced whatever the database does.
public final class LeaderElection: Sendable {
    let store: PGLeaseStore
    let database: Database
    let fence: LeaseFence
    let configuration: LeaderLease.Configuration
    let logger: Logger

    public init(store: PGLeaseStore, database: Database, fence: LeaseFence, configuration: LeaderLease.Configuration, logger: Logger) {
        self.store = store
        self.database = database
        self.fence = fence
        self.configuration = configuration
        self.logger = logger
    }

    /// "host/pid": who holds the lease, for operators reading the row.
    public static var holderName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        let host = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host)/\(getpid())"
    }

    /// The outcome of one lease statement, sent at `sentAt`.
    private enum Outcome: Sendable {
        case acquired(Int64?, current: Int64)
        case renewed(Bool)
        case failed(String)
    }

    /// Set once the leader's work has returned.
    private final class DoneFlag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    /// A lease statement running in the background; its outcome once it is done.
    private final class Call: Sendable {
        let sentAt: ContinuousClock.Instant
        let isRenewal: Bool
        let epoch: Int64
        private let outcome = Mutex<Outcome?>(nil)
        init(sentAt: ContinuousClock.Instant, isRenewal: Bool, epoch: Int64) {
            self.sentAt = sentAt
            self.isRenewal = isRenewal
            self.epoch = epoch
        }
        func finish(_ value: Outcome) { outcome.withLock { $0 = value } }
        var result: Outcome? { outcome.withLock { $0 } }
    }

    /// Until a signal arrives on `shutdown` (then a leader finishes its term and hands over):
    /// whenever this instance holds the lease, runs `lead` with a stream that receives the
    /// shutdown signal. `lead` must stop soon after `fence.mayAct()` turns false. An error
    /// `lead` throws while it may still act (a refused token) ends the election and is thrown.
    public func run(shutdown: AsyncStream<Int32>, lead: @escaping @Sendable (AsyncStream<Int32>) async throws -> Void) async throws {
        let signal = Mutex<Int32?>(nil)
        let watcher = Task {
            for await number in shutdown {
                signal.withLock { $0 = number }
                return
            }
        }
        defer { watcher.cancel() }
        var lease = LeaderLease(configuration: configuration)
        var call: Call?
        var term: (task: Task<Void, any Error>, signals: AsyncStream<Int32>.Continuation, done: DoneFlag)?
        var handedOver = false
        var forwarded = false
        var action = lease.tick(at: .now)
        while true {
            let now = ContinuousClock.now
            // What to do now, as the machine says; then what happened since.
            switch action {
            case .tryAcquire:
                if signal.withLock({ $0 }) != nil { return }
                call = start(Call(sentAt: now, isRenewal: false, epoch: 0)) { [store] db in
                    let (acquired, current) = try store.acquire(db)
                    return .acquired(acquired, current: current)
                }
            case .renewNow:
                if let epoch = lease.epoch {
                    call = start(Call(sentAt: now, isRenewal: true, epoch: epoch)) { [store] db in .renewed(try store.renew(db, epoch: epoch)) }
                }
            case .startLeading(let epoch):
                fence.lead(epoch: epoch, until: lease.deadline ?? now)
                logger.info("lease.acquired", ["epoch": .int(epoch), "holder": .string(store.holder)])
                let (stream, continuation) = AsyncStream<Int32>.makeStream()
                let done = DoneFlag()
                let task = Task {
                    defer { done.set() }
                    try await lead(stream)
                }
                term = (task, continuation, done)
                forwarded = false
            case .stopLeading(let reason):
                let epoch = fence.epoch
                fence.clear()
                logger.warning("lease.stopped_leading", ["reason": .string("\(reason)"), "epoch": epoch.map { .int($0) } ?? .string("-")])
                if let current = term {
                    current.signals.finish()
                    current.task.cancel()
                    _ = await current.task.result
                    term = nil
                }
                if reason == .resigned, let epoch, !handedOver {
                    handedOver = true
                    _ = try? await database.withConnection { [store] db in try store.release(db, epoch: epoch) }
                    logger.info("lease.released", ["epoch": .int(epoch)])
                    return
                }
                action = lease.stoppedLeading(at: .now)
                continue
            case .wait(let duration):
                try? await Task.sleep(for: min(duration, .milliseconds(50)))
            }
            action = .wait(.zero)
            // A lease statement finished.
            if let current = call, let outcome = current.result {
                call = nil
                switch outcome {
                case .acquired(let epoch?, _):
                    action = lease.acquired(epoch: epoch, at: current.sentAt)
                case .acquired(nil, let held):
                    action = lease.acquireRefused(heldAtEpoch: held, at: .now)
                case .renewed(true):
                    action = lease.renewed(epoch: current.epoch, at: current.sentAt)
                    if let deadline = lease.deadline { fence.extend(until: deadline) }
                case .renewed(false):
                    action = lease.commitFenced()
                case .failed(let error):
                    logger.warning(current.isRenewal ? "lease.renew_failed" : "lease.acquire_failed", ["error": .string(error)])
                    action = current.isRenewal ? lease.renewFailed(at: .now) : lease.acquireRefused(at: .now)
                }
                if case .wait = action {} else { continue }
            }
            // The leader's work ended by itself: fenced, or failed, or finished after a signal.
            if let current = term, current.done.isSet {
                term = nil
                let result = await current.task.result
                if fence.wasFenced {
                    action = lease.commitFenced()
                    continue
                }
                if signal.withLock({ $0 }) != nil {
                    action = lease.resign()
                    continue
                }
                if case .failure(let error) = result, fence.mayAct() {
                    fence.clear()
                    if let epoch = lease.epoch { _ = try? await database.withConnection { [store] db in try store.release(db, epoch: epoch) } }
                    throw error
                }
                action = lease.commitFenced()
                continue
            }
            // A signal: a leader finishes its term (the bot drains), a standby just stops.
            if let number = signal.withLock({ $0 }) {
                if let current = term {
                    if !forwarded {
                        forwarded = true
                        current.signals.yield(number)
                    }
                } else if call == nil || !(call?.isRenewal ?? false) {
                    return
                }
            }
            if case .wait = action { action = lease.tick(at: .now) }
        }
    }

    /// Runs `body` on the lease's connection in the background; its outcome lands in `call`.
    private func start(_ call: Call, _ body: @escaping @Sendable (any Connection) throws -> Outcome) -> Call {
        let database = self.database
        Task {
            do {
                call.finish(try await database.withConnection { try body($0) })
            } catch {
                call.finish(.failed("\(error)"))
            }
        }
        return call
    }
}

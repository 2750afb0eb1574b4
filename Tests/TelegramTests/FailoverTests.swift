import BotAPIDouble
import Foundation
import Storage
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two real `baohao run` processes on one PostgreSQL database, a 2 s lease, and the Bot API
/// double: the leader fails in one way or another during a burst, and the standby takes
/// over. Each scenario checks what the customer and the database see:
/// - every update's effects happen exactly once (one queued reply per message, no more);
/// - the stored offset never goes back, and epochs follow one another (one epoch commits
///   at a time: a sample of (epoch, offset) never pairs a newer epoch with an older offset);
/// - every message gets its reply at least once; duplicates only for sends in flight at the
///   fault, counted and printed.
@Suite(.requiresPostgres, .serialized) struct FailoverTests {
    /// Messages in each scenario's burst: enough that the fault lands in the middle of it.
    static let burst = 3_000
    static let texts = ["我的余额", "點樣續費呀", "how do I cancel", "谢谢", "你好", "可以退款吗", "充值失败了", "what is the grace period for csl"]

    /// The cluster, a database, the double and the environment both processes share.
    final class Rig: Sendable {
        let double: BotAPIDouble
        let url: String
        let directory: String
        let environment: [String: String]
        /// (epoch, offset) as sampled from the lease row every 20 ms while the scenario runs.
        let samples = Mutex<[(epoch: Int64, offset: Int64)]>([])
        let sampling = Atomic<Bool>(true)
        /// Every `baohao run` started, stopped by `stop`.
        let started = Mutex<[pid_t]>([])

        static let config = #"{"poll_timeout_seconds": 1, "rate_limits": {"enabled": false}, "log_level": "info", "lease_ttl_seconds": 2"#

        /// On `cluster` (the shared one unless a scenario restarts its own).
        init(cluster: PostgresCluster? = nil) throws {
            double = try BotAPIDouble()
            double.start()
            url = try (cluster ?? PostgresCluster.shared()).makeDatabase()
            let (directory, base) = try CrashRestartTests.botEnvironment(
                double: double,
                config: Self.config + "}")
            var environment = base
            environment["BAOHAO_DB"] = url
            self.directory = directory
            self.environment = environment
        }

        /// Starts `baohao run`, on `database` when given (a proxied URL) rather than `url`, and
        /// serving `/healthz` and `/metrics` on `metricsPort` when given.
        func start(_ name: String, database: String? = nil, metricsPort: Int? = nil) throws -> pid_t {
            var environment = self.environment
            if let database { environment["BAOHAO_DB"] = database }
            if let metricsPort {
                let path = directory + "/\(name).json"
                try (Self.config + #", "metrics": {"listen": "127.0.0.1:\#(metricsPort)"}}"#).write(toFile: path, atomically: true, encoding: .utf8)
                environment["BAOHAO_CONFIG"] = path
            }
            let pid = try InstanceLockTests.spawn(environment, stderr: directory + "/\(name).log")
            started.withLock { $0.append(pid) }
            return pid
        }

        func log(_ name: String) -> String { (try? String(contentsOfFile: directory + "/\(name).log", encoding: .utf8)) ?? "" }

        /// The lease row: holder, epoch, offset (nil before any instance made it).
        func lease() -> (holder: String, epoch: Int64, offset: Int64)? {
            guard let db = try? PGConnection(url) else { return nil }
            return try? db.queryFirst("SELECT coalesce(holder, ''), epoch, update_offset FROM leader_lease") {
                ($0.string(0), $0.int64(1), $0.int64(2))
            }
        }

        /// Waits until the process `pid` holds the lease; its epoch.
        func waitUntilLeading(_ pid: pid_t, seconds: Double = 60) async -> Int64? {
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            while ContinuousClock.now < deadline {
                if let lease = lease(), lease.holder.hasSuffix("/\(pid)") { return lease.epoch }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        /// Samples the lease row on a thread of its own until `stopSampling`.
        func startSampling() {
            let url = self.url
            Thread {
                guard let db = try? PGConnection(url) else { return }
                while self.sampling.load(ordering: .acquiring) {
                    try? db.reconnectIfBroken()
                    if let row = try? db.queryFirst("SELECT epoch, update_offset FROM leader_lease", map: { ($0.int64(0), $0.int64(1)) }) {
                        self.samples.withLock { $0.append((row.0, row.1)) }
                    }
                    usleep(20_000)
                }
            }.start()
        }

        func stopSampling() { sampling.store(false, ordering: .releasing) }

        /// `total` messages from `chats` chats; how many each chat sent.
        func inject(total: Int, chats: Int, from first: Int = 0) -> [Int64: Int] {
            var byChat: [Int64: Int] = [:]
            for i in first..<(first + total) {
                let chat = Int64(50_000 + i % chats)
                double.injectMessage(chatID: chat, text: FailoverTests.texts[(i / chats) % FailoverTests.texts.count])
                byChat[chat, default: 0] += 1
            }
            return byChat
        }

        /// The invariants, checked after every reply arrived; the duplicates, for the record.
        func check(_ sent: [Int64: Int], scenario: String) throws -> Int {
            stopSampling()
            let total = sent.values.reduce(0, +)
            let db = try PGConnection(url)
            // Exactly once: one reply queued per message, none twice.
            let queued = try db.query("SELECT chat_id, count(*) FROM outbox GROUP BY chat_id") { ($0.int64(0), $0.int(1)) }
            let queuedByChat = Dictionary(uniqueKeysWithValues: queued)
            #expect(queuedByChat == sent, "\(scenario): replies queued per chat differ from messages sent per chat")
            #expect(try db.queryFirst("SELECT count(*) FROM outbox") { $0.int(0) } == total)
            // The offset never went back, and an older epoch never committed after a newer one.
            let points = samples.withLock { $0 }
            #expect(points.count > 10, "\(scenario): the lease row was sampled")
            for (a, b) in zip(points, points.dropFirst()) {
                #expect(b.offset >= a.offset, "\(scenario): the offset went back from \(a.offset) to \(b.offset)")
                #expect(b.epoch >= a.epoch, "\(scenario): the epoch went back from \(a.epoch) to \(b.epoch)")
            }
            // Every reply at least once; the rest are duplicates of sends in flight.
            var duplicates = 0
            for (chat, count) in sent {
                let replies = double.sentMessages(to: chat).count
                #expect(replies >= count, "\(scenario): chat \(chat) got \(replies) replies to \(count) messages")
                duplicates += max(0, replies - count)
            }
            return duplicates
        }

        /// Ends every process started and still running (continued first, if paused), the
        /// sampling and the double.
        func stop() {
            for pid in started.withLock({ $0 }) {
                // One the test already reaped is skipped: its pid may be another process's now.
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) != 0 { continue }
                kill(pid, SIGCONT)
                kill(pid, SIGKILL)
                _ = InstanceLockTests.waitForExit(pid)
            }
            stopSampling()
            double.stop()
        }
    }

    /// Runs blocking work (a server's start or restart, psql, waiting for a process) on a
    /// thread of its own: the cooperative pool's two threads belong to every suite's tasks.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// On a thread of its own (the test's tasks may wait seconds for a pool thread on a
    /// loaded machine, while the burst goes on): waits for 300 replies, then applies `fault`
    /// to the instance holding the lease at that moment. The replies by then, and that pid.
    static func faultAfter300(_ rig: Rig, _ fault: @escaping @Sendable (pid_t) throws -> Void) async throws -> (count: Int, leader: pid_t?) {
        try await offPool {
            guard rig.double.wait(timeout: 60, until: { rig.double.sentMessages().count >= 300 }) else {
                return (rig.double.sentMessages().count, nil)
            }
            guard let holder = rig.lease()?.holder, let leader = pid_t(holder.split(separator: "/").last ?? "") else {
                return (rig.double.sentMessages().count, nil)
            }
            try fault(leader)
            return (rig.double.sentMessages().count, leader)
        }
    }

    /// What `burstWithFault` leaves: the first epoch, both instances, the messages sent per
    /// chat, the replies when the fault came and the instance it hit.
    struct Faulted {
        let first: Int64
        let a: pid_t
        let b: pid_t
        let sent: [Int64: Int]
        let repliesAtFault: Int
        let leader: pid_t?

        /// The instance the fault did not hit, and the names of both (for their logs).
        var standby: (pid: pid_t, name: String, faultedName: String) { leader == a ? (b, "b", "a") : (a, "a", "b") }
    }

    /// A (on `database` when given) leads and B waits; the lease row is sampled; a burst of
    /// `burst` messages from 150 chats arrives, and `fault` hits the lease holder after 300
    /// replies, which must be inside the burst.
    static func burstWithFault(_ rig: Rig, database: String? = nil, _ fault: @escaping @Sendable (pid_t) throws -> Void) async throws -> Faulted {
        let a = try rig.start("a", database: database)
        let first = try #require(await rig.waitUntilLeading(a))
        let b = try rig.start("b")
        rig.startSampling()
        let sent = rig.inject(total: Self.burst, chats: 150)
        let (count, leader) = try await Self.faultAfter300(rig, fault)
        #expect(count < Self.burst, "the fault came after the burst was answered (\(count) replies); it proves nothing")
        return Faulted(first: first, a: a, b: b, sent: sent, repliesAtFault: count, leader: leader)
    }

    /// Waits until every chat got at least as many replies as it sent messages.
    static func allAnswered(_ rig: Rig, _ sent: [Int64: Int], seconds: Double = 60) async -> Bool {
        await rig.double.waitAsync(timeout: seconds) { sent.allSatisfy { rig.double.sentMessages(to: $0.key).count >= $0.value } }
    }

    /// (a) The leader is killed with SIGKILL in the middle of a burst.
    @Test func aLeaderKilledMidBatchIsReplacedAndNothingIsLostOrDoubled() async throws {
        let rig = try await Self.offPool { try Rig() }
        defer { rig.stop() }
        let run = try await Self.burstWithFault(rig) { kill($0, SIGKILL) }
        let (first, sent, killedAt) = (run.first, run.sent, run.repliesAtFault)
        let leader = try #require(run.leader, "no leader to kill")
        let (standby, standbyName, _) = run.standby
        _ = try await Self.offPool { InstanceLockTests.waitForExit(leader) }
        let took = ContinuousClock.now
        let second = try #require(await rig.waitUntilLeading(standby, seconds: 30), "the standby never took over\n\(rig.log(standbyName))")
        let takeover = ContinuousClock.now - took
        #expect(second > first)
        #expect(await Self.allAnswered(rig, sent), "\(rig.double.sentMessages().count) replies\n\(rig.log(standbyName))")
        let duplicates = try rig.check(sent, scenario: "kill -9")
        print("failover (a) kill -9: killed after \(killedAt) replies, standby led after \(takeover), epochs \(first)→\(second), \(duplicates) duplicate(s) of \(Self.burst)")
        #expect(duplicates <= 2 * 2, "at most the sends in flight at the kill (two sending connections) go twice")
    }

    /// (b) The leader is paused (SIGSTOP) past its lease; the standby takes over; the old
    /// leader, continued, must not commit or send: its commit is fenced or its own clock
    /// stops it, and it becomes a standby.
    @Test func aPausedLeaderIsFencedWhenItWakesAndStepsDown() async throws {
        let rig = try await Self.offPool { try Rig() }
        defer { rig.stop() }
        let run = try await Self.burstWithFault(rig) { kill($0, SIGSTOP) }
        let (first, sent, pausedAt) = (run.first, run.sent, run.repliesAtFault)
        let paused = try #require(run.leader, "no leader to pause")
        let (standby, _, pausedName) = run.standby
        let second = try #require(await rig.waitUntilLeading(standby, seconds: 30), "the standby never took over")
        #expect(second > first)
        // Let the new leader commit a few batches, then wake the old one.
        try await Task.sleep(for: .seconds(1))
        kill(paused, SIGCONT)
        #expect(await Self.allAnswered(rig, sent), "\(rig.double.sentMessages().count) replies")
        // The old leader noticed, stopped acting, and still runs (as a standby).
        #expect(
            await rig.double.waitAsync(timeout: 20) { rig.log(pausedName).contains("lease.stopped_leading") || rig.log(pausedName).contains("lease.stopped_acting") },
            "\(rig.log(pausedName))")
        #expect(kill(paused, 0) == 0, "the old leader is still running")
        #expect(rig.lease()?.holder.hasSuffix("/\(standby)") == true, "the new leader kept the lease")
        let duplicates = try rig.check(sent, scenario: "SIGSTOP")
        print("failover (b) SIGSTOP: paused after \(pausedAt) replies, epochs \(first)→\(second), \(duplicates) duplicate(s) of \(Self.burst)")
        #expect(duplicates <= 2 * 2)
    }

    /// With `metrics.listen`, both instances serve `/healthz` and `/metrics` across their
    /// terms: the standby answers 200 "standby" (healthy, ready), the leader its bot's report;
    /// after a hand-over the roles, and the answers, swap.
    @Test func aStandbyAnswersHealthAsAStandbyAndTakesTheLeadersPageWhenItLeads() async throws {
        let rig = try await Self.offPool { try Rig() }
        let ports = try (0..<2).map { _ in
            let socket = try RunProcessTests.listeningSocket()
            close(socket.fd)
            return socket.port
        }
        let leaderPort = ports[0], standbyPort = ports[1]
        let a = try rig.start("a", metricsPort: leaderPort)
        defer { rig.stop() }
        _ = try #require(await rig.waitUntilLeading(a), "\(rig.log("a"))")
        let b = try rig.start("b", metricsPort: standbyPort)
        // B listens before it first tries the lease.
        for _ in 0..<600 where !rig.log("b").contains("event=lease.standby") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(rig.log("b").contains("event=monitoring.listening address=127.0.0.1:\(standbyPort)"), "\(rig.log("b"))")
        func get(_ port: Int, _ path: String) async throws -> MonitoringHTTP.Response {
            try await Self.offPool { try MonitoringHTTP.request("http://127.0.0.1:\(port)\(path)") }
        }
        let sent = rig.inject(total: 20, chats: 5)
        #expect(await Self.allAnswered(rig, sent))
        let standby = try await get(standbyPort, "/healthz")
        #expect(standby.status == 200 && standby.body.contains(#""status": "standby""#) && standby.body.contains("/\(b)"), "\(standby.body)")
        #expect(try await get(standbyPort, "/metrics").body.contains("baohao_lease_leading 0"))
        let leader = try await get(leaderPort, "/healthz")
        #expect(leader.body.contains(#""checks""#) && !leader.body.contains("standby"), "\(leader.body)")
        let leaderMetrics = try await get(leaderPort, "/metrics").body
        #expect(leaderMetrics.contains("baohao_lease_leading 1") && leaderMetrics.contains("baohao_updates_handled_total 20"), "\(leaderMetrics)")
        // The hand-over: B's page becomes the leader's.
        kill(a, SIGTERM)
        _ = try await Self.offPool { InstanceLockTests.waitForExit(a) }
        _ = try #require(await rig.waitUntilLeading(b, seconds: 30))
        // (The lease row moves first; the term's bot answers once it has started.)
        var taken = try await get(standbyPort, "/healthz")
        for _ in 0..<200 where taken.body.contains("standby") {
            try await Task.sleep(for: .milliseconds(50))
            taken = try await get(standbyPort, "/healthz")
        }
        #expect(taken.body.contains(#""checks""#) && !taken.body.contains("standby"), "\(taken.body)")
        #expect(try await get(standbyPort, "/metrics").body.contains("baohao_lease_leading 1"))
    }

    /// (e) SIGTERM while a long poll is open: the leader finishes its term and releases the
    /// lease, and the standby takes over without waiting for the TTL.
    @Test func sigtermHandsTheLeaseOverAtOnce() async throws {
        let rig = try await Self.offPool { try Rig() }
        let a = try rig.start("a")
        defer { rig.stop() }
        let first = try #require(await rig.waitUntilLeading(a))
        let b = try rig.start("b")
        rig.startSampling()
        var sent = rig.inject(total: 300, chats: 60)
        #expect(await Self.allAnswered(rig, sent))
        // Idle now: the leader's getUpdates is a long poll.
        try await Task.sleep(for: .milliseconds(300))
        let signalled = ContinuousClock.now
        kill(a, SIGTERM)
        let status = try await Self.offPool { InstanceLockTests.waitForExit(a) }
        #expect(status == 0, "exit status \(status)\n\(rig.log("a"))")
        let second = try #require(await rig.waitUntilLeading(b, seconds: 30))
        let handover = ContinuousClock.now - signalled
        #expect(second > first)
        #expect(rig.log("a").contains("lease.released"), "\(rig.log("a"))")
        for (chat, count) in rig.inject(total: 300, chats: 60, from: 300) { sent[chat, default: 0] += count }
        #expect(await Self.allAnswered(rig, sent))
        let duplicates = try rig.check(sent, scenario: "SIGTERM")
        print("failover (e) SIGTERM: handed over in \(handover) (lease 2 s), epochs \(first)→\(second), \(duplicates) duplicate(s) of 600")
        #expect(duplicates == 0, "a hand-over sends nothing twice")
    }

    /// (c) The leader's connection to PostgreSQL is blackholed (a TCP proxy stops forwarding,
    /// connections stay open): the leader stops on its own clock, the server ends its idle
    /// transaction, the standby takes over; when the network heals, the old leader finds its
    /// lease gone and stays a standby.
    @Test func aLeaderCutOffFromTheDatabaseStopsAndTheStandbyTakesOver() async throws {
        let rig = try await Self.offPool { try Rig() }
        let port = try #require(URLComponents(string: rig.url)?.port)
        let proxy = try TCPProxy(targetPort: port)
        defer { proxy.stop() }
        let proxied = rig.url.replacingOccurrences(of: ":\(port)/", with: ":\(proxy.port)/")
        defer { rig.stop() }
        let run = try await Self.burstWithFault(rig, database: proxied) { _ in proxy.pause() }
        let (first, a, b, sent, cutAt) = (run.first, run.a, run.b, run.sent, run.repliesAtFault)
        #expect(run.leader == a, "the instance cut off was the leader")
        let cut = ContinuousClock.now
        let second = try #require(await rig.waitUntilLeading(b, seconds: 40), "the standby never took over\n\(rig.log("b"))")
        let takeover = ContinuousClock.now - cut
        #expect(second > first)
        #expect(await Self.allAnswered(rig, sent), "\(rig.double.sentMessages().count) replies\n\(rig.log("b"))")
        proxy.resume()
        #expect(
            await rig.double.waitAsync(timeout: 30) { rig.log("a").contains("lease.stopped_leading") || rig.log("a").contains("lease.stopped_acting") },
            "\(rig.log("a"))")
        try await Task.sleep(for: .seconds(1))
        #expect(rig.lease()?.holder.hasSuffix("/\(b)") == true, "the new leader kept the lease")
        let duplicates = try rig.check(sent, scenario: "blackhole")
        print("failover (c) blackhole: cut after \(cutAt) replies, standby led after \(takeover), epochs \(first)→\(second), \(duplicates) duplicate(s) of \(Self.burst)")
        #expect(duplicates <= 2 * 2)
    }

    /// (d) PostgreSQL restarts (down for 3 s, longer than the lease) in the middle of a burst:
    /// both instances reconnect, one leads with a newer epoch, nothing is lost or doubled.
    @Test func aDatabaseRestartInTheMiddleOfABurstLosesNothing() async throws {
        let cluster = try await Self.offPool { try PostgresCluster() }
        defer { try? cluster.stop() }
        let rig = try await Self.offPool { try Rig(cluster: cluster) }
        defer { rig.stop() }
        let run = try await Self.burstWithFault(rig) { _ in try cluster.restart(downtime: .seconds(3)) }
        let (first, sent, restartedAt) = (run.first, run.sent, run.repliesAtFault)
        #expect(run.leader != nil)
        #expect(await Self.allAnswered(rig, sent, seconds: 90), "\(rig.double.sentMessages().count) replies\na:\n\(rig.log("a"))\nb:\n\(rig.log("b"))")
        let lease = try #require(rig.lease())
        #expect(lease.epoch > first, "the lease expired during the restart and was taken again")
        let duplicates = try rig.check(sent, scenario: "restart")
        print("failover (d) PostgreSQL restart: after \(restartedAt) replies, down 3 s, epochs \(first)→\(lease.epoch) (\(lease.holder)), \(duplicates) duplicate(s) of \(Self.burst)")
        #expect(duplicates <= 2 * 2)
    }
}

import BotAPIDouble
import Foundation
import TestSupport
import Testing
@testable import Telegram

#if canImport(Glibc)
import Glibc
#endif

/// One `baohao run` per database: a second one waits for the first, then gives up with a
/// clear error; a killed holder leaves no stale lock.
@Suite(.serialized) struct InstanceLockTests {
    @Test func aSecondHolderIsRefusedWithTheFirstOnesPid() async throws {
        let database = temporaryDatabasePath("lock")
        var first: InstanceLock? = try await InstanceLock.acquire(databasePath: database, waitSeconds: 0)
        await #expect(throws: InstanceLock.Failure.held(path: database + "-lock", holder: getpid(), waitedSeconds: 0)) {
            _ = try await InstanceLock.acquire(databasePath: database, waitSeconds: 0)
        }
        withExtendedLifetime(first) {}
        first = nil
        // A short wait: a process other suites spawn at this moment holds a copy of the
        // descriptor from its fork until its exec closes it (O_CLOEXEC), and with it the lock.
        let second = try await InstanceLock.acquire(databasePath: database, waitSeconds: 2)
        #expect(second.path == database + "-lock")
    }

    @Test func aWaitingInstanceTakesOverWhenTheHolderLetsGo() async throws {
        let database = temporaryDatabasePath("lock")
        let holder = Holder<InstanceLock?>(try await InstanceLock.acquire(databasePath: database, waitSeconds: 0))
        let waitedFor = Holder<Int32?>(nil)
        let release = Task {
            try await Task.sleep(nanoseconds: 300_000_000)
            holder.value = nil
        }
        let lock = try await InstanceLock.acquire(databasePath: database, waitSeconds: 10) { waitedFor.value = $0 }
        try await release.value
        #expect(waitedFor.value == getpid())
        #expect(lock.path == database + "-lock")
    }

    @Test func aSecondBotOnTheSameDatabaseExits75AndAKilledOneLeavesNoLock() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: CrashRestartTests.binary), "no executable at \(CrashRestartTests.binary)")
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let (directory, environment) = try CrashRestartTests.botEnvironment(
            double: double, config: #"{"poll_timeout_seconds": 1, "instance_wait_seconds": 1, "log_level": "info"}"#)

        let first = try Self.spawn(environment, stderr: directory + "/first.log")
        defer { kill(first, SIGKILL) }
        #expect(await double.waitAsync(timeout: 30) { !double.calls("getUpdates").isEmpty }, "the first bot never polled")
        let second = try Self.spawn(environment, stderr: directory + "/second.log")
        let status = Self.waitForExit(second)
        #expect(status == 75)
        let log = (try? String(contentsOfFile: directory + "/second.log", encoding: .utf8)) ?? ""
        #expect(log.contains("process \(first) is serving this database"), "\(log)")
        #expect(log.contains("run.waiting_for_other_instance") && log.contains("holder_pid=\(first)"), "\(log)")
        // The first one never noticed: it still answers.
        double.injectMessage(chatID: 5, text: "你好")
        #expect(await double.waitAsync(timeout: 30) { double.sentMessages(to: 5).count == 1 })

        kill(first, SIGKILL)
        _ = Self.waitForExit(first)
        let third = try Self.spawn(environment, stderr: directory + "/third.log")
        defer { kill(third, SIGKILL) }
        double.injectMessage(chatID: 5, text: "谢谢")
        #expect(await double.waitAsync(timeout: 30) { double.sentMessages(to: 5).count == 2 }, "a bot started after a kill -9 did not serve")
        kill(third, SIGTERM)
        #expect(Self.waitForExit(third) == 0)
        for name in ["first", "second", "third"] { Self.checkLogFile(directory + "/\(name).log", token: double.token) }
    }

    /// A spawned bot's standard error holds no secret and no full phone number.
    static func checkLogFile(_ path: String, token: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let secrets = [token, String(token.split(separator: ":").last ?? "")]
        for problem in LogCheck.problems(in: text.split(separator: "\n").map(String.init), secrets: secrets) {
            Issue.record("\(path): \(problem)", sourceLocation: sourceLocation)
        }
    }

    /// `baohao run` with its standard error written to `stderr`.
    static func spawn(_ environment: [String: String], stderr: String) throws -> pid_t {
        try BaohaoProcess.spawn(["run"], environment: environment, stderr: stderr, appendErrors: true)
    }

    /// The exit status of `pid` (or 128 + the signal that ended it).
    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

/// A value the test's tasks share.
final class Holder<T>: @unchecked Sendable {
    // @unchecked Sendable: guarded by the lock below.
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

import BaohaoApp
import BaohaoCore
import BotAPIDouble
import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the real `baohao run` process takes from its environment and files at start.
@Suite(.serialized) struct RunProcessTests {
    /// A bot whose environment names another day still runs on the system clock: a customer
    /// asking for their balance gets the card of today, where `baohao chat` with the same
    /// environment shows the named day.
    @Test func runIgnoresBaohaoNow() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: CrashRestartTests.binary), "no executable at \(CrashRestartTests.binary)")
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        var (directory, environment) = try CrashRestartTests.botEnvironment(double: double, config: #"{"poll_timeout_seconds": 1}"#)
        environment["BAOHAO_NOW"] = "2001-01-01"
        let database = environment["BAOHAO_DB"]!

        // The demo database made on 2001-01-01 (chat honours BAOHAO_NOW): chat 1000's Ultra
        // line expires on 2001-01-04, three days later.
        let seed = AlertsRunOnceTests.Lines()
        seed.input.withLock { $0 = ["my balance"] }
        var chatEnvironment = environment
        chatEnvironment["BOT_TOKEN"] = nil
        #expect(await BaohaoCLI.main(arguments: ["chat", "--demo", "--db", database], environment: ProcessEnvironment(chatEnvironment), io: seed.io) == 0)
        #expect(seed.text.contains("Expires: 2001-01-04 (3 days left)"), "\(seed.text)")

        let bot = try InstanceLockTests.spawn(environment, stderr: directory + "/run.log")
        defer { kill(bot, SIGKILL) }
        double.injectMessage(chatID: 1000, text: "my balance")
        #expect(await double.waitAsync(timeout: 30) { !double.sentMessages(to: 1000).isEmpty }, "the bot never answered")
        let card = double.sentMessages(to: 1000).first?.text ?? ""
        #expect(card.contains("Expires: 2001-01-04 (expired "), "\(card)")
        #expect(card.contains("Status: recycled"), "\(card)")
        kill(bot, SIGTERM)
        #expect(InstanceLockTests.waitForExit(bot) == 0)
        let log = (try? String(contentsOfFile: directory + "/run.log", encoding: .utf8)) ?? ""
        #expect(log.contains("event=run.baohao_now_ignored") && log.contains("value=2001-01-01"), "\(log)")
        InstanceLockTests.checkLogFile(directory + "/run.log", token: double.token)
    }

    /// `metrics.listen` in bot.json: the real `baohao run` serves `/healthz` and `/metrics` on
    /// that port while it runs, and nothing listens there once SIGTERM has stopped it.
    @Test func runServesHealthAndMetricsOnTheConfiguredPort() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let socket = try Self.listeningSocket()
        let port = socket.port
        close(socket.fd)
        let (directory, environment) = try CrashRestartTests.botEnvironment(double: double, config: #"{"poll_timeout_seconds": 1, "metrics": {"listen": "\#(port)"}}"#)
        let bot = try InstanceLockTests.spawn(environment, stderr: directory + "/run.log")
        defer { kill(bot, SIGKILL) }
        double.injectMessage(chatID: 1000, text: "my balance")
        #expect(await double.waitAsync(timeout: 30) { !double.sentMessages(to: 1000).isEmpty }, "the bot never answered")
        let samples = try await HealthMetricsEndToEndTests.scrape(port) { $0[#"baohao_replies_total{outcome="delivered"}"#] == "1" }
        #expect(samples["baohao_updates_handled_total"] == "1")
        #expect(samples[#"baohao_replies_total{outcome="delivered"}"#] == "1")
        let health = try await HealthMetricsEndToEndTests.health(port, until: 200)
        #expect(health.status == 200 && health.body.contains(#""status": "ok""#), "\(health.body)")
        kill(bot, SIGTERM)
        #expect(await Self.exitStatus(bot) == 0)
        #expect(throws: MonitoringHTTP.Failure.self) { try MonitoringHTTP.request("http://127.0.0.1:\(port)/healthz") }
        let log = (try? String(contentsOfFile: directory + "/run.log", encoding: .utf8)) ?? ""
        #expect(log.contains("event=monitoring.listening address=127.0.0.1:\(port)"), "\(log)")
        InstanceLockTests.checkLogFile(directory + "/run.log", token: double.token)
    }

    /// A port another socket holds stops the bot at start with exit 75 (try again later: systemd
    /// restarts it), naming the address and the key, before any Bot API call.
    @Test func aMetricsPortInUseStopsRunWith75() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let socket = try Self.listeningSocket()
        defer { close(socket.fd) }
        let (directory, environment) = try CrashRestartTests.botEnvironment(
            double: double, config: #"{"poll_timeout_seconds": 1, "metrics": {"listen": "127.0.0.1:\#(socket.port)"}}"#)
        let bot = try InstanceLockTests.spawn(environment, stderr: directory + "/run.log")
        #expect(await Self.exitStatus(bot) == 75)
        let log = (try? String(contentsOfFile: directory + "/run.log", encoding: .utf8)) ?? ""
        #expect(log.contains("cannot serve health and metrics on 127.0.0.1:\(socket.port) (metrics.listen): Address already in use"), "\(log)")
        #expect(double.calls().isEmpty)
    }

    /// SIGTERM while Telegram cannot be reached yet (getMe retried with back-off) stops the
    /// bot at once, with status 0, instead of after a retry that may never succeed.
    @Test func sigtermDuringTheStartRetriesStopsTheBot() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        // Nothing listens on this port: every getMe fails to connect.
        let socket = try Self.listeningSocket()
        close(socket.fd)
        var (directory, environment) = try CrashRestartTests.botEnvironment(double: double, config: #"{"poll_timeout_seconds": 1}"#)
        environment["BAOHAO_API_BASE"] = "http://127.0.0.1:\(socket.port)"
        let bot = try InstanceLockTests.spawn(environment, stderr: directory + "/run.log")
        func log() -> String { (try? String(contentsOfFile: directory + "/run.log", encoding: .utf8)) ?? "" }
        // Two failed attempts: it is waiting in its back-off.
        for _ in 0..<1500 where log().components(separatedBy: "event=bot.start_retry").count < 3 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(log().components(separatedBy: "event=bot.start_retry").count >= 3, "\(log())")
        kill(bot, SIGTERM)
        var status: Int32 = 0, exited = false
        for _ in 0..<1000 where !exited {  // up to 20 s; the back-off alone would never end
            exited = waitpid(bot, &status, WNOHANG) == bot
            if !exited { try await Task.sleep(for: .milliseconds(20)) }
        }
        if !exited {
            kill(bot, SIGKILL)
            _ = InstanceLockTests.waitForExit(bot)
        }
        #expect(exited, "SIGTERM did not stop the start retries\n\(log())")
        #expect(status == 0, "status \(status)\n\(log())")
        #expect(log().contains("event=bot.signal signal=15 during=start"), "\(log())")
    }

    /// `InstanceLockTests.waitForExit` without blocking a thread of Swift's cooperative pool
    /// (2 threads here) while the bot starts: it asks every 20 ms.
    static func exitStatus(_ pid: pid_t) async -> Int32 {
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { return -1 }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// A socket listening on a free loopback port.
    static func listeningSocket() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw MonitoringHTTP.Failure(description: "no free port: \(String(cString: strerror(errno)))") }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A regression set that cannot be read stops the bot at start: exit 78 naming the key and
    /// the file, before it opens the database or calls Telegram.
    @Test func aMissingRegressionSetStopsRunWith78() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let missing = makeTemporaryDirectory("regression") + "/regression.jsonl"
        let (directory, environment) = try CrashRestartTests.botEnvironment(
            double: double, config: #"{"poll_timeout_seconds": 1, "regression_set_file": "\#(missing)"}"#)
        let bot = try InstanceLockTests.spawn(environment, stderr: directory + "/run.log")
        #expect(InstanceLockTests.waitForExit(bot) == 78)
        let log = (try? String(contentsOfFile: directory + "/run.log", encoding: .utf8)) ?? ""
        #expect(log.contains("\(missing): regression_set_file: cannot read the file (No such file or directory)"), "\(log)")
        InstanceLockTests.checkLogFile(directory + "/run.log", token: double.token)
        #expect(double.calls().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: environment["BAOHAO_DB"]!))
    }
}

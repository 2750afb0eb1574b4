import BotAPIDouble
import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A flag another thread sets.
final class Flag: Sendable {
    let value = Atomic<Bool>(false)
}

/// The real `baohao run` process, killed with SIGKILL in the middle of a burst and
/// restarted: no message goes unanswered.
@Suite(.serialized) struct CrashRestartTests {
    /// The `baohao` executable next to this test bundle (SwiftPM builds it with the tests).
    static var binary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle.appendingPathComponent("baohao").path, repositoryRoot + "/.build/debug/baohao"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return repositoryRoot + "/.build/debug/baohao"
    }

    static func spawn(_ environment: [String: String]) throws -> pid_t {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(binary), strdup("run"), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let result = posix_spawn(&pid, binary, nil, nil, argv, envp)
        guard result == 0 else { throw POSIXError(.init(rawValue: result) ?? .EIO) }
        return pid
    }

    @Test func aKilledBotLosesNoMessageAfterARestart() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "no executable at \(Self.binary)")
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let directory = makeTemporaryDirectory()
        try #"{"poll_timeout_seconds": 1, "rate_limits": {"enabled": false}, "log_level": "warning"}"#.write(toFile: directory + "/bot.json", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["BOT_TOKEN"] = double.token
        environment["BAOHAO_API_BASE"] = double.baseURL
        environment["BAOHAO_DB"] = directory + "/bot.sqlite"
        environment["BAOHAO_CONFIG"] = directory + "/bot.json"
        FileManager.default.changeCurrentDirectoryPath(repositoryRoot)

        let texts = ["我的余额", "點樣續費呀", "how do I cancel", "谢谢", "你好", "可以退款吗", "充值失败了", "转人工"]
        var sentByChat: [Int64: Int] = [:]
        for i in 0..<120 {
            let chat = Int64(700 + i % 8)
            double.injectMessage(chatID: chat, text: texts[i % texts.count])
            sentByChat[chat, default: 0] += 1
        }
        // The first 100 sends take 100 ms each, so the kill surely lands in the middle of
        // the burst, however loaded the machine is.
        double.failNext("sendMessage", with: .delay(seconds: 0.1), count: 100)
        let first = try Self.spawn(environment)
        // The kill comes from a thread of its own, the moment ten replies are out: the test's
        // async tasks may be slow to run on a loaded machine; this thread is not.
        let midway = Flag()
        let killer = Thread {
            midway.value.store(double.wait(timeout: 60) { double.sentMessages().count >= 10 }, ordering: .releasing)
            kill(first, SIGKILL)
        }
        killer.start()
        var status: Int32 = 0
        waitpid(first, &status, 0)
        let reachedMidway = midway.value.load(ordering: .acquiring)
        #expect(reachedMidway)
        let answeredBeforeCrash = double.sentMessages().count
        #expect(answeredBeforeCrash < 120, "the burst was over before the kill; the test proves nothing")

        for i in 0..<40 {
            let chat = Int64(700 + i % 8)
            double.injectMessage(chatID: chat, text: texts[(i + 3) % texts.count])
            sentByChat[chat, default: 0] += 1
        }
        let second = try Self.spawn(environment)
        let done = await double.waitAsync(timeout: 90) { double.sentMessages().count >= 160 }
        kill(second, SIGTERM)
        waitpid(second, &status, 0)
        #expect(done, "\(double.sentMessages().count) of 160 answered")
        #expect(status == 0, "exit status \(status) after SIGTERM")
        for (chat, count) in sentByChat {
            #expect(double.sentMessages(to: chat).count >= count, "chat \(chat)")
        }
        // A reply in flight when the process died may go twice; nothing else may.
        #expect(double.sentMessages().count <= 160 + 8)
        #expect(double.pendingUpdateCount == 0)
    }
}

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

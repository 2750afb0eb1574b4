import BaohaoApp
import BaohaoCore
import BotAPIDouble
import Synchronization
import TestSupport
import Testing
@testable import Telegram

/// `baohao alerts run-once` on the demo lines, through the Bot API double.
@Suite(.serialized) struct AlertsRunOnceTests {
    final class Lines: Sendable {
        let out = Mutex<[String]>([])
        let input = Mutex<[String]>([])
        var io: CommandIO {
            CommandIO(
                out: { line in self.out.withLock { $0.append(line) } }, err: { line in self.out.withLock { $0.append(line) } },
                input: { self.input.withLock { $0.isEmpty ? nil : $0.removeFirst() } })
        }
        var text: String { out.withLock { $0.joined(separator: "\n") } }
    }

    /// The demo database (its lines, with the Ultra line expiring on 2026-11-25 bound to chat
    /// 1000) and the environment that points `baohao` at it and at `double`.
    static func demoDatabase(_ name: String, double: BotAPIDouble) async -> (database: String, environment: [String: String]) {
        let database = temporaryDatabasePath(name)
        var environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_NOW": "2026-11-22"]
        let seed = Lines()
        seed.input.withLock { $0 = ["你好"] }
        #expect(await BaohaoCLI.main(arguments: ["chat", "--demo", "--db", database], environment: ProcessEnvironment(environment), io: seed.io) == 0)
        environment["BOT_TOKEN"] = double.token
        environment["BAOHAO_API_BASE"] = double.baseURL
        return (database, environment)
    }

    @Test func dueRemindersAreSentExactlyOnce() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let (database, environment) = await Self.demoDatabase("alerts-run-once", double: double)
        let preview = Lines()
        #expect(await BaohaoCLI.main(arguments: ["alerts", "preview", "--now", "2026-11-22T15:00:00Z", "--db", database], environment: ProcessEnvironment(environment), io: preview.io) == 0)
        #expect(preview.text.contains("chat 1000  +13105550117  expiring (lead 3)"))
        #expect(preview.text.contains("1 alert would be sent"))

        let first = Lines()
        #expect(await BaohaoCLI.main(arguments: ["alerts", "run-once", "--now", "2026-11-22T15:00:00Z", "--db", database], environment: ProcessEnvironment(environment), io: first.io) == 0)
        #expect(first.text.contains("delivered 1"), "\(first.text)")
        let sent = double.sentMessages(to: 1000)
        #expect(sent.count == 1)
        #expect(sent.first?.text.contains("2026-11-25") == true)
        #expect(sent.first?.callbackData.contains("rn:+13105550117") == true)

        let second = Lines()
        #expect(await BaohaoCLI.main(arguments: ["alerts", "run-once", "--now", "2026-11-22T15:30:00Z", "--db", database], environment: ProcessEnvironment(environment), io: second.io) == 0)
        #expect(second.text.contains("queued 0"))
        #expect(double.sentMessages(to: 1000).count == 1)
    }

    @Test func whileABotServesTheDatabaseRunOnceOnlyQueues() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let (database, environment) = await Self.demoDatabase("alerts-run-once-locked", double: double)
        // A bot serves this database (it holds the lock); run-once must not send beside it.
        let bot = try await InstanceLock.acquire(databasePath: database, waitSeconds: 0)
        let run = Lines()
        #expect(await BaohaoCLI.main(arguments: ["alerts", "run-once", "--now", "2026-11-22T15:00:00Z", "--db", database], environment: ProcessEnvironment(environment), io: run.io) == 0)
        #expect(run.text.contains("queued 1"), "\(run.text)")
        #expect(run.text.contains("serves this database: it delivers them"), "\(run.text)")
        #expect(double.sentMessages().isEmpty)
        withExtendedLifetime(bot) {}
    }
}

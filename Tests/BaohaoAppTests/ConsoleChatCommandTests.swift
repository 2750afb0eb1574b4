import Storage
import Synchronization
import Testing
import TestSupport
@testable import BaohaoApp
@testable import BaohaoCore

/// `baohao chat --demo` with piped input: the issue's own three messages.
@Suite struct ConsoleChatCommandTests {
    @Test func theDemoChatAnswersFromTheDemoLineAndTheCatalogue() async throws {
        let database = temporaryDatabasePath("chat-demo")
        let input = Mutex(["我的余额", "點樣續費呀", "how do I cancel"])
        let captured = CapturedIO()
        let io = CommandIO(out: captured.io.out, err: captured.io.err, input: { input.withLock { $0.isEmpty ? nil : $0.removeFirst() } })
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_NOW": "2026-11-22"]
        let code = await BaohaoCLI.main(arguments: ["chat", "--demo", "--db", database], environment: ProcessEnvironment(environment), io: io)
        #expect(code == 0, "\(captured.err)")
        #expect(captured.err.contains("demo database ready: 21 lines"))
        let out = captured.out
        // 我的余额: the bound Ultra line's card, in simplified Chinese.
        #expect(out.contains("+1 ••• 0117 · Ultra Mobile"))
        #expect(out.contains("余额：US$4.50"))
        #expect(out.contains("到期日：2026-11-25"))
        // 點樣續費呀: channels, methods and priced options, in traditional Chinese.
        #expect(out.contains("續費"))
        #expect(out.contains("30 日 · US$3.00 → 2026-12-25"))
        #expect(out.contains("PayPal"))
        // how do I cancel: Ultra's refund rule and the confirm buttons, in English.
        #expect(out.contains("Before you cancel +1 ••• 0117 (Ultra Mobile)"))
        #expect(out.contains("Unused plan time and account balance are not refunded"))
        #expect(out.contains("[1] Yes, cancel it"))
    }

    /// `command` in process with `environment`, one piped message per entry of `input`.
    static func run(_ command: [String], _ environment: [String: String], input lines: [String] = []) async -> (code: Int32, out: String, err: String) {
        let input = Mutex(lines)
        let captured = CapturedIO()
        let io = CommandIO(out: captured.io.out, err: captured.io.err, input: { input.withLock { $0.isEmpty ? nil : $0.removeFirst() } })
        let code = await BaohaoCLI.main(arguments: command, environment: ProcessEnvironment(environment), io: io)
        return (code, captured.out, captured.err)
    }

    /// `BAOHAO_NOW` moves the commands the README names (`chat`, `lines`), and not `baohao
    /// run`: without a token, run's console chat on the same database answers on the system clock.
    @Test func baohaoNowMovesChatAndLinesButNotTheConsoleChatOfRun() async throws {
        let database = temporaryDatabasePath("baohao-now")
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_NOW": "2001-01-01"]
        // The demo lines are dated around 2001-01-01: the bound Ultra line expires in 3 days.
        let chat = await Self.run(["chat", "--demo", "--db", database], environment, input: ["my balance"])
        #expect(chat.code == 0, "\(chat.err)")
        #expect(chat.out.contains("Expires: 2001-01-04 (3 days left)"), "\(chat.out)")
        #expect(chat.out.contains("Status: expiring soon"))
        let show = await Self.run(["lines", "show", "+13105550117", "--db", database], environment)
        #expect(show.code == 0, "\(show.err)")
        #expect(show.out.contains("expires on  2001-01-04 (America/New_York), 3 days left"), "\(show.out)")
        #expect(show.out.contains("status      expiring_soon"))

        // baohao run, same environment, no token: the same question, answered today.
        let run = await Self.run(["run", "--db", database], environment, input: ["my balance"])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.err.contains("reusing the demo database"))
        #expect(run.err.contains("BAOHAO_NOW is ignored"))
        #expect(run.out.contains("Expires: 2001-01-04 (expired "), "\(run.out)")
        #expect(run.out.contains("Status: recycled"))
        #expect(!run.out.contains("Status: expiring soon"))

        // A malformed BAOHAO_NOW stops the commands that read it, and only them.
        let bad = ["BAOHAO_CONFIG": environment["BAOHAO_CONFIG"]!, "BAOHAO_NOW": "yesterday"]
        let badLines = await Self.run(["lines", "list", "--db", database], bad)
        #expect(badLines.code == 78)
        #expect(badLines.err.contains("BAOHAO_NOW 'yesterday' is neither YYYY-MM-DD nor YYYY-MM-DDTHH:MM:SSZ"))
        let runAnyway = await Self.run(["run", "--db", database], bad, input: ["my balance"])
        #expect(runAnyway.code == 0, "\(runAnyway.err)")
        #expect(runAnyway.out.contains("Status: recycled"))
    }

    /// On PostgreSQL the lease is kept per bot id, taken from the token: an id too long for one
    /// is refused before anything runs (two instances would otherwise both poll and send).
    @Test(.requiresPostgres) func runOnPostgreSQLRefusesABotIDThatCannotNameALease() async throws {
        let url = try PostgresCluster.shared().makeDatabase()
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BOT_TOKEN": "12345678901234567890123:secret-part", "BAOHAO_DB": url]
        let run = await Self.run(["run"], environment)
        #expect(run.code == 78, "\(run.err)")
        #expect(run.err.contains("on PostgreSQL the bot's id before the colon must be a number of at most 19 digits"), "\(run.err)")
        #expect(!run.err.contains("secret-part"))
        // Nothing was opened: the database is as empty as it was made.
        let tables = try PGConnection(url).queryFirst("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") { $0.int(0) }
        #expect(tables == 0)
    }
}

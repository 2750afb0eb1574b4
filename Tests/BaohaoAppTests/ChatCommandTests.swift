import Synchronization
import Testing
import TestSupport
@testable import BaohaoApp
@testable import BaohaoCore

/// `baohao chat --demo` with piped input: the issue's own three messages.
@Suite struct ChatCommandTests {
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
}

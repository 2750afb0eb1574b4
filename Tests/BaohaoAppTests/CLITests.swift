import Foundation
import Synchronization
import Testing
import TestSupport
@testable import BaohaoApp
@testable import BaohaoCore

/// Captures what a command prints.
final class CapturedIO: Sendable {
    private let outLines = Mutex<[String]>([])
    private let errLines = Mutex<[String]>([])
    var out: String { outLines.withLock { $0.joined(separator: "\n") } }
    var err: String { errLines.withLock { $0.joined(separator: "\n") } }
    var io: CommandIO {
        CommandIO(out: { text in self.outLines.withLock { $0.append(text) } }, err: { text in self.errLines.withLock { $0.append(text) } })
    }
}

@Suite struct CLITests {
    private func run(_ args: [String], env: [String: String] = [:]) async -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        var environment = env
        environment["BAOHAO_CONFIG"] = environment["BAOHAO_CONFIG"] ?? writeTemporaryFile("{}")
        let code = await BaohaoCLI.main(arguments: args, environment: ProcessEnvironment(environment), io: captured.io)
        return (code, captured)
    }

    @Test func helpListsEverySubcommandWithOneLine() async {
        let (code, io) = await run(["--help"])
        #expect(code == 0)
        for command in CommandTree.root.subcommands {
            #expect(io.out.contains("  \(command.name)"), "\(command.name) missing from --help")
        }
        #expect(io.err.isEmpty)
    }

    @Test func everySubcommandHasHelp() async {
        func visit(_ command: CommandSpec, _ path: [String]) -> [[String]] {
            (path.isEmpty ? [] : [path]) + command.subcommands.flatMap { visit($0, path + [$0.name]) }
        }
        for path in visit(CommandTree.root, []) {
            let (code, io) = await run(path + ["--help"])
            #expect(code == 0)
            #expect(io.out.hasPrefix("USAGE: baohao \(path.joined(separator: " "))"))
        }
    }

    @Test func unknownCommandsAndFlagsExit64WithUsageOnStderr() async {
        let (code, io) = await run(["frobnicate"])
        #expect(code == 64)
        #expect(io.err.contains("unknown command 'frobnicate'"))
        #expect(io.err.contains("USAGE: baohao"))
        #expect(io.out.isEmpty)
        let (flagCode, flagIO) = await run(["check-config", "--verbose"])
        #expect(flagCode == 64)
        #expect(flagIO.err.contains("unknown option '--verbose'"))
    }

    @Test func checkConfigRedactsTheToken() async {
        let (code, io) = await run(["check-config"], env: ["BOT_TOKEN": "123:secret"])
        #expect(code == 0)
        #expect(!io.out.contains("secret"))
        #expect(!io.err.contains("secret"))
        #expect(io.out.contains("[REDACTED] (bot id 123)"))
        #expect(io.out.contains("configuration is valid"))
    }

    @Test func checkConfigFailsWith78NamingFileKeyAndReason() async {
        let path = writeTemporaryFile(#"{"poll_timeout_seconds": 500}"#)
        let (code, io) = await run(["check-config"], env: ["BAOHAO_CONFIG": path])
        #expect(code == 78)
        #expect(io.err.contains("\(path): poll_timeout_seconds: 500 is out of range 1...50"))
    }

    @Test func checkConfigReadsTheRegressionSetWhole() async {
        let (code, io) = await run(["check-config"])
        #expect(code == 0, "\(io.err)")
        #expect(io.out.contains("regression_set_file                = Intents/regression.jsonl"))
        #expect(io.out.contains("questions in Intents/regression.jsonl"))
        let bad = writeTemporaryFile(#"{"text": "我的余额", "intent": "check_balance"}"# + "\n" + #"{"text": "x", "intent": "nope"}"#, name: "regression.jsonl")
        let (badCode, badIO) = await run(["check-config"], env: ["BAOHAO_CONFIG": writeTemporaryFile(#"{"regression_set_file": "\#(bad)"}"#)])
        #expect(badCode == 78)
        #expect(badIO.err.contains("\(bad): regression_set_file: line 2: 'nope' is not a label"), "\(badIO.err)")
        #expect(!badIO.out.contains("configuration is valid"))
    }

    @Test func checkConfigPrintsTheMetricsEndpoint() async {
        let (code, io) = await run(["check-config"])
        #expect(code == 0)
        #expect(io.out.contains("metrics.listen                     = off\n"), "\(io.out)")
        #expect(io.out.contains("metrics.allow_remote               = false"))
        let (setCode, setIO) = await run(["check-config"], env: ["BAOHAO_CONFIG": writeTemporaryFile(#"{"metrics": {"listen": "9464"}}"#)])
        #expect(setCode == 0)
        #expect(setIO.out.contains("metrics.listen                     = 127.0.0.1:9464 (GET /healthz and /metrics; loopback only)"), "\(setIO.out)")
        let (remoteCode, remoteIO) = await run(["check-config"], env: ["BAOHAO_CONFIG": writeTemporaryFile(#"{"metrics": {"listen": "0.0.0.0:9464", "allow_remote": true}}"#)])
        #expect(remoteCode == 0)
        #expect(remoteIO.out.contains("metrics.listen                     = 0.0.0.0:9464 (GET /healthz and /metrics; reachable from other machines)"))
        #expect(remoteIO.out.contains("metrics.allow_remote               = true"))
        let path = writeTemporaryFile(#"{"metrics": {"listen": "0.0.0.0:9464"}}"#)
        let (refusedCode, refusedIO) = await run(["check-config"], env: ["BAOHAO_CONFIG": path])
        #expect(refusedCode == 78)
        #expect(refusedIO.err.contains("\(path): metrics.listen: '0.0.0.0:9464' is not a loopback address"), "\(refusedIO.err)")
    }

    @Test func globalDbFlagReachesTheConfiguration() async {
        let (code, io) = await run(["check-config", "--db", "/tmp/elsewhere.sqlite"])
        #expect(code == 0)
        #expect(io.out.contains("database_path                      = /tmp/elsewhere.sqlite"))
    }

    @Test func migrateCreatesTheSchemaOnce() async {
        let db = writeTemporaryFile("", name: "unused").replacingOccurrences(of: "unused", with: "bot.sqlite")
        let (first, io1) = await run(["migrate", "--db", db])
        #expect(first == 0)
        #expect(io1.out.contains("applied 1"))
        let (second, io2) = await run(["migrate", "--db", db])
        #expect(second == 0)
        #expect(io2.out.contains("already up to date"))
    }
}

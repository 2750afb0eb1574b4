import BaohaoCore
import Storage

#if canImport(Glibc)
import Glibc
import BaohaoSupport
#endif

/// `baohao chat`: the assistant in the terminal, on the configured or the demo database.
enum ConsoleChatCommand {
    static let demoDatabasePath = "baohao-demo.sqlite"

    /// `runFallback`: the console chat of `baohao run` without a token: the demo database, and
    /// the system clock (`BAOHAO_NOW` moves `baohao chat`, never `baohao run`).
    static func run(_ context: CommandContext, runFallback: Bool = false) async throws -> Int32 {
        let config = try context.configuration()
        let demo = runFallback || context.command.flag("--demo")
        let user: Int64
        if let text = context.command.value("--user") {
            guard let id = Int64(text), id > 0 else { throw CommandFailure(exitCode: ExitCode.usage, message: "--user '\(text)' is not a positive user id") }
            user = id
        } else {
            user = 1000
        }
        let catalogue = try context.loadCatalogue(config)
        try RegressionGate.checkRegressionSetFile(path: config.regressionSetFile)
        let clock = runFallback ? SystemWallClock() : try context.linesAndChatClock()
        let path = demo ? (context.command.value("--db") ?? context.environment["BAOHAO_DB"] ?? demoDatabasePath) : config.databasePath
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        if demo {
            let service = SQLiteLineService(database: database, catalogue: catalogue, clock: clock)
            let directory = config.carriersFile.split(separator: "/").dropLast().joined(separator: "/")
            let status = try await DemoDatabase.prepare(
                service, demoFile: (directory.isEmpty ? "." : directory) + "/demo-lines.csv", user: user, now: clock.now())
            context.io.err("\(status) (\(path))")
        }
        let knowledge = try await context.loadKnowledge(config, database: database, clock: clock)
        var settings = AssistantSettings(configuration: config)
        if demo, settings.operatorChatID == nil { settings.operatorChatID = -1 }
        let assistant = Assistant(knowledge: knowledge, catalogue: catalogue, settings: settings, clock: clock)
        var chat = ConsoleChat(
            assistant: assistant, database: database, user: user, languageHint: context.command.value("--lang"), io: context.io,
            interactive: isatty(0) != 0, clock: clock)
        try await chat.run(readLine: context.io.input)
        return ExitCode.success
    }
}

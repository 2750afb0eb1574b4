public import BaohaoCore
import BaohaoSupport

/// The `baohao` command: parses the command line, runs the command and turns every error
/// into a clear message and a sysexits exit code.
public enum BaohaoCLI {
    /// The version `--version` prints.
    public static let version = "0.1.0"

    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    /// `installationDirectory` is where the files the bot ships with are looked for when they
    /// are not found from the current directory (see `ConfigurationLoader`); by default the
    /// directory above the running executable's.
    public static func main(
        arguments: [String], environment: ProcessEnvironment = .current, io: CommandIO = .standard,
        installationDirectory: String? = Installation.directory
    ) async -> Int32 {
        let outcome: ParseOutcome
        do {
            outcome = try CommandTree.parser.parse(arguments)
        } catch {
            io.err(error.description)
            return ExitCode.usage
        }
        switch outcome {
        case .help(let text):
            io.out(text)
            return ExitCode.success
        case .version:
            io.out("baohao \(version)")
            return ExitCode.success
        case .run(let command):
            let context = CommandContext(command: command, environment: environment, io: io, installationDirectory: installationDirectory)
            do {
                return try await dispatch(context)
            } catch let error as ConfigurationError {
                io.err("baohao: \(error)")
                return ExitCode.config
            } catch let error as CommandFailure {
                io.err("baohao: \(error.message)")
                return error.exitCode
            } catch {
                io.err("baohao: \(error)")
                return ExitCode.failure
            }
        }
    }

    static func dispatch(_ context: CommandContext) async throws -> Int32 {
        switch context.command.path {
        case ["run"]: return try await RunCommand.run(context)
        case ["check-config"]: return try CheckConfigCommand.run(context)
        case ["classify"]: return try ClassifyCommand.run(context)
        case ["eval"]:
            let path = context.command.arguments[0]
            return EvalContextCommand.isContextSet(path) ? try await EvalContextCommand.run(context, path: path) : try EvalCommand.run(context)
        case ["migrate"]: return try await MigrateCommand.run(context)
        case ["backup"]: return try await BackupCommand.run(context)
        case ["restore"]: return try await RestoreCommand.run(context)
        case ["chat"]: return try await ConsoleChatCommand.run(context)
        case ["outbox", "status"]: return try await OutboxCommand.run(context)
        case ["outbox", "retry"]: return try await OutboxCommand.retry(context)
        case ["orders", "list"]: return try await OrdersCommands.list(context)
        case ["orders", "show"]: return try await OrdersCommands.show(context)
        case ["payments", "refund"]: return try await OrdersCommands.refund(context)
        case let path where path.first == "alerts": return try await AlertsCommands.run(context)
        case let path where path.first == "lines": return try await LinesCommands.run(context)
        case let path where path.first == "faq": return try await FAQCommands.run(context)
        default:
            throw CommandFailure(exitCode: ExitCode.software, message: "no handler for '\(context.command.path.joined(separator: " "))'")
        }
    }
}

/// What a command handler receives.
struct CommandContext: Sendable {
    let command: ParsedCommand
    let environment: ProcessEnvironment
    let io: CommandIO
    /// Where the files the bot ships with are looked for after the current directory.
    var installationDirectory: String? = nil

    /// The effective configuration, with `--config` and `--db` applied.
    func configuration() throws(ConfigurationError) -> BotConfiguration {
        try ConfigurationLoader(environment: environment, installationDirectory: installationDirectory)
            .load(configPath: command.value("--config"), databasePath: command.value("--db"))
    }

    /// A logger at the configured level whose redactor knows the token.
    func logger(for configuration: BotConfiguration) -> Logger {
        Logger(level: configuration.logLevel, redactor: Redactor(secrets: (configuration.token.map { [$0.secret] } ?? []) + (configuration.payments.providerToken.map { [$0.secret] } ?? [])))
    }
}

/// A command could not do its work; `message` says why.
struct CommandFailure: Error {
    let exitCode: Int32
    let message: String
}

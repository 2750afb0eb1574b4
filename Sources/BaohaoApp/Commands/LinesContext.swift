import BaohaoCore
import Storage

#if canImport(Glibc)
import Glibc
#endif
import BaohaoSupport

/// What the `lines` commands share: the database, the catalogue, the clock and who acts.
struct LinesContext {
    let service: SQLiteLineService
    let configuration: BotConfiguration
    let actor: LineActor

    static func open(_ context: CommandContext) async throws -> LinesContext {
        let config = try context.configuration()
        let catalogue: CarrierCatalogue
        do { catalogue = try CarrierCatalogueLoader.load(path: config.carriersFile) } catch {
            throw CommandFailure(exitCode: ExitCode.config, message: error.description)
        }
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        let clock = try context.linesAndChatClock()
        let user = context.environment["USER"] ?? "cli"
        return LinesContext(service: SQLiteLineService(database: database, catalogue: catalogue, clock: clock), configuration: config, actor: .operator("cli:\(user)"))
    }

    /// The line `text` names: E.164, or a national number of any region with a line here.
    func number(_ text: String) async throws -> PhoneNumber {
        if let number = try? PhoneNumber.parse(text, region: nil) { return number }
        var firstError: PhoneNumber.ParseError?
        for region in ["US", "HK", "UK"] {
            do {
                let candidate = try PhoneNumber.parse(text, region: region)
                if (try? await service.line(candidate, visibleTo: actor)) != nil { return candidate }
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError, (try? PhoneNumber.parse(text, region: "US")) == nil, (try? PhoneNumber.parse(text, region: "HK")) == nil,
            (try? PhoneNumber.parse(text, region: "UK")) == nil
        {
            throw CommandFailure(exitCode: ExitCode.usage, message: firstError.description)
        }
        throw CommandFailure(exitCode: ExitCode.dataError, message: "no line \(text) (write it with + and the country code)")
    }
}

extension CommandContext {
    /// The clock of the commands `BAOHAO_NOW` may move: `lines` and `chat` (for
    /// demonstrations and tests), and only those. Every other command uses the system clock:
    /// `baohao run` above all, since a bot whose environment names another day would freeze
    /// binding-code expiry, lockouts, confirmations and alerts; `alerts` take `--now`.
    func linesAndChatClock() throws -> any WallClock {
        guard let text = environment["BAOHAO_NOW"] else { return SystemWallClock() }
        guard let instant = Instant(commandLine: text) else {
            throw CommandFailure(exitCode: ExitCode.config, message: "BAOHAO_NOW '\(text)' is neither YYYY-MM-DD nor YYYY-MM-DDTHH:MM:SSZ")
        }
        return ManualWallClock(instant)
    }

    /// True when standard error is a terminal (progress is shown only there).
    var standardErrorIsTerminal: Bool { isatty(2) != 0 }
}

extension Instant {
    /// An instant as `BAOHAO_NOW` and `--now` give it: `2026-11-22T09:00:00Z`, with or without
    /// milliseconds, or a date (its noon, UTC).
    init?(commandLine text: String) {
        if let instant = Instant(iso: text) {
            self = instant
        } else if let date = CivilDate(iso: text) {
            self = Instant(secondsSinceEpoch: date.daysSinceEpoch * 86_400 + 12 * 3600)
        } else if text.count == 20, text.hasSuffix("Z"), let instant = Instant(iso: String(text.dropLast()) + ".000Z") {
            self = instant
        } else {
            return nil
        }
    }
}

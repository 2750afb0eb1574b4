import BaohaoCore
import Storage
import Telegram
import BaohaoSupport

/// `baohao alerts preview` and `baohao alerts run-once`.
enum AlertsCommands {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let config = try context.configuration()
        let catalogue = try context.loadCatalogue(config)
        let replies: ReplyBook
        do { replies = try ReplyBook.load(path: config.intentsDirectory + "/replies.json") } catch {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "reply templates: \(error)")
        }
        let now = try instant(context)
        let scheduler = AlertScheduler(catalogue: catalogue, replies: replies, settings: AssistantSettings(configuration: config))
        let database = try await Database.open(path: config.databasePath, migrations: BaohaoSchema.migrations)
        switch context.command.path {
        case ["alerts", "preview"]:
            let days = try context.command.value("--days").map { text -> Int in
                guard let n = Int(text), (1...60).contains(n) else { throw CommandFailure(exitCode: ExitCode.usage, message: "--days '\(text)' is not 1 to 60") }
                return n
            } ?? 1
            var total = 0
            var seen: Set<String> = []  // an alert of day 1 is not due again on day 2
            for day in 0..<days {
                let at = now.adding(seconds: Int64(day) * 86_400)
                let planned = try await database.read { db in try scheduler.plan(db, now: at) }
                    .filter { seen.insert("\($0.lineID)|\($0.chatID)|\($0.alert.kind)|\($0.alert.leadDays)|\($0.alert.date)").inserted }
                for p in planned {
                    context.io.out(
                        "\(p.deliverAt)  chat \(p.chatID)  \(p.number.e164)  \(p.alert.kind.rawValue) (lead \(p.alert.leadDays))  \(HTML.plainText(p.message.html).split(separator: "\n").first ?? "")")
                }
                total += planned.count
            }
            context.io.out("\(total) alert\(total == 1 ? "" : "s") would be sent (nothing was queued)")
            return ExitCode.success
        case ["alerts", "run-once"]:
            let queued = try await database.write { db in try scheduler.tick(db, now: now) }
            context.io.out("queued \(queued) message\(queued == 1 ? "" : "s") (alerts, and the operators' digest when it is due)")
            guard let token = config.token else {
                context.io.out("no BOT_TOKEN: the alerts wait in the outbox for `baohao run`")
                return ExitCode.success
            }
            let deadline = try context.command.value("--deadline").map { text -> Double in
                guard let s = Double(text), s > 0 else { throw CommandFailure(exitCode: ExitCode.usage, message: "--deadline '\(text)' is not a number of seconds") }
                return s
            } ?? 60
            // Delivering is the job of the one process serving the database: a second sender
            // would send the same items again.
            let lock: InstanceLock
            do {
                lock = try await InstanceLock.acquire(databasePath: config.databasePath, waitSeconds: 0)
            } catch .held(_, let holder, _) {
                context.io.out("`baohao run` (process \(holder.map(String.init) ?? "unknown")) serves this database: it delivers them")
                return ExitCode.success
            } catch {
                throw CommandFailure(exitCode: ExitCode.busy, message: error.description)
            }
            defer { withExtendedLifetime(lock) {} }
            let clients = (0..<max(1, config.telegram.senderClients)).map { BotAPI(baseURL: config.apiBaseURL, token: token.secret, client: HTTPClient(label: "alerts\($0)")) }
            let limits = SendScheduler.Limits(configuration: config)
            let sender = OutboxSender(
                database: database, clients: clients, limits: limits, lifetime: DeliveryLifetime(configuration: config),
                clock: context.command.value("--now") == nil ? SystemWallClock() : ShiftedWallClock(startingAt: try Self.instant(context)),
                logger: context.logger(for: config))
            await sender.drain(seconds: deadline)
            let counts = try await database.read { db in try Outbox.counts(db) }
            context.io.out("delivered \(await sender.delivered); outbox: pending \(counts["pending"] ?? 0), dead-lettered \(counts["dead"] ?? 0)")
            return ExitCode.success
        default:
            throw CommandFailure(exitCode: ExitCode.software, message: "no handler")
        }
    }

    /// `--now`, else the system clock (`BAOHAO_NOW` does not move the alerts: `run-once` is
    /// the production cron job).
    static func instant(_ context: CommandContext) throws -> Instant {
        guard let text = context.command.value("--now") else { return SystemWallClock().now() }
        guard let instant = Instant(commandLine: text) else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "--now '\(text)' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
        }
        return instant
    }
}

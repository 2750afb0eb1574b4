import BaohaoCore
import CSystem
import Monitoring
import Storage
import Telegram
import BaohaoSupport

/// `baohao run`: serves Telegram with a token, otherwise the console chat on a demo database.
/// Both run on the system clock: `BAOHAO_NOW` is ignored here.
enum RunCommand {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let config = try context.configuration()
        let logger = context.logger(for: config)
        let pretendedNow = context.environment["BAOHAO_NOW"]
        guard let token = config.token else {
            context.io.err("No BOT_TOKEN: the console chat on the demo database (baohao chat --demo).")
            if let pretendedNow { context.io.err("BAOHAO_NOW is ignored by baohao run (\(pretendedNow)): the system clock runs it; baohao chat --demo honours it.") }
            if let listen = config.metrics.listen { context.io.err("metrics.listen (\(listen)) is ignored in the console chat: /healthz and /metrics are served with a token.") }
            return try await ConsoleChatCommand.run(context, runFallback: true)
        }
        // On PostgreSQL the leader lease is kept per bot id: without one, two instances would
        // both poll and send. Refused before anything is opened.
        let leaseBotID = config.database.engine == .postgres ? Int64(token.botID) : nil
        if config.database.engine == .postgres, leaseBotID == nil {
            throw CommandFailure(
                exitCode: ExitCode.config,
                message: "BOT_TOKEN: on PostgreSQL the bot's id before the colon must be a number of at most 19 digits (it names the leader lease)")
        }
        if let pretendedNow { logger.warning("run.baohao_now_ignored", ["value": .string(pretendedNow), "clock": .string("system")]) }
        // The regression set is read at the first FAQ change; that it can be is checked now.
        try RegressionGate.checkRegressionSetFile(path: config.regressionSetFile)
        // One bot per database: a second would send the same outbox items again.
        let lock: InstanceLock?
        do {
            // A SQLite file is locked beside it; on PostgreSQL the leader lease decides.
            lock = config.database.localFile == nil ? nil : try await InstanceLock.acquire(
                databasePath: config.databasePath, waitSeconds: Double(config.instanceWaitSeconds)
            ) { holder in
                logger.warning("run.waiting_for_other_instance", [
                    "holder_pid": holder.map { .int(Int64($0)) } ?? .string("unknown"), "wait_seconds": .int(Int64(config.instanceWaitSeconds)),
                ])
            }
        } catch {
            throw CommandFailure(exitCode: ExitCode.busy, message: error.description)
        }
        defer { withExtendedLifetime(lock) {} }
        let catalogue = try context.loadCatalogue(config)
        let clock = SystemWallClock()
        // On PostgreSQL a transaction left idle (this process paused, or cut off) is ended by
        // the server within one lease TTL, so its locks never outlive the lease.
        let database = try await Database.open(
            location: config.database, migrations: BaohaoSchema.migrations,
            postgresSessionSetup: "SET idle_in_transaction_session_timeout = '\(config.leaseTTLSeconds)s'")
        let knowledge = try await context.loadKnowledge(config, database: database, clock: clock)
        let assistant = Assistant(knowledge: knowledge, catalogue: catalogue, settings: AssistantSettings(configuration: config), clock: clock)
        logger.info("run.telegram", ["api_base": .string(config.apiBaseURL), "bot_id": .string(token.botID), "database": .string(config.database.description)])
        let alerts = AlertScheduler(catalogue: catalogue, replies: knowledge.replies, settings: AssistantSettings(configuration: config))
        // Loading the knowledge and training the label model leave megabytes free but resident.
        csystem_release_free_memory()
        // And the code and read-only data only start-up read (clean file pages).
        let released = StartupPages.release()
        logger.debug("run.startup_pages_released", ["kb": .int(Int64(released))])
        do {
            if let botID = leaseBotID {
                // Several instances may serve one PostgreSQL database: the lease holder leads.
                let ttl = Duration.seconds(config.leaseTTLSeconds)
                let store = PGLeaseStore(botID: botID, holder: LeaderElection.holderName, ttl: ttl)
                let fence = LeaseFence(botID: botID)
                let election = LeaderElection(
                    store: store, database: try await Database.open(location: config.database, migrations: BaohaoSchema.migrations), fence: fence,
                    configuration: LeaderLease.Configuration(ttl: ttl), logger: logger)
                // `/healthz` and `/metrics` are served across terms: a standby answers too.
                let monitoring = config.metrics.listen == nil ? nil : LeaseMonitoring(holder: store.holder)
                let elect = {
                    logger.info("lease.standby", ["holder": .string(store.holder), "ttl_seconds": .int(Int64(config.leaseTTLSeconds))])
                    try await election.run(shutdown: ShutdownSignals.stream()) { signals in
                        // A new bot for each term: its sender and poll state start from the database.
                        let bot = TelegramBot(
                            baseURL: config.apiBaseURL, token: token.secret, database: database, assistant: assistant,
                            settings: TelegramBot.Settings(configuration: config), alerts: alerts, fence: BatchFence(fence: fence, store: store),
                            monitoring: monitoring, logger: logger)
                        try await bot.run(shutdown: signals)
                    }
                }
                if let monitoring, let address = TelegramBot.Settings(configuration: config).metricsListen {
                    let server = MonitoringServer(address: address, routes: monitoring.routes)
                    do {
                        try await server.serve { port in
                            logger.info("monitoring.listening", ["address": .string(address.withPort(port).description), "paths": "/healthz /metrics"])
                            try await elect()
                        }
                    } catch let error as MonitoringServer.StartError {
                        throw CommandFailure(exitCode: error.isAddressInUse ? ExitCode.busy : ExitCode.config, message: error.description)
                    }
                } else {
                    try await elect()
                }
            } else {
                let bot = TelegramBot(
                    baseURL: config.apiBaseURL, token: token.secret, database: database, assistant: assistant,
                    settings: TelegramBot.Settings(configuration: config), alerts: alerts, logger: logger)
                try await bot.run(shutdown: ShutdownSignals.stream())
            }
        } catch let error as TelegramBot.StartError {
            // A port another process holds may be free again soon (exit 75, restarted); any other
            // failure is the configuration's (78, not restarted into the same error).
            if case .monitoring(_, addressInUse: true) = error { throw CommandFailure(exitCode: ExitCode.busy, message: error.description) }
            throw CommandFailure(exitCode: ExitCode.config, message: error.description)
        }
        return ExitCode.success
    }
}

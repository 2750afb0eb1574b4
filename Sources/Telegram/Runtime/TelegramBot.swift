import BaohaoCore
import Understanding
import Storage

#if canImport(Glibc)
import Glibc
#endif
import BaohaoSupport

/// The bot on Telegram: checks the token, polls, hands updates to the assistant, delivers
/// the outbox, and shuts down cleanly.
public final class TelegramBot: Sendable {
    public struct Settings: Sendable {
        public var pollTimeoutSeconds = 50
        public var limits = SendScheduler.Limits()
        /// Bot API clients for sending (each its own connection and thread).
        public var senderClients = 2
        /// On shutdown, how long pending replies may still be sent.
        public var drainSeconds = 10.0
        /// A poll running this long past its own timeout is abandoned and restarted.
        public var watchdogMarginSeconds = 30.0
        public var maximumBackoffSeconds = 60.0
        /// How often due reminders are looked for.
        public var alertCheckIntervalSeconds = 60.0
        /// How often the database is checked for FAQ changes made elsewhere (the command line).
        public var faqCheckIntervalSeconds = 2.0

        public init() {}
    }

    /// The bot could not start.
    public enum StartError: Error, Sendable, CustomStringConvertible {
        case unauthorized
        case notFound
        public var description: String {
            switch self {
            case .unauthorized: "the bot token was refused (401 Unauthorized): check BOT_TOKEN"
            case .notFound: "the Bot API answered 404 Not Found: the token is malformed or api_base_url is wrong"
            }
        }
    }

    let pollAPI: BotAPI
    let setupAPI: BotAPI
    public let sender: OutboxSender
    let handler: UpdateHandler
    let replies: ReplyBook
    let settings: Settings
    let logger: Logger
    let database: Database
    let alerts: AlertScheduler?
    let clock: any WallClock

    public init(
        baseURL: String, token: String, database: Database, assistant: Assistant, settings: Settings = Settings(), alerts: AlertScheduler? = nil,
        logger: Logger
    ) {
        pollAPI = BotAPI(baseURL: baseURL, token: token, client: HTTPClient(label: "poll"))
        setupAPI = BotAPI(baseURL: baseURL, token: token, client: HTTPClient(label: "setup"))
        let clients = (0..<max(1, settings.senderClients)).map { BotAPI(baseURL: baseURL, token: token, client: HTTPClient(label: "send\($0)")) }
        sender = OutboxSender(database: database, clients: clients, limits: settings.limits, clock: assistant.clock, logger: logger)
        handler = UpdateHandler(assistant: assistant, database: database, logger: logger)
        replies = assistant.knowledge.replies
        self.settings = settings
        self.logger = logger
        self.database = database
        self.alerts = alerts
        self.clock = assistant.clock
    }

    /// Queues due reminders every `alertCheckIntervalSeconds` until cancelled.
    func alertLoop(_ scheduler: AlertScheduler) async {
        while !Task.isCancelled {
            let now = clock.now()
            do {
                let queued = try await database.write { db in try scheduler.tick(db, now: now) }
                if queued > 0 {
                    logger.info("alerts.queued", ["count": .int(Int64(queued))])
                    await sender.wake()
                }
            } catch {
                logger.error("alerts.failed", ["error": .string("\(error)")])
            }
            try? await Task.sleep(nanoseconds: UInt64(settings.alertCheckIntervalSeconds * 1e9))
        }
    }

    /// Installs FAQ changes made outside this process (`baohao faq import`, `rollback`) until cancelled.
    func faqLoop() async {
        let assistant = handler.assistant
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(settings.faqCheckIntervalSeconds * 1e9))
            do {
                if let snapshot = try await database.read({ db in try assistant.staleFAQ(db) }) {
                    assistant.install(snapshot)
                    logger.info("faq.reloaded", ["generation": .int(snapshot.generation), "entries": .int(Int64(snapshot.entries.count))])
                }
            } catch {
                logger.error("faq.reload_failed", ["error": .string("\(error)")])
            }
        }
    }

    /// Runs until a signal arrives on `shutdown` (then stops polling, confirms the offset and
    /// drains the outbox) or the token is refused.
    public func run(shutdown: AsyncStream<Int32>) async throws {
        let me = try await start()
        logger.info("bot.started", ["bot": .string(me.username ?? String(me.id))])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // The menus are published alongside polling; this task ends only with the poll loop.
                async let commands: Void = self.publishCommands()
                try await self.pollLoop()
                await commands
            }
            group.addTask { await self.sender.run() }
            if let alerts = self.alerts { group.addTask { await self.alertLoop(alerts) } }
            group.addTask { await self.faqLoop() }
            group.addTask {
                for await number in shutdown {
                    self.logger.info("bot.signal", ["signal": .int(Int64(number))])
                    return
                }
            }
            // Whatever ends first (a signal, or a fatal poll error) stops the rest.
            defer { group.cancelAll() }
            try await group.next()
        }
        await finish()
    }

    /// getMe (401 stops here) and deleteWebhook; the command menus follow in `publishCommands`.
    func start() async throws -> TelegramUser {
        var backoff = 1.0
        while true {
            do {
                let me = try await setupAPI.getMe()
                try await setupAPI.deleteWebhook()
                return me
            } catch BotAPIError.unauthorized {
                throw StartError.unauthorized
            } catch BotAPIError.notFound {
                throw StartError.notFound
            } catch {
                logger.warning("bot.start_retry", ["error": .string("\(error)"), "in_seconds": .int(Int64(backoff))])
                try await Task.sleep(nanoseconds: UInt64(backoff * 1e9))
                backoff = min(settings.maximumBackoffSeconds, backoff * 2)
            }
        }
    }

    /// The command menus in three languages (and the default): set while polling starts, retried
    /// with back-off until they are accepted, so the first messages need not wait for them.
    func publishCommands() async {
        var backoff = 1.0
        while !Task.isCancelled {
            do {
                for (language, code) in [(Language.zhHans, "zh-hans"), (.zhHant, "zh-hant"), (.en, "en")] {
                    try await setupAPI.setMyCommands(commands(language), languageCode: code)
                }
                try await setupAPI.setMyCommands(commands(.zhHans), languageCode: nil)
                return
            } catch {
                logger.warning("bot.commands_retry", ["error": .string("\(error)"), "in_seconds": .int(Int64(backoff))])
                try? await Task.sleep(nanoseconds: UInt64(backoff * 1e9))
                backoff = min(settings.maximumBackoffSeconds, backoff * 2)
            }
        }
    }

    func commands(_ language: Language) -> [BotCommand] {
        let table: [(String, ReplyKey)] = [
            ("start", .commandStart), ("balance", .commandBalance), ("renew", .commandRenew), ("cancel", .commandCancel), ("bind", .commandBind),
            ("unbind", .commandUnbind), ("alerts", .commandAlerts), ("faq", .commandFaq), ("agent", .commandAgent), ("lang", .commandLang),
            ("help", .commandHelp),
        ]
        return table.map { BotCommand($0.0, replies.label($0.1, language)) }
    }

    /// Polls until cancelled: 409 and network errors back off (with jitter, up to a minute),
    /// a poll that hangs past its deadline is abandoned, a refused token ends the bot.
    func pollLoop() async throws {
        var offset = try await handler.storedOffset()
        var backoff = 1.0
        while !Task.isCancelled {
            do {
                let deadline = Double(settings.pollTimeoutSeconds) + settings.watchdogMarginSeconds
                let api = pollAPI, timeout = settings.pollTimeoutSeconds, from = offset
                let batch = try await Self.withDeadline(seconds: deadline) { try await api.getUpdates(offset: from, timeoutSeconds: timeout) }
                guard let batch else {
                    logger.error("poll.watchdog", ["deadline_seconds": .int(Int64(deadline))])
                    continue
                }
                backoff = 1
                if batch.updates.isEmpty && batch.malformed.isEmpty { continue }
                // A batch that started is finished even when a signal arrives meanwhile (a few
                // milliseconds): cancelling it half way would only make the restart redo it.
                let handler = self.handler
                let queued = try await Task { try await handler.handle(batch.updates, malformed: batch.malformed) }.value
                offset = max(offset, ((batch.updates.map(\.updateID) + batch.malformed).max() ?? offset - 1) + 1)
                if queued > 0 { await sender.wake() }
            } catch BotAPIError.unauthorized {
                throw StartError.unauthorized
            } catch BotAPIError.cancelled {
                return
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                let conflict: Bool = if case BotAPIError.conflict = error { true } else { false }
                if conflict {
                    logger.error("poll.conflict", ["hint": .string("another instance polls this token, or a webhook is set; backing off")])
                    backoff = max(backoff, 5)
                } else {
                    logger.warning("poll.failed", ["error": .string("\(error)"), "retry_in_seconds": .int(Int64(backoff))])
                }
                let jitter = Double.random(in: 0.8...1.2)
                try? await Task.sleep(nanoseconds: UInt64(backoff * jitter * 1e9))
                backoff = min(settings.maximumBackoffSeconds, backoff * 2)
            }
        }
    }

    /// After polling stopped: confirm what was handled, then send what is pending for a while.
    func finish() async {
        if let offset = try? await handler.storedOffset(), offset > 0 {
            _ = try? await setupAPI.getUpdates(offset: offset, timeoutSeconds: 0, limit: 1)
        }
        await sender.drain(seconds: settings.drainSeconds)
        logger.info("bot.stopped", [:])
    }

    /// The body's result, or nil when it runs past `seconds` (it is then cancelled).
    static func withDeadline<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}

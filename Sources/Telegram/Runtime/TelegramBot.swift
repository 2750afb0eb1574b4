public import BaohaoCore
import Understanding
public import Storage
import Monitoring

#if canImport(Glibc)
import Glibc
#endif
public import BaohaoSupport

/// The bot on Telegram: checks the token, polls, hands updates to the assistant, delivers
/// the outbox, and shuts down cleanly.
public final class TelegramBot: Sendable {
    /// What the bot needs from the configuration, which holds the defaults and documents
    /// each field (`BotConfiguration`, `TelegramSettings`).
    public struct Settings: Sendable {
        public var pollTimeoutSeconds: Int
        public var limits: SendScheduler.Limits
        public var lifetime: DeliveryLifetime
        public var senderClients: Int
        public var drainSeconds: Double
        public var watchdogMarginSeconds: Double
        public var maximumBackoffSeconds: Double
        /// How often due reminders are looked for.
        public var alertCheckIntervalSeconds: Double
        public var faqCheckIntervalSeconds: Double
        /// How often open tickets are checked against their response timers.
        public var ticketCheckIntervalSeconds: Double
        /// The payment provider's token (provider mode), added to invoices as they go.
        public var paymentToken: PaymentToken?
        /// Where `/healthz` and `/metrics` are served; nil serves nothing (`metrics.listen`).
        public var metricsListen: ListenAddress?
        /// How often the health probe writes to the database and reads the outbox depth.
        public var healthProbeIntervalSeconds: Double
        /// `/healthz` fails after this many Bot API requests in a row without an answer.
        public var healthAPIFailureLimit: Int
        /// `/healthz` fails when the oldest pending outbox item has waited longer, seconds.
        public var healthOutboxStaleSeconds: Double

        public init(configuration c: BotConfiguration) {
            pollTimeoutSeconds = c.pollTimeoutSeconds
            limits = SendScheduler.Limits(configuration: c)
            lifetime = DeliveryLifetime(configuration: c)
            senderClients = c.telegram.senderClients
            drainSeconds = c.telegram.drainSeconds
            watchdogMarginSeconds = c.telegram.watchdogMarginSeconds
            maximumBackoffSeconds = c.telegram.maximumBackoffSeconds
            alertCheckIntervalSeconds = Double(c.alerts.checkIntervalSeconds)
            faqCheckIntervalSeconds = c.telegram.faqCheckIntervalSeconds
            ticketCheckIntervalSeconds = Double(c.tickets.checkIntervalSeconds)
            paymentToken = c.payments.providerToken
            metricsListen = c.metrics.listen
            healthProbeIntervalSeconds = c.telegram.healthProbeIntervalSeconds
            healthAPIFailureLimit = c.telegram.healthAPIFailureLimit
            healthOutboxStaleSeconds = c.telegram.healthOutboxStaleSeconds
        }
    }

    /// The bot could not start.
    public enum StartError: Error, Sendable, Equatable, CustomStringConvertible {
        case unauthorized
        case notFound
        /// `/healthz` and `/metrics` cannot be served on `metrics.listen`; `addressInUse` when
        /// another socket holds it (it may be free again soon).
        case monitoring(String, addressInUse: Bool)
        public var description: String {
            switch self {
            case .unauthorized: "the bot token was refused (401 Unauthorized): check BOT_TOKEN"
            case .notFound: "the Bot API answered 404 Not Found: the token is malformed or api_base_url is wrong"
            case .monitoring(let reason, _): reason
            }
        }
    }

    let pollAPI: BotAPI
    let setupAPI: BotAPI
    /// Answers pre-checkout queries: never behind a poll or a send (made only when payments are on).
    let checkoutAPI: BotAPI?
    public let sender: OutboxSender
    let handler: UpdateHandler
    /// Under a leader lease: polling, sending and the drain happen only while it allows.
    let fence: LeaseFence?
    /// Rung when the FAQ may have changed elsewhere (a notification on PostgreSQL): the FAQ
    /// loop looks at once instead of at its next interval.
    let faqChanged = Doorbell()
    let replies: ReplyBook
    let settings: Settings
    let logger: Logger
    let database: Database
    let alerts: AlertScheduler?
    let clock: any WallClock
    /// Counters and health facts for `/metrics` and `/healthz` (kept whether or not they are served).
    public let monitor: BotMonitor
    /// The `/healthz` and `/metrics` endpoint, when `metricsListen` is set.
    let monitoringServer: MonitoringServer?
    /// The server of the instance's terms, when the lease's: this term answers it while it runs.
    let monitoring: LeaseMonitoring?

    public init(
        baseURL: String, token: String, database: Database, assistant: Assistant, settings: Settings, alerts: AlertScheduler? = nil,
        fence: BatchFence? = nil, monitoring: LeaseMonitoring? = nil, logger: Logger
    ) {
        pollAPI = BotAPI(baseURL: baseURL, token: token, client: HTTPClient(label: "poll"))
        checkoutAPI = assistant.settings.paymentMode == .off ? nil : BotAPI(baseURL: baseURL, token: token, client: HTTPClient(label: "checkout"))
        setupAPI = BotAPI(baseURL: baseURL, token: token, client: HTTPClient(label: "setup"))
        let clients = (0..<max(1, settings.senderClients)).map { BotAPI(baseURL: baseURL, token: token, client: HTTPClient(label: "send\($0)")) }
        let notices = DeliveryNotices(
            replies: assistant.knowledge.replies, defaultLanguage: assistant.settings.defaultLanguage, operatorChatID: assistant.settings.operatorChatID)
        let monitor = BotMonitor(thresholds: HealthThresholds(settings: settings), redactor: logger.redactor)
        self.monitor = monitor
        // Under a lease the server outlives the term (`LeaseMonitoring`): this bot only answers through it.
        monitoringServer = monitoring == nil ? settings.metricsListen.map { MonitoringServer(address: $0, routes: monitor.routes) } : nil
        self.monitoring = monitoring
        sender = OutboxSender(
            database: database, clients: clients, limits: settings.limits, lifetime: settings.lifetime, notices: notices, monitor: monitor,
            payments: PaymentContext(providerToken: settings.paymentToken, catalogue: assistant.catalogue), clock: assistant.clock,
            claims: fence, logger: logger)
        handler = UpdateHandler(assistant: assistant, database: database, logger: logger, monitor: monitor, fence: fence)
        self.fence = fence?.fence
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

    /// Flags tickets left unanswered (`TicketWatch`) every `ticketCheckIntervalSeconds` until cancelled.
    func ticketLoop() async {
        let assistant = handler.assistant
        let watch = TicketWatch(settings: assistant.settings, replies: assistant.knowledge.replies)
        while !Task.isCancelled {
            let now = clock.now()
            do {
                let queued = try await database.write { db in try db.transaction { try watch.tick(db, now: now) } }
                if queued > 0 {
                    logger.info("tickets.flagged", ["count": .int(Int64(queued))])
                    await sender.wake()
                }
            } catch {
                logger.error("tickets.check_failed", ["error": .string("\(error)")])
            }
            try? await Task.sleep(nanoseconds: UInt64(settings.ticketCheckIntervalSeconds * 1e9))
        }
    }

    /// Installs FAQ changes made outside this process (`baohao faq import`, `rollback`) until cancelled.
    func faqLoop() async {
        let assistant = handler.assistant
        while !Task.isCancelled {
            await faqChanged.wait(seconds: settings.faqCheckIntervalSeconds)
            if Task.isCancelled { return }
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

    /// The port `/healthz` and `/metrics` are served on while the bot runs (nil when they are not).
    public var monitoringPort: Int? { monitoringServer?.boundPort }

    /// Runs until a signal arrives on `shutdown` (then stops polling, confirms the offset and
    /// drains the outbox) or the token is refused. With `metricsListen` set, `/healthz` and
    /// `/metrics` are served from before the first Bot API call until the drain is over, and
    /// the health probe runs as long; an address it cannot listen on stops the bot at once
    /// (`StartError.monitoring`), before it calls Telegram.
    public func run(shutdown: AsyncStream<Int32>) async throws {
        if let monitoring {
            monitoring.lead(monitor)
            defer { monitoring.standBy() }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.healthLoop() }
                defer { group.cancelAll() }
                try await self.serve(shutdown: shutdown)
            }
        }
        guard let server = monitoringServer else { return try await serve(shutdown: shutdown) }
        do {
            try await server.serve { port in
                logger.info("monitoring.listening", ["address": .string(server.address.withPort(port).description), "paths": "/healthz /metrics"])
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await self.healthLoop() }
                    defer { group.cancelAll() }
                    try await self.serve(shutdown: shutdown)
                }
            }
        } catch let error as MonitoringServer.StartError {
            throw StartError.monitoring(error.description, addressInUse: error.isAddressInUse)
        }
    }

    /// The bot itself: start-up calls, then polling, sending, alerts and FAQ reloads until a
    /// signal (or a refused token), then the drain.
    private func serve(shutdown: AsyncStream<Int32>) async throws {
        // A signal while Telegram cannot be reached yet stops the retries: nothing was
        // polled or sent, so there is nothing to confirm or drain.
        let (signal, relay) = SignalLatch.relaying(shutdown)
        defer { relay.cancel() }
        guard let me = try await startUnlessSignalled(signal) else { return }
        logger.info("bot.started", ["bot": .string(me.username ?? String(me.id))])
        // Pre-checkout answers read on a connection of their own when payments are on (an
        // in-memory database has only the one; without payments no invoice is sent, and a
        // stray query is refused from the main connection without a second one's memory).
        var made: PreCheckoutResponder?
        if let checkoutAPI {
            let reader = database.path == ":memory:" ? database : try await Database.open(location: database.location, migrations: BaohaoSchema.migrations)
            made = PreCheckoutResponder(reader: reader, api: checkoutAPI, assistant: handler.assistant, logger: logger)
        }
        let responder = made
        // On PostgreSQL, what other processes queue or change wakes the sender and the FAQ
        // loop at once (their periodic checks stay, for notifications missed).
        let listener = notificationListener()
        listener?.start()
        defer { listener?.stop() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // The menus are published alongside polling; this task ends only with the poll loop.
                async let commands: Void = self.publishCommands()
                try await self.pollLoop(bot: BotIdentity(id: me.id, username: me.username), checkout: responder)
                await commands
            }
            group.addTask { await self.sender.run() }
            if let alerts = self.alerts { group.addTask { await self.alertLoop(alerts) } }
            group.addTask { await self.faqLoop() }
            if handler.assistant.settings.operatorChatID != nil { group.addTask { await self.ticketLoop() } }
            if let fence = self.fence {
                group.addTask {
                    // Leadership ended (deadline passed, or fenced): everything stops now.
                    while !Task.isCancelled, fence.mayAct() { try? await Task.sleep(nanoseconds: 20_000_000) }
                    if !Task.isCancelled { self.logger.warning("lease.stopped_acting", ["fenced": .bool(fence.wasFenced)]) }
                }
            }
            group.addTask {
                if let number = await signal.wait(), number != 0 { self.logger.info("bot.signal", ["signal": .int(Int64(number))]) }
            }
            // Whatever ends first (a signal, or a fatal poll error) stops the rest.
            defer { group.cancelAll() }
            try await group.next()
        }
        await finish()
    }

    /// The listener for the outbox and FAQ notifications (migration 14's triggers), on
    /// PostgreSQL only.
    private func notificationListener() -> PGNotificationListener? {
        guard case .postgres(let url) = database.location else { return nil }
        let sender = self.sender, faqChanged = self.faqChanged
        return PGNotificationListener(url.raw, channels: [DatabaseNotifications.outbox, DatabaseNotifications.faq], logger: logger) { channel in
            if channel == DatabaseNotifications.faq {
                faqChanged.ring()
            } else {
                Task { await sender.wake() }
            }
        }
    }

    /// Every `healthProbeIntervalSeconds` until cancelled: a small write to the database (it
    /// must be writable) that also reads the outbox depth and the open tickets.
    func healthLoop() async {
        while !Task.isCancelled {
            let now = clock.now()
            do {
                let figures = try await database.write { db in try ServiceFigures.probe(db, at: now) }
                monitor.probed(figures, at: now)
            } catch where !Task.isCancelled {
                monitor.probeFailed(error)
                logger.error("health.probe_failed", ["error": .string("\(error)")])
            } catch {}
            try? await Task.sleep(nanoseconds: UInt64(settings.healthProbeIntervalSeconds * 1e9))
        }
    }

    /// `start`, or nil as soon as a signal arrives (the retries stop).
    private func startUnlessSignalled(_ signal: SignalLatch) async throws -> TelegramUser? {
        try await withThrowingTaskGroup(of: TelegramUser?.self) { group in
            group.addTask { try await self.start() }
            group.addTask {
                if let number = await signal.wait(), number != 0 { self.logger.info("bot.signal", ["signal": .int(Int64(number)), "during": "start"]) }
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// getMe (401 stops here) and deleteWebhook; the command menus follow in `publishCommands`.
    func start() async throws -> TelegramUser {
        var backoff = Backoff(initial: 1, maximum: settings.maximumBackoffSeconds)
        while true {
            do {
                let me = try await setupAPI.getMe()
                try await setupAPI.deleteWebhook()
                monitor.requestAnswered()
                return me
            } catch BotAPIError.unauthorized {
                throw StartError.unauthorized
            } catch BotAPIError.notFound {
                throw StartError.notFound
            } catch {
                monitor.requestFailed(error)
                let wait = backoff.next()
                logger.warning("bot.start_retry", ["error": .string("\(error)"), "in_seconds": .int(Int64(wait))])
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
    }

    /// The command menus in three languages (and the default): set while polling starts, retried
    /// with back-off until they are accepted, so the first messages need not wait for them.
    func publishCommands() async {
        var backoff = Backoff(initial: 1, maximum: settings.maximumBackoffSeconds)
        while !Task.isCancelled {
            do {
                for (language, code) in [(Language.zhHans, "zh-hans"), (.zhHant, "zh-hant"), (.en, "en")] {
                    try await setupAPI.setMyCommands(commands(language), languageCode: code)
                }
                try await setupAPI.setMyCommands(commands(.zhHans), languageCode: nil)
                return
            } catch {
                let wait = backoff.next()
                logger.warning("bot.commands_retry", ["error": .string("\(error)"), "in_seconds": .int(Int64(wait))])
                try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
    }

    func commands(_ language: Language) -> [BotCommand] {
        ChatCommand.menuEntries.map { BotCommand($0.command.name, replies.label($0.description, language)) }
    }

    /// Polls until cancelled: 409 and network errors back off (with jitter, up to a minute),
    /// a poll that hangs past its deadline is abandoned, a refused token ends the bot.
    /// The decisions are `PollState`'s; this loop performs them.
    func pollLoop(bot: BotIdentity? = nil, checkout: PreCheckoutResponder? = nil) async throws {
        typealias Poll = PollState<SystemRandomNumberGenerator>
        var state = Poll(offset: try await handler.storedOffset(), settings: settings, random: SystemRandomNumberGenerator())
        var action = state.start()
        var batch: (updates: [Update], malformed: [Int64]) = ([], [])
        /// The next action after `error`, logged.
        func failed(_ error: any Error) -> Poll.Action {
            var failure = Poll.Failure(error)
            if Task.isCancelled, failure != .tokenRefused { failure = .cancelled }
            switch failure {
            case .conflict:
                logger.error("poll.conflict", ["hint": .string("another instance polls this token, or a webhook is set; backing off")])
            case .other:
                logger.warning("poll.failed", ["error": .string("\(error)"), "retry_in_seconds": .int(Int64(state.backoff.seconds))])
            case .tokenRefused, .cancelled: break
            }
            return state.failed(failure)
        }
        while true {
            monitor.pollLoopIterated()
            switch action {
            case .poll(let offset, let timeout, let deadline):
                if Task.isCancelled { return }
                if let fence, !fence.mayAct() { return }
                do {
                    let api = pollAPI
                    guard let answer = try await Self.withDeadline(seconds: deadline, { try await api.getUpdates(offset: offset, timeoutSeconds: timeout) }) else {
                        logger.error("poll.watchdog", ["deadline_seconds": .int(Int64(deadline))])
                        monitor.requestFailed(BotAPIError.noResponse("getUpdates hung past its \(Int(deadline)) s deadline"))
                        action = state.watchdogFired()
                        continue
                    }
                    monitor.getUpdatesAnswered()
                    batch = answer
                    action = state.answered(answer.updates.map(\.updateID) + answer.malformed)
                } catch {
                    monitor.requestFailed(error)
                    action = failed(error)
                }
            case .handle(let highest):
                do {
                    // A batch that started is finished even when a signal arrives meanwhile (a few
                    // milliseconds): cancelling it half way would only make the restart redo it.
                    let handler = self.handler, received = batch
                    // Pre-checkout queries are answered ahead of (and alongside) the batch: Telegram waits 10 s at most.
                    // Decided first (reads on the responder's own connection: milliseconds), answered alongside the batch.
                    let queries = received.updates.compactMap(\.preCheckoutQuery)
                    var answering: Task<Void, Never>?
                    if !queries.isEmpty, let checkout {
                        let decisions = await checkout.decide(queries)
                        answering = Task { await checkout.send(decisions) }
                    }
                    let handled = await Task { try await handler.handle(received.updates, malformed: received.malformed, bot: bot) }.result
                    await answering?.value
                    let queued = try handled.get()
                    monitor.batchHandled(updates: received.updates.count, malformed: received.malformed.count)
                    action = state.handled(through: highest)
                    if queued > 0 { await sender.wake() }
                } catch {
                    action = failed(error)
                }
            case .sleep(let seconds):
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                action = state.slept()
            case .stop(.cancelled):
                return
            case .stop(.tokenRefused):
                throw StartError.unauthorized
            }
        }
    }

    /// After polling stopped: confirm what was handled, then send what is pending for a while.
    func finish() async {
        // No longer the leader: another instance polls and sends; confirming the offset would
        // cut its long poll short, and sending would duplicate its work.
        if let fence, !fence.mayAct() {
            logger.info("bot.stopped", ["leading": .bool(false)])
            return
        }
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

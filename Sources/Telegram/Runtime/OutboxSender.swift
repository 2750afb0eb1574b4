import BaohaoCore
public import Storage
public import BaohaoSupport

/// Delivers the outbox: one chat's items in order, live replies before alerts, within the
/// rate limits, with 429 pauses, bounded retries and dead letters. Several Bot API clients
/// send to different chats at once.
public actor OutboxSender {
    let database: Database
    let clients: [BotAPI]
    /// What may go when, and what each result means (no I/O).
    var state: SenderState
    let clock: any WallClock
    let logger: Logger
    private var waiter: CheckedContinuation<Void, Never>?
    private var pendingWake = false
    public private(set) var delivered = 0
    /// Sends accepted but not yet recorded in the database (nil for an in-memory database).
    let journal: DeliveryJournal?
    /// What this sender is delivering right now, for `baohao outbox status` (nil in memory).
    let inFlight: InFlightRecord?
    private var recovered = false
    /// The next round's items, read in the transaction that stored the last round's outcomes
    /// (one trip to the database a round instead of two); dropped whenever the sender waits.
    private var prefetched: [Outbox.Item]?

    public init(
        database: Database, clients: [BotAPI], limits: SendScheduler.Limits, lifetime: DeliveryLifetime = DeliveryLifetime(),
        clock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        precondition(!clients.isEmpty, "the sender needs at least one client")
        self.database = database
        self.clients = clients
        state = SenderState(limits: limits, lifetime: lifetime)
        self.clock = clock
        self.logger = logger
        journal = database.path == ":memory:" ? nil : DeliveryJournal(path: database.path + "-delivered")
        inFlight = database.path == ":memory:" ? nil : InFlightRecord(path: InFlightRecord.path(forDatabase: database.path))
    }

    /// Marks sent what the journal says Telegram accepted before the last crash.
    func recoverJournal() async throws {
        guard !recovered else { return }
        recovered = true
        guard let journal else { return }
        let ids = journal.recorded()
        if !ids.isEmpty {
            let now = clock.now()
            try await database.write { db in
                try db.transaction { for id in ids { try Outbox.markSentIfPending(db, id: id, at: now) } }
            }
            logger.info("outbox.recovered", ["count": .int(Int64(ids.count))])
        }
        journal.clear()
    }

    /// Nudges the sender: something was queued.
    public func wake() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pendingWake = true
        }
    }

    /// Waits up to `seconds`, or less when woken or cancelled.
    private func nap(_ seconds: Double) async {
        prefetched = nil
        if pendingWake {
            pendingWake = false
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            await self?.wake()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.wake() }
        }
        pendingWake = false
        timer.cancel()
    }

    /// Sends until the task is cancelled (or the token turns out wrong).
    public func run() async {
        while !Task.isCancelled, state.stopped == nil {
            let next: SenderState.Next
            do { next = try await shieldedRound() } catch {
                logger.error("outbox.round_failed", ["error": .string("\(error)")])
                next = .wait(seconds: 1)
            }
            // Sleep until the next item may go, or until something new is queued.
            switch next {
            case .goOn: break
            case .idle: await nap(1)
            case .wait(let seconds): await nap(min(seconds, 1))
            }
        }
    }

    /// Sends what is pending until nothing is left or `seconds` pass; for shutdown.
    public func drain(seconds: Double) async {
        prefetched = nil
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline, state.stopped == nil {
            guard let next = try? await shieldedRound() else { return }
            switch next {
            case .goOn: break
            case .idle: return
            case .wait(let seconds): try? await Task.sleep(nanoseconds: UInt64(min(seconds, 0.2) * 1e9))
            }
        }
    }

    /// A round that cancellation cannot cut short: a message Telegram accepted is always
    /// recorded as sent (cancelling mid-round would send it again after a restart).
    /// Cancellation stops the loop between rounds instead.
    func shieldedRound() async throws -> SenderState.Next {
        try await Task { try await self.round() }.value
    }

    /// One round: picks what may go now (`SenderState.plan`) and sends it.
    func round() async throws -> SenderState.Next {
        try await recoverJournal()
        let items: [Outbox.Item]
        // An empty prefetch proves nothing: something may have been queued since.
        if let next = prefetched, !next.isEmpty {
            items = next
            prefetched = nil
        } else {
            items = try await database.read { db in try Outbox.nextPerChat(db, limit: SenderState.roundSize) }
        }
        let picked: [Outbox.Item]
        switch state.plan(items, at: monotonicSeconds()) {
        case .skip(let next): return next
        case .send(let items): picked = items
        }

        // Each client takes every n-th item; a chat's single item goes to one client.
        let clients = self.clients, journal = self.journal
        // Rate limits: a message in more parts than its chat's burst goes at the chat's pace.
        let limits = state.scheduler.limits
        inFlight?.begin(picked.map(\.id))
        // Whatever happens to the round, its sends are over when it ends.
        defer { inFlight?.end() }
        let results = await withTaskGroup(of: [(Outbox.Item, Result<Void, BotAPIError>)].self) { group in
            for (w, api) in clients.enumerated() {
                let share = picked.enumerated().filter { $0.offset % clients.count == w }.map(\.element)
                if share.isEmpty { continue }
                group.addTask {
                    // The whole share runs on the client's own thread: no switch per request.
                    await api.client.perform { _ in
                        var out: [(Outbox.Item, Result<Void, BotAPIError>)] = []
                        for item in share {
                            let result = await Self.deliver(item, api: api, lastInbound: item.lastInbound, pacer: limits.partPacer(for: item.chatID))
                            if case .success = result { journal?.record(item.id) }
                            out.append((item, result))
                        }
                        return out
                    }
                }
            }
            var all: [(Outbox.Item, Result<Void, BotAPIError>)] = []
            for await part in group { all += part }
            return all
        }
        try await apply(results)
        return .goOn
    }

    /// Writes the round's outcomes (decided by `SenderState.settle`) in one transaction.
    private func apply(_ results: [(Outbox.Item, Result<Void, BotAPIError>)]) async throws {
        let now = clock.now()
        let settlement = state.settle(results, at: monotonicSeconds(), wallNow: now)
        for note in settlement.notes {
            switch note {
            case .rateLimited(let chat, let retryAfter, let global):
                logger.warning("outbox.rate_limited", ["chat": .int(chat), "retry_after": .int(Int64(retryAfter)), "scope": .string(global ? "global" : "chat")])
            case .stopped(let reason):
                logger.error("outbox.stopped", ["reason": .string(reason)])
            }
        }
        let logger = self.logger, outcomes = settlement.outcomes, readNext = settlement.readNext
        // If this write fails, the journal still holds the accepted sends: recover them first.
        recovered = false
        let (deliveredCount, next) = try await database.write { db in
            try db.transaction {
                var count = 0
                for (item, outcome) in outcomes {
                    switch outcome {
                    case .delivered:
                        try Outbox.markSent(db, id: item.id, at: now)
                        count += 1
                        // An earlier attempt failed after the request may have reached
                        // Telegram (a counted attempt): the customer may now have it twice.
                        if item.attempts > 0 {
                            logger.warning("outbox.possible_duplicate", ["chat": .int(item.chatID), "item": .int(item.id), "attempts": .int(Int64(item.attempts + 1))])
                        }
                    case .retryLater, .wait, .stop: break
                    case .retryCounted(let reason): try Outbox.countAttempt(db, id: item.id, error: reason)
                    case .chatInactive(let reason):
                        try Outbox.markDead(db, id: item.id, reason: reason, at: now)
                        try Outbox.markChatInactive(db, chat: item.chatID, reason: reason, at: now)
                        logger.info("outbox.chat_inactive", ["chat": .int(item.chatID), "reason": .string(reason)])
                    case .dead(let reason):
                        try Outbox.markDead(db, id: item.id, reason: reason, at: now)
                        logger.warning("outbox.dead_letter", ["chat": .int(item.chatID), "item": .int(item.id), "reason": .string(reason)])
                    }
                }
                // What goes next, as these outcomes leave the outbox (not worth it after a
                // failed connection: the sender waits before the next round anyway).
                return (count, readNext ? try Outbox.nextPerChat(db, limit: SenderState.roundSize) : nil)
            }
        }
        prefetched = next
        delivered += deliveredCount
        // Everything the journal holds is in the database now (no send runs between rounds).
        journal?.clear()
        recovered = true
    }

    /// Rate limits and pauses run on a monotonic clock: a wall clock can jump (or, in tests,
    /// stand still); the wall clock only stamps the database.
    private let started = ContinuousClock.now
    private func monotonicSeconds() -> Double {
        let d = started.duration(to: .now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// One item to Telegram: long texts split, a rejected HTML text resent once as plain
    /// text, an edit of a message that is gone sent as a new message.
    nonisolated(nonsending) static func deliver(_ item: Outbox.Item, api: BotAPI, lastInbound: Int64, pacer: PartPacer? = nil) async -> Result<Void, BotAPIError> {
        do {
            switch item.outbound {
            case .answerButton(let id, let text):
                try await api.answerCallbackQuery(id: id, text: text)
            case .send(let message):
                // Quote the message answered when the chat has written more since.
                let replyTo = message.answering.flatMap { $0 < lastInbound ? $0 : nil }
                try await send(message, api: api, replyTo: replyTo, pacer: pacer)
            case .edit(let messageID, let message):
                do {
                    guard MessageSplitter.visibleLength(message.html) <= MessageSplitter.limit else { throw BotAPIError.badRequest("message is too long") }
                    try await withPlainTextFallback(message.html) { text, isHTML in
                        try await api.editMessageText(chatID: message.chatID, messageID: messageID, text: text, html: isHTML, keyboard: keyboard(message))
                    }
                } catch BotAPIError.badRequest(let d) where d.contains("message to edit not found") || d.contains("can't be edited") || d.contains("too long") {
                    try await send(message, api: api, replyTo: nil, pacer: pacer)
                }
            }
            return .success(())
        } catch let error as BotAPIError {
            return .failure(error)
        } catch {
            return .failure(.malformedResponse("\(error)"))
        }
    }

    nonisolated(nonsending) static func send(_ message: OutboundMessage, api: BotAPI, replyTo: Int64?, pacer: PartPacer? = nil) async throws {
        let parts = MessageSplitter.split(message.html)
        // Rate limits: each part after the chat's burst waits for the chat's pace (`PartPacer`).
        var pacer = parts.count > 1 ? pacer : nil
        let started = ContinuousClock.now
        for (i, part) in parts.enumerated() {
            if let wait = pacer?.delay(at: PartPacer.seconds(since: started)), wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
            defer { pacer?.sent(at: PartPacer.seconds(since: started)) }
            let last = i == parts.count - 1
            try await withPlainTextFallback(part) { text, isHTML in
                try await api.sendMessage(chatID: message.chatID, text: text, html: isHTML, keyboard: last ? keyboard(message) : nil, replyTo: i == 0 ? replyTo : nil)
            }
        }
    }

    /// Runs `body` with the HTML; when Telegram cannot parse it, once more as plain text.
    nonisolated(nonsending) static func withPlainTextFallback(
        _ html: String, _ body: nonisolated(nonsending) (_ text: String, _ isHTML: Bool) async throws -> Void
    ) async throws {
        do { try await body(html, true) } catch BotAPIError.badRequest(let d) where d.contains("can't parse entities") {
            try await body(HTML.plainText(html), false)
        }
    }

    static func keyboard(_ message: OutboundMessage) -> InlineKeyboardMarkup? {
        guard !message.buttons.isEmpty else { return nil }
        return InlineKeyboardMarkup(inlineKeyboard: message.buttons.map { row in row.map { InlineKeyboardButton(text: $0.label, callbackData: $0.payload) } })
    }
}

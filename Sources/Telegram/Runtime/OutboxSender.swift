public import BaohaoCore
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
    let journal: (any AcceptedSendsJournal)?
    /// What this sender is delivering right now, for `baohao outbox status` (nil in memory).
    let inFlight: InFlightRecord?
    private var recovered = false
    /// The next round's items, read in the transaction that stored the last round's outcomes
    /// (one trip to the database a round instead of two); dropped whenever the sender waits.
    private var prefetched: [Outbox.Item]?
    /// The late-reply and outage notices (none without them: tests of sending alone).
    let notices: DeliveryNotices?
    /// Counts each round's outcomes for `/metrics` and its answers for `/healthz`.
    let monitor: BotMonitor
    /// The provider's token and the catalogue, for invoices and refunds (nil: no payments).
    let payments: PaymentContext?
    /// Under a leader lease: nothing is sent once this instance may no longer act.
    let fence: LeaseFence?
    /// Under a leader lease on PostgreSQL: items are claimed in a transaction checked against
    /// the lease (`Outbox.claimNext`), so only the epoch holding it takes them.
    let claims: BatchFence?

    public init(
        database: Database, clients: [BotAPI], limits: SendScheduler.Limits, lifetime: DeliveryLifetime = DeliveryLifetime(),
        notices: DeliveryNotices? = nil, monitor: BotMonitor = BotMonitor(), payments: PaymentContext? = nil, clock: any WallClock = SystemWallClock(),
        fence: LeaseFence? = nil, claims: BatchFence? = nil, logger: Logger
    ) {
        self.fence = fence ?? claims?.fence
        self.claims = claims
        self.monitor = monitor
        self.payments = payments
        precondition(!clients.isEmpty, "the sender needs at least one client")
        self.database = database
        self.clients = clients
        state = SenderState(limits: limits, lifetime: lifetime)
        self.clock = clock
        self.logger = logger
        self.notices = notices
        // Accepted sends are journaled where the next process will look: beside a SQLite file,
        // or on PostgreSQL in the database itself (another host may take over). The in-flight
        // record (for `outbox status`) is a SQLite-only file.
        let file = database.location.localFile
        if case .postgres(let url) = database.location {
            journal = PGDeliveryJournal(url, fence: fence)
        } else {
            journal = file.flatMap { DeliveryJournal(path: $0 + "-delivered") }
        }
        inFlight = file.flatMap { InFlightRecord(path: InFlightRecord.path(forDatabase: $0)) }
    }

    /// Marks sent what the journal says Telegram accepted before the last crash.
    func recoverJournal() async throws {
        guard !recovered else { return }
        recovered = true
        guard let journal else { return }
        let ids = journal.recorded(), progress = journal.recordedProgress()
        if !ids.isEmpty || !progress.isEmpty {
            let now = clock.now()
            try await database.write { db in
                try db.transaction {
                    for (id, p) in progress { try Outbox.recordProgress(db, id: id, partsSent: p.partsSent, lateNotice: p.lateNotice) }
                    for id in ids { try Outbox.markSentIfPending(db, id: id, at: now) }
                }
            }
            logger.info("outbox.recovered", ["count": .int(Int64(ids.count)), "partial": .int(Int64(progress.count))])
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
        // A leader past its lease's deadline, or fenced, sends nothing more (its rounds in
        // flight finish: those sends may go twice, once from the next leader).
        if let fence, !fence.mayAct() { return .wait(seconds: 0.2) }
        try await recoverJournal()
        let items: [Outbox.Item]
        // An empty prefetch proves nothing: something may have been queued since.
        if let next = prefetched, !next.isEmpty {
            items = next
            prefetched = nil
        } else {
            let claims = self.claims
            items = try await database.withConnection { db in
                // Under a lease: row locks only, so claiming does not wait for the batches.
                try db.transaction(claims == nil ? .deferred : .rowLocking) { try Self.next(db, claims: claims) ?? [] }
            }
        }
        // What waited past its usefulness goes to the dead letters unsent; the chats' next
        // items are read in the next round.
        let wallNow = clock.now()
        let (usable, expired) = state.sortOutExpired(items, wallNow: wallNow)
        if !expired.isEmpty {
            try await database.write { db in
                try db.transaction { for (item, reason) in expired { try Outbox.markExpired(db, id: item.id, reason: reason, at: wallNow) } }
            }
            for (item, reason) in expired {
                logger.warning("outbox.expired", ["chat": .int(item.chatID), "item": .int(item.id), "reason": .string(reason)])
            }
            prefetched = nil
            if usable.isEmpty { return .goOn }
        }
        let planned: [Outbox.Item]
        switch state.plan(usable, at: monotonicSeconds()) {
        case .skip(let next): return next
        case .send(let items): planned = items
        }
        let picked = try await resolveQuotes(planned)
        let lateNotices = try await lateNotices(picked, at: wallNow)
        let routes = try await ticketRoutes(picked)
        let operatorChat = notices?.operatorChatID, payments = self.payments

        // Each client takes every n-th item; a chat's single item goes to one client.
        let clients = self.clients, journal = self.journal, fence = self.fence
        // Rate limits: a message in more parts than its chat's burst goes at the chat's pace.
        let limits = state.scheduler.limits
        inFlight?.begin(picked.map(\.id))
        // Whatever happens to the round, its sends are over when it ends.
        defer { inFlight?.end() }
        let results = await withTaskGroup(of: [SenderState.Attempt].self) { group in
            for (w, api) in clients.enumerated() {
                let share = picked.enumerated().filter { $0.offset % clients.count == w }.map(\.element)
                if share.isEmpty { continue }
                group.addTask {
                    // The whole share runs on the client's own thread: no switch per request.
                    await api.client.perform { _ in
                        var out: [SenderState.Attempt] = []
                        for item in share {
                            // Leadership ended during the round (paused past the lease, or
                            // fenced): the rest of it is the next leader's. Nothing else of
                            // this sender runs after that, so the unsent need no outcome.
                            if let fence, !fence.mayAct() { break }
                            let attempt =
                                Self.ticketTarget(item, operatorChat: operatorChat).isTicketItem
                                ? await Self.deliverTicketItem(item, api: api, route: routes[item.id])
                                : Self.isPaymentItem(item)
                                    ? await Self.deliverPaymentItem(item, api: api, payments: payments)
                                    : await Self.deliver(item, api: api, lateNotice: lateNotices[item.id], pacer: limits.partPacer(for: item.chatID))
                            if case .success = attempt.result {
                                // Not noted (the database unreachable): stop here, or every
                                // send from now on would go again once it is back.
                                if journal?.record(item.id) == false {
                                    out.append(attempt)
                                    break
                                }
                            } else if attempt.madeProgress {
                                journal?.recordProgress(item.id, partsSent: attempt.partsSent, lateNotice: attempt.lateNotice)
                            }
                            out.append(attempt)
                        }
                        return out
                    }
                }
            }
            var all: [SenderState.Attempt] = []
            for await part in group { all += part }
            return all
        }
        try await apply(results)
        return .goOn
    }

    /// The notices leading the picked replies that are more than two minutes late (nothing
    /// of them sent yet), by item id.
    private func lateNotices(_ picked: [Outbox.Item], at now: Instant) async throws -> [Int64: String] {
        guard let notices else { return [:] }
        let late = picked.compactMap { item -> (Outbox.Item, Int64, Int64)? in
            guard item.priority == .live, item.partsSent == 0, !item.lateNotice, case .send(let m) = item.outbound, let question = m.answering,
                let queued = item.createdAt
            else { return nil }
            let delay = (now.millisecondsSinceEpoch - queued.millisecondsSinceEpoch) / 1000
            return delay > DeliveryNotices.lateAfterSeconds ? (item, question, delay) : nil
        }
        guard !late.isEmpty else { return [:] }
        return try await database.read { db in
            var texts: [Int64: String] = [:]
            for (item, question, delay) in late { texts[item.id] = try notices.lateReply(db, chat: item.chatID, question: question, delaySeconds: delay) }
            return texts
        }
    }

    /// Copies that quote a message whose counterpart was unknown when they were queued: the
    /// counterpart now (earlier rounds have recorded theirs), or no quote.
    private func resolveQuotes(_ picked: [Outbox.Item]) async throws -> [Outbox.Item] {
        guard picked.contains(where: { if case .copy(let c) = $0.outbound { c.quoting != nil } else { false } }) else { return picked }
        return try await database.read { db in
            try picked.map { item in
                guard case .copy(var copy) = item.outbound, copy.quoting != nil else { return item }
                copy.replyTo = try copy.counterpartOfQuoted(db)
                copy.quoting = nil
                var resolved = item
                resolved.outbound = .copy(copy)
                return resolved
            }
        }
    }

    /// The topics of the picked ticket items that go to the operators' chat, by item id.
    private func ticketRoutes(_ picked: [Outbox.Item]) async throws -> [Int64: TicketRoute] {
        guard let notices, let operatorChat = notices.operatorChatID else { return [:] }
        let wanted = picked.compactMap { item in Self.ticketTarget(item, operatorChat: operatorChat).topicOf.map { (item.id, $0) } }
        guard !wanted.isEmpty else { return [:] }
        return try await database.read { db in
            var routes: [Int64: TicketRoute] = [:]
            for (item, ticket) in wanted {
                guard let topic = try Tickets.topic(db, id: ticket) else { continue }
                routes[item] = TicketRoute(topic: topic, recreatedNotice: notices.topicRecreated(ticket: ticket))
            }
            return routes
        }
    }

    /// A ticket item's aftermath, in the round's transaction: the topic made or lost, the
    /// message map, the card's id; and, for what could not reach the customer, a word in the topic.
    static func recordTicketAttempt(_ attempt: SenderState.Attempt, outcome: DeliveryOutcome, notices: DeliveryNotices?, db: any Connection, at now: Instant) throws {
        let item = attempt.item
        let ticket: Int64
        switch item.outbound {
        case .send(let m):
            guard let link = m.ticket else { return }
            ticket = link.ticket
        case .copy(let c): ticket = c.ticket
        case .topic(let t): ticket = t.ticket
        case .edit, .answerButton, .invoice, .refundStars: return
        }
        switch attempt.topicChange {
        case .made(let thread, let card)?:
            try Tickets.setThread(db, id: ticket, thread: thread)
            if let card {
                try Tickets.setCardMessage(db, id: ticket, messageID: card)
                try TicketMessages.record(db, ticket: ticket, customer: nil, operator: card, at: now)
            }
        case .noTopics?: try Tickets.setThread(db, id: ticket, thread: 0)
        case .gone?: try Tickets.setThread(db, id: ticket, thread: nil)
        case nil: break
        }
        let operatorChat = notices?.operatorChatID
        if case .delivered = outcome {
            switch item.outbound {
            case .send(let m):
                guard let link = m.ticket, let first = attempt.posted.first else { return }
                if m.chatID == operatorChat {
                    if link.isCard { try Tickets.setCardMessage(db, id: ticket, messageID: first) }
                    for id in attempt.posted { try TicketMessages.record(db, ticket: ticket, customer: link.counterpart, operator: id, at: now) }
                } else {
                    try TicketMessages.record(db, ticket: ticket, customer: first, operator: link.counterpart, at: now)
                }
            case .copy(let c):
                for (source, copy) in zip(c.messageIDs, attempt.posted) {
                    switch c.direction {
                    case .toOperators: try TicketMessages.record(db, ticket: ticket, customer: source, operator: copy, at: now)
                    case .toCustomer: try TicketMessages.record(db, ticket: ticket, customer: copy, operator: source, at: now)
                    }
                }
            default: break
            }
            return
        }
        // What was for the customer and will not reach them: the operators hear it in the topic.
        let reason: String
        switch outcome {
        case .chatInactive(let r), .dead(let r): reason = r
        default: return
        }
        let operatorMessage: Int64?
        switch item.outbound {
        case .send(let m) where m.chatID != operatorChat: operatorMessage = m.ticket?.counterpart
        case .copy(let c) where c.direction == .toCustomer: operatorMessage = c.messageIDs.first
        default: return
        }
        if let notice = notices?.unreachable(ticket: ticket, reason: reason, replyTo: operatorMessage) {
            try Outbox.enqueue(db, notice, priority: .live, at: now)
        }
    }

    /// Writes the round's outcomes (decided by `SenderState.settle`) in one transaction.
    private func apply(_ results: [SenderState.Attempt]) async throws {
        let now = clock.now()
        let settlement = state.settle(results, at: monotonicSeconds(), wallNow: now)
        var outage: (since: Instant, until: Instant)?
        for note in settlement.notes {
            switch note {
            case .rateLimited(let chat, let retryAfter, let global):
                logger.warning("outbox.rate_limited", ["chat": .int(chat), "retry_after": .int(Int64(retryAfter)), "scope": .string(global ? "global" : "chat")])
            case .stopped(let reason):
                logger.error("outbox.stopped", ["reason": .string(reason)])
            case .outageEnded(let since, let until):
                outage = (since, until)
            }
        }
        let logger = self.logger, outcomes = settlement.outcomes, readNext = settlement.readNext, progress = settlement.progress, claims = self.claims
        let notices = self.notices, lifetime = state.lifetime, outageEnded = outage
        let operatorChat = notices?.operatorChatID
        let ticketAttempts = results.filter { Self.ticketTarget($0.item, operatorChat: operatorChat).isTicketItem }
        let paymentAttempts = results.filter { Self.isPaymentItem($0.item) }, payments = self.payments
        // If this write fails, the journal still holds the accepted sends: recover them first.
        recovered = false
        let (deliveredCount, next) = try await database.write { db in
            try db.transaction {
                for attempt in ticketAttempts {
                    let outcome = outcomes.first { $0.item.id == attempt.item.id }?.outcome ?? .retryLater
                    try Self.recordTicketAttempt(attempt, outcome: outcome, notices: notices, db: db, at: now)
                }
                for attempt in paymentAttempts {
                    let outcome = outcomes.first { $0.item.id == attempt.item.id }?.outcome ?? .retryLater
                    try Self.recordPaymentAttempt(attempt, outcome: outcome, notices: notices, payments: payments, db: db, at: now)
                }
                var sent: [Int64] = []
                for (item, outcome) in outcomes {
                    switch outcome {
                    case .delivered:
                        sent.append(item.id)
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
                try Outbox.markSent(db, ids: sent, at: now)
                let count = sent.count
                // Parts of texts that reached Telegram before a later part failed.
                for p in progress { try Outbox.recordProgress(db, id: p.id, partsSent: p.partsSent, lateNotice: p.lateNotice) }
                // The API is back after a long outage: what waited past its time is given
                // up now, and the operators learn how long, how much waited, how much expired.
                if let outage = outageEnded {
                    for item in try Outbox.pendingDeadlines(db) {
                        guard let deadline = lifetime.deadline(of: item), deadline.at <= now else { continue }
                        try Outbox.markExpired(db, id: item.id, reason: SenderState.expiryReason(item, within: deadline.within), at: now)
                    }
                    let expired = try Outbox.expiredCount(db, since: outage.since)
                    let waited = try Outbox.waitedCount(db, since: outage.since, until: outage.until)
                    logger.warning(
                        "outbox.outage_ended",
                        ["seconds": .int((outage.until.millisecondsSinceEpoch - outage.since.millisecondsSinceEpoch) / 1000), "waited": .int(Int64(waited)),
                         "expired": .int(Int64(expired))])
                    if let notice = notices?.outage(since: outage.since, until: outage.until, waited: waited, expired: expired) {
                        try Outbox.enqueue(db, notice, priority: .bulk, at: now)
                    }
                }
                // What goes next, as these outcomes leave the outbox (not worth it after a
                // failed connection: the sender waits before the next round anyway).
                return (count, readNext ? try Self.next(db, claims: claims) : nil)
            }
        }
        prefetched = next
        delivered += deliveredCount
        monitor.roundSettled(results.map { ($0.item, $0.result) }, outcomes)
        // Everything the journal holds is in the database now (no send runs between rounds).
        journal?.clear()
        recovered = true
    }

    /// The next round's items, in the caller's transaction: claimed for this epoch under a
    /// lease (nil once another epoch holds it), read otherwise.
    static func next(_ db: any Connection, claims: BatchFence?) throws -> [Outbox.Item]? {
        guard let claims else { return try Outbox.nextPerChat(db, limit: SenderState.roundSize) }
        guard let epoch = try claims.heldEpoch(db) else { return nil }
        return try Outbox.claimNext(db, limit: SenderState.roundSize, epoch: epoch)
    }

    /// Rate limits and pauses run on a monotonic clock: a wall clock can jump (or, in tests,
    /// stand still); the wall clock only stamps the database.
    private let started = ContinuousClock.now
    private func monotonicSeconds() -> Double {
        let d = started.duration(to: .now)
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// One item to Telegram: long texts split (from the first part not sent yet), a rejected
    /// HTML text resent once as plain text, an edit of a message that is gone sent as a new
    /// message; a reply led by `lateNotice` (sent as a reply to the question) when given and
    /// nothing of it went yet. Returns the result with how far the parts got.
    nonisolated(nonsending) static func deliver(_ item: Outbox.Item, api: BotAPI, lateNotice: String? = nil, pacer: PartPacer? = nil) async -> SenderState.Attempt {
        var partsSent = item.partsSent, noticeSent = item.lateNotice
        // Rate limits: a message in more parts than its chat's burst goes at the chat's pace.
        var pacer = pacer
        let started = ContinuousClock.now
        do {
            switch item.outbound {
            case .answerButton(let id, let text):
                try await api.answerCallbackQuery(id: id, text: text)
            case .copy, .topic:
                return await deliverTicketItem(item, api: api, route: nil)
            case .invoice, .refundStars:
                return SenderState.Attempt(item, .failure(.malformedResponse("a payment item goes through deliverPaymentItem")))
            case .send(let message):
                if let lateNotice, partsSent == 0, !noticeSent, let question = message.answering {
                    try await withPlainTextFallback(lateNotice) { text, isHTML in
                        try await api.sendMessage(chatID: message.chatID, text: text, html: isHTML, replyTo: question)
                    }
                    noticeSent = true
                    pacer?.sent(at: PartPacer.seconds(since: started))
                }
                // Quote the message answered when the chat has written more since (the late
                // notice quoted it already).
                let replyTo = noticeSent ? nil : message.answering.flatMap { $0 < item.lastInbound ? $0 : nil }
                try await send(message, api: api, replyTo: replyTo, partsSent: &partsSent, pacer: &pacer, started: started)
            case .edit(let messageID, let message):
                do {
                    guard MessageSplitter.visibleLength(message.html) <= MessageSplitter.limit else { throw BotAPIError.badRequest("message is too long") }
                    try await withPlainTextFallback(message.html) { text, isHTML in
                        try await api.editMessageText(chatID: message.chatID, messageID: messageID, text: text, html: isHTML, keyboard: keyboard(message))
                    }
                } catch BotAPIError.badRequest(let d) where d.contains("message to edit not found") || d.contains("can't be edited") || d.contains("too long") {
                    try await send(message, api: api, replyTo: nil, partsSent: &partsSent, pacer: &pacer, started: started)
                }
            }
            return SenderState.Attempt(item, .success(()), partsSent: partsSent, lateNotice: noticeSent)
        } catch let error as BotAPIError {
            return SenderState.Attempt(item, .failure(error), partsSent: partsSent, lateNotice: noticeSent)
        } catch {
            return SenderState.Attempt(item, .failure(.malformedResponse("\(error)")), partsSent: partsSent, lateNotice: noticeSent)
        }
    }

    /// Sends the parts of `message` from `partsSent` on, counting each one Telegram accepts;
    /// with a `pacer`, each part after the chat's burst waits for the chat's pace (`PartPacer`,
    /// its times in seconds since `started`).
    nonisolated(nonsending) static func send(
        _ message: OutboundMessage, api: BotAPI, replyTo: Int64?, partsSent: inout Int, pacer: inout PartPacer?, started: ContinuousClock.Instant
    ) async throws {
        let parts = MessageSplitter.split(message.html)
        for i in min(partsSent, parts.count)..<parts.count {
            if let wait = pacer?.delay(at: PartPacer.seconds(since: started)), wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
            defer { pacer?.sent(at: PartPacer.seconds(since: started)) }
            let last = i == parts.count - 1
            try await withPlainTextFallback(parts[i]) { text, isHTML in
                try await api.sendMessage(chatID: message.chatID, text: text, html: isHTML, keyboard: last ? keyboard(message) : nil, replyTo: i == 0 ? replyTo : nil)
            }
            partsSent = i + 1
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

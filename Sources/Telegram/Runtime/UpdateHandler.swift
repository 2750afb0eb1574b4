public import BaohaoCore
public import Storage

#if canImport(Glibc)
import Glibc
#endif
public import BaohaoSupport

/// Turns a batch of updates into the assistant's replies: each update in one transaction
/// that also queues its replies and advances the stored offset, so a restart neither loses
/// nor repeats an update. Updates that cannot be used are logged and skipped.
public struct UpdateHandler: Sendable {
    let assistant: Assistant
    let database: Database
    let logger: Logger
    /// Times each classification (`BotMonitor.classification`).
    let monitor: BotMonitor?
    /// Under a leader lease: each batch's offset is also stored fenced on the lease's epoch.
    let fence: BatchFence?

    public init(assistant: Assistant, database: Database, logger: Logger, monitor: BotMonitor? = nil, fence: BatchFence? = nil) {
        self.assistant = assistant
        self.database = database
        self.logger = logger
        self.monitor = monitor
        self.fence = fence
    }

    /// The offset to poll from: one past the last update handled.
    public func storedOffset() async throws -> Int64 {
        try await database.read { db in try BotState.value(db, .telegramOffset) } ?? 0
    }

    /// What the platform sent, as the assistant's inbound event; nil for what it does not
    /// handle, and for group messages not addressed to `bot` (`ChatAddressing`).
    public static func inbound(_ update: Update, bot: BotIdentity? = nil, operatorChat: Int64? = nil) -> Inbound? {
        if let edited = update.editedMessage, edited.chat.id != 0, edited.text != nil || edited.caption != nil,
            let text = ChatAddressing.text(of: edited, bot: bot, operatorChat: operatorChat)
        {
            return details(Inbound(
                chatID: edited.chat.id, userID: edited.from?.id ?? edited.chat.id, languageHint: edited.from?.languageCode,
                messageID: edited.messageID, kind: .text(text), isEdit: true), edited)
        }
        if let query = update.preCheckoutQuery {
            return Inbound(
                chatID: query.from.id, userID: query.from.id, languageHint: query.from.languageCode, messageID: 0,
                kind: .preCheckout(.init(id: query.id, currency: query.currency, totalAmount: query.totalAmount, payload: query.invoicePayload)))
        }
        if let message = update.message, message.chat.id != 0, let paid = message.successfulPayment {
            return Inbound(
                chatID: message.chat.id, userID: message.from?.id ?? message.chat.id, languageHint: message.from?.languageCode, messageID: message.messageID,
                kind: .payment(
                    .init(
                        currency: paid.currency, totalAmount: paid.totalAmount, payload: paid.invoicePayload, telegramChargeID: paid.telegramPaymentChargeID,
                        providerChargeID: paid.providerPaymentChargeID)))
        }
        if let message = update.message, message.chat.id != 0 {
            let attachment = message.media.map(attachment)
            if let text = ChatAddressing.text(of: message, bot: bot, operatorChat: operatorChat) {
                return details(Inbound(
                    chatID: message.chat.id, userID: message.from?.id ?? message.chat.id, languageHint: message.from?.languageCode,
                    messageID: message.messageID, kind: .text(text), attachment: attachment, mediaGroup: message.mediaGroupID), message)
            }
            // A picture, voice note, sticker … without words: answered in a private chat,
            // and relayed from the operators' chat when it is for a ticket.
            if message.text == nil, message.caption == nil, let attachment, message.chat.type == "private" || message.chat.id == operatorChat {
                return details(Inbound(
                    chatID: message.chat.id, userID: message.from?.id ?? message.chat.id, languageHint: message.from?.languageCode,
                    messageID: message.messageID, kind: .attachment(attachment), mediaGroup: message.mediaGroupID), message)
            }
        }
        if let query = update.callbackQuery, let message = query.message, let data = query.data {
            var inbound = Inbound(
                chatID: message.chat.id, userID: query.from.id, languageHint: query.from.languageCode, messageID: message.messageID,
                kind: .button(payload: data, callbackID: query.id))
            inbound.firstName = query.from.firstName
            inbound.username = query.from.username
            inbound.isGroup = message.chat.type == "group" || message.chat.type == "supergroup"
            return inbound
        }
        // In a private chat, "kicked" is the user blocking the bot; "member" allowing it again.
        if let member = update.myChatMember, member.chat.type == "private", member.chat.id != 0 {
            let active = member.newChatMember.status != "kicked" && member.newChatMember.status != "left"
            return Inbound(chatID: member.chat.id, userID: member.from?.id ?? member.chat.id, messageID: 0, kind: .membership(active: active))
        }
        return nil
    }

    /// The sender's names, the topic, the replied message and the chat's kind.
    private static func details(_ inbound: Inbound, _ message: TelegramMessage) -> Inbound {
        var inbound = inbound
        inbound.firstName = message.from?.firstName
        inbound.username = message.from?.username
        if message.isTopicMessage == true { inbound.threadID = message.messageThreadID }
        inbound.replyToMessageID = message.replyToMessage?.messageID
        inbound.replyToText = message.replyToMessage.flatMap { $0.text ?? $0.caption }
        inbound.isGroup = message.chat.type == "group" || message.chat.type == "supergroup"
        return inbound
    }

    /// Each album's messages in the batch, so the album is relayed as one: every member
    /// learns the ids of all (in order).
    static func groupAlbums(_ inbounds: [Inbound?]) -> [Inbound?] {
        var albums: [String: [Int64]] = [:]
        for case let inbound? in inbounds where !inbound.isEdit {
            if let group = inbound.mediaGroup { albums["\(inbound.chatID)/\(group)", default: []].append(inbound.messageID) }
        }
        guard albums.values.contains(where: { $0.count > 1 }) else { return inbounds }
        return inbounds.map { inbound in
            guard var inbound, !inbound.isEdit, let group = inbound.mediaGroup, let ids = albums["\(inbound.chatID)/\(group)"], ids.count > 1 else { return inbound }
            inbound.albumMessageIDs = ids.sorted()
            return inbound
        }
    }

    /// What the assistant is told a message carries besides text.
    static func attachment(_ media: MessageMedia) -> Inbound.Attachment {
        switch media {
        case .photo: .photo
        case .document: .document
        case .video, .animation: .video
        case .voice, .videoNote, .audio: .voice
        case .sticker, .dice: .sticker
        case .location, .venue: .location
        case .contact: .contact
        case .poll: .other
        }
    }

    /// Handles `updates` in order and skips `malformed` ids. Returns how many replies were queued.
    @discardableResult
    /// `bot` is who the bot is (from getMe): group messages must be addressed to it.
    public func handle(_ updates: [Update], malformed: [Int64] = [], bot: BotIdentity? = nil) async throws -> Int {
        let prepared = await Self.prepare(updates, assistant: assistant, bot: bot, timing: monitor?.classification)
        var queued = 0, start = 0
        repeat {
            // Up to the first update that may change the FAQ: what follows it is answered
            // with the FAQ it leaves behind (prepared again, since the knowledge changed).
            var end = start
            while end < updates.count {
                end += 1
                if prepared[end - 1]?.mayChangeKnowledge == true { break }
            }
            let (count, snapshot) = try await write(Array(updates[start..<end]), Array(prepared[start..<end]), malformed: end == updates.count ? malformed : [])
            queued += count
            // The index is rebuilt here, off the database's queue: customers are not paused.
            if let snapshot { assistant.install(snapshot) }
            start = end
        } while start < updates.count
        return queued
    }

    /// The batch commits as one transaction (one WAL write for all of it). If any update
    /// fails, that transaction is rolled back and the batch is handled again one update per
    /// transaction, so a failing update is skipped alone and the others still commit.
    /// Returns the replies queued and the FAQ to install if it changed.
    private func write(_ updates: [Update], _ prepared: [PreparedInbound?], malformed: [Int64]) async throws -> (Int, FAQSnapshot?) {
        let assistant = self.assistant, logger = self.logger, now = assistant.clock.now(), fence = self.fence
        return try await database.write { db in
            let last = max(updates.map(\.updateID).max() ?? 0, malformed.max() ?? 0)
            var queued = 0
            do {
                try db.transaction {
                    queued = 0
                    for (index, update) in updates.enumerated() { queued += try Self.handleOne(update, prepared[index], assistant: assistant, db: db, logger: logger) }
                    if last > 0 { try Self.storeOffset(db, last + 1, at: now, fence: fence) }
                }
            } catch let error as DatabaseError where error.isTransient {
                // Cancelled, locked out or cut off, not broken: nothing was committed, and the
                // batch comes again (after the poll loop's back-off, or a restart).
                throw error
            } catch let error as LeaseLost {
                // Another instance leads now: it handles these updates.
                throw error
            } catch {
                queued = 0
                for (index, update) in updates.enumerated() {
                    do {
                        try db.transaction {
                            queued += try Self.handleOne(update, prepared[index], assistant: assistant, db: db, logger: logger)
                            try Self.storeOffset(db, update.updateID + 1, at: now, fence: fence)
                        }
                    } catch let error as DatabaseError where error.isTransient {
                        throw error
                    } catch let error as LeaseLost {
                        throw error
                    } catch {
                        // The update's own changes rolled back; skip it rather than block the chat forever.
                        logger.error("update.failed", ["update": .int(update.updateID), "error": .string("\(error)")])
                        try Self.storeOffset(db, update.updateID + 1, at: now, fence: fence)
                    }
                }
                if last > 0 { try Self.storeOffset(db, last + 1, at: now, fence: fence) }
            }
            for id in malformed { logger.warning("update.malformed", ["update": .int(id)]) }
            return (queued, try assistant.staleFAQ(db))
        }
    }

    /// Advances the stored offset in the caller's transaction and, under a leader lease,
    /// stores it on the lease row fenced on this instance's epoch (`LeaseLost` otherwise).
    static func storeOffset(_ db: any Connection, _ offset: Int64, at now: Instant, fence: BatchFence?) throws {
        try BotState.advance(db, .telegramOffset, to: offset, at: now)
        try fence?.commit(db, offset: offset)
    }

    /// One update's replies queued in the caller's transaction; how many.
    static func handleOne(_ update: Update, _ prepared: PreparedInbound?, assistant: Assistant, db: any Connection, logger: Logger) throws -> Int {
        let now = assistant.clock.now()
        if let prepared {
            let inbound = prepared.inbound
            switch inbound.kind {
            case .text, .attachment: try Outbox.noteInbound(db, chat: inbound.chatID, messageID: inbound.messageID)
            case .button, .membership, .preCheckout, .payment: break
            }
            let outputs = try assistant.handle(prepared, in: db)
            for output in outputs { try Outbox.enqueue(db, output, priority: .live, at: now) }
            return outputs.count
        }
        if let id = update.callbackQuery?.id {
            // A press we cannot route still needs its spinner stopped.
            try Outbox.enqueue(db, .answerButton(callbackID: id, text: nil), at: now)
            return 1
        }
        logger.debug("update.ignored", ["update": .int(update.updateID)])
        return 0
    }

    /// The updates' inbound events with their database-free work done, spread over the cores
    /// (the transaction that follows is serial; this part need not be). Each classification's
    /// time goes into `timing`.
    static func prepare(_ updates: [Update], assistant: Assistant, bot: BotIdentity? = nil, timing: MetricHistogram? = nil) async -> [PreparedInbound?] {
        let operatorChat = assistant.settings.operatorChatID
        let inbounds = groupAlbums(updates.map { inbound($0, bot: bot, operatorChat: operatorChat) })
        let lanes = min(processorCount, max(1, inbounds.count / 8))
        if lanes <= 1 { return inbounds.map { $0.map { prepare($0, assistant: assistant, timing: timing) } } }
        return await withTaskGroup(of: (Int, [PreparedInbound?]).self) { group in
            let size = (inbounds.count + lanes - 1) / lanes
            for lane in 0..<lanes {
                let part = Array(inbounds[min(inbounds.count, lane * size)..<min(inbounds.count, (lane + 1) * size)])
                group.addTask { (lane, part.map { $0.map { prepare($0, assistant: assistant, timing: timing) } }) }
            }
            var parts = [[PreparedInbound?]](repeating: [], count: lanes)
            for await (lane, part) in group { parts[lane] = part }
            return parts.flatMap { $0 }
        }
    }

    /// `assistant.prepare(inbound)`, timed on the monotonic clock when it classified a text.
    static func prepare(_ inbound: Inbound, assistant: Assistant, timing: MetricHistogram?) -> PreparedInbound {
        guard let timing else { return assistant.prepare(inbound) }
        let start = ContinuousClock.now
        let prepared = assistant.prepare(inbound)
        if prepared.isClassified { timing.observe(start.duration(to: .now)) }
        return prepared
    }

    static let processorCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

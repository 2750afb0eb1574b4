import BaohaoCore
import Storage

/// Turns a batch of updates into the assistant's replies: each update in one transaction
/// that also queues its replies and advances the stored offset, so a restart neither loses
/// nor repeats an update. Updates that cannot be used are logged and skipped.
public struct UpdateHandler: Sendable {
    public static let offsetKey = "telegram.offset"
    let assistant: Assistant
    let database: Database
    let logger: Logger

    public init(assistant: Assistant, database: Database, logger: Logger) {
        self.assistant = assistant
        self.database = database
        self.logger = logger
    }

    /// The offset to poll from: one past the last update handled.
    public func storedOffset() async throws -> Int64 {
        try await database.read { db in
            try db.queryFirst("SELECT value FROM bot_state WHERE key = ?", Self.offsetKey) { Int64($0.string(0)) } ?? nil
        } ?? 0
    }

    /// What the platform sent, as the assistant's inbound event; nil for what it does not handle.
    public static func inbound(_ update: Update) -> Inbound? {
        if let message = update.message, let text = message.text, message.chat.id != 0 {
            return Inbound(
                chatID: message.chat.id, userID: message.from?.id ?? message.chat.id, languageHint: message.from?.languageCode,
                messageID: message.messageID, kind: .text(text))
        }
        if let query = update.callbackQuery, let message = query.message, let data = query.data {
            return Inbound(
                chatID: message.chat.id, userID: query.from.id, languageHint: query.from.languageCode, messageID: message.messageID,
                kind: .button(payload: data, callbackID: query.id))
        }
        return nil
    }

    /// Handles `updates` in order and skips `malformed` ids. Returns how many replies were queued.
    @discardableResult
    public func handle(_ updates: [Update], malformed: [Int64] = []) async throws -> Int {
        let assistant = self.assistant, logger = self.logger
        return try await database.write { db in
            var queued = 0
            var skippedUpTo: Int64 = malformed.max() ?? 0
            for update in updates {
                let now = assistant.clock.now()
                do {
                    try db.transaction {
                        if let inbound = Self.inbound(update) {
                            if case .text = inbound.kind { try Outbox.noteInbound(db, chat: inbound.chatID, messageID: inbound.messageID) }
                            for output in try assistant.handle(inbound, in: db) {
                                try Outbox.enqueue(db, output, priority: .live, at: now)
                                queued += 1
                            }
                        } else if update.callbackQuery != nil, let id = update.callbackQuery?.id {
                            // A press we cannot route still needs its spinner stopped.
                            try Outbox.enqueue(db, .answerButton(callbackID: id, text: nil), at: now)
                        } else {
                            logger.debug("update.ignored", ["update": .int(update.updateID)])
                        }
                        try Self.storeOffset(db, update.updateID + 1)
                    }
                } catch {
                    // The update's own changes rolled back; skip it rather than block the chat forever.
                    logger.error("update.failed", ["update": .int(update.updateID), "error": .string("\(error)")])
                    try Self.storeOffset(db, update.updateID + 1)
                }
                skippedUpTo = max(skippedUpTo, update.updateID)
            }
            for id in malformed { logger.warning("update.malformed", ["update": .int(id)]) }
            if let last = malformed.max(), last >= skippedUpTo { try Self.storeOffset(db, last + 1) }
            return queued
        }
    }

    static func storeOffset(_ db: Connection, _ offset: Int64) throws {
        try db.execute(
            """
            INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            WHERE CAST(bot_state.value AS INTEGER) < CAST(excluded.value AS INTEGER)
            """, offsetKey, String(offset))
    }
}

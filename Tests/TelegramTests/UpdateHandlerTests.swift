import BaohaoCore
import Storage
import TestSupport
import Testing
@testable import Telegram
import BaohaoSupport

/// A poll batch commits as one transaction; an update that fails is skipped alone.
@Suite struct UpdateHandlerTests {
    static func update(_ id: Int64, chat: Int64, _ text: String) -> Update {
        Update(
            updateID: id, message: TelegramMessage(messageID: id, from: nil, chat: TelegramChat(id: chat, type: "private"), date: nil, text: text, entities: nil),
            callbackQuery: nil)
    }

    static func handler(_ database: Database, logs: CapturingLogSink) -> UpdateHandler {
        let assistant = Assistant(knowledge: Shipped.knowledge, catalogue: Shipped.catalogue, clock: ManualWallClock("2026-11-22"))
        return UpdateHandler(assistant: assistant, database: database, logger: Logger(level: .debug, sink: logs))
    }

    static func pendingChats(_ database: Database) async throws -> [Int64] {
        try await database.read { db in try db.query("SELECT chat_id FROM outbox ORDER BY id") { $0.int64(0) } }
    }

    @Test func aBatchQueuesOneReplyPerMessageAndStoresTheOffsetPastIt() async throws {
        let database = try await Database.open(path: temporaryDatabase("updates"), migrations: BaohaoSchema.migrations)
        let handler = Self.handler(database, logs: CapturingLogSink())
        let updates: [Update] = (1...40).map { (i: Int) -> Update in
            let text = i % 2 == 0 ? "余额多少" : "how do I top up"
            return Self.update(Int64(i), chat: Int64(100 + i % 7), text)
        }
        let queued = try await handler.handle(updates)
        #expect(queued == 40)
        #expect(try await Self.pendingChats(database) == updates.map { $0.message!.chat.id })
        #expect(try await handler.storedOffset() == 41)
    }

    @Test func aFailingUpdateIsSkippedAloneAndTheRestOfItsBatchCommits() async throws {
        let database = try await Database.open(path: temporaryDatabase("updates"), migrations: BaohaoSchema.migrations)
        // Storing the text "boom" fails, as a bug or a full disk would.
        try await database.write { db in
            switch db.engine {
            case .sqlite:
                try db.executeScript(
                    "CREATE TRIGGER refuse_boom BEFORE INSERT ON recent_messages WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'refused by test'); END;")
            case .postgres:
                // On PostgreSQL a failed statement aborts its transaction: the rest of the
                // batch commits only if the update's own savepoint is rolled back.
                try db.executeScript(
                    """
                    CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.text = 'boom' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$;
                    CREATE TRIGGER refuse_boom BEFORE INSERT ON recent_messages FOR EACH ROW EXECUTE FUNCTION refuse_boom();
                    """)
            }
        }
        let logs = CapturingLogSink()
        let handler = Self.handler(database, logs: logs)
        let queued = try await handler.handle([Self.update(7, chat: 1, "hi"), Self.update(8, chat: 2, "boom"), Self.update(9, chat: 3, "thanks")])
        #expect(queued == 2)
        #expect(try await Self.pendingChats(database) == [1, 3])
        #expect(try await handler.storedOffset() == 10)
        let failed = logs.lines.filter { $0.contains("update.failed") }
        #expect(failed.count == 1)
        #expect(failed.first?.contains("update=8") == true)
        // The failed update left nothing behind.
        let stored = try await database.read { db in try db.query("SELECT text FROM recent_messages ORDER BY message_id") { $0.string(0) } }
        #expect(stored == ["hi", "thanks"])
    }

    @Test func malformedUpdatesAdvanceTheOffsetWithoutReplies() async throws {
        let database = try await Database.open(path: temporaryDatabase("updates"), migrations: BaohaoSchema.migrations)
        let logs = CapturingLogSink()
        let handler = Self.handler(database, logs: logs)
        let queued = try await handler.handle([Self.update(3, chat: 1, "hi")], malformed: [4, 5])
        #expect(queued == 1)
        #expect(try await handler.storedOffset() == 6)
        #expect(logs.lines.filter { $0.contains("update.malformed") }.count == 2)
    }

    @Test func aCancelledBatchSkipsNothing() async throws {
        let database = try await Database.open(path: temporaryDatabase("updates"), migrations: BaohaoSchema.migrations)
        let logs = CapturingLogSink()
        let handler = Self.handler(database, logs: logs)
        let updates: [Update] = (1...3_000).map { Self.update(Int64($0), chat: Int64(100 + $0 % 50), "how do I top up") }
        let task = Task { try await handler.handle(updates) }
        try await Task.sleep(nanoseconds: 30_000_000)
        task.cancel()
        _ = try? await task.value
        // Whatever happened, every update below the stored offset was answered, and none was skipped.
        let offset = try await handler.storedOffset()
        let replies = try await database.read { db in try db.queryFirst("SELECT count(*) FROM outbox") { $0.int64(0) } ?? 0 }
        #expect(replies == max(0, offset - 1), "offset \(offset), \(replies) replies")
        #expect(!logs.lines.contains { $0.contains("update.failed") })
        // Handled again (as after a restart), the rest is answered.
        let rest = updates.filter { $0.updateID >= offset }
        try await handler.handle(rest)
        #expect(try await database.read { db in try db.queryFirst("SELECT count(*) FROM outbox") { $0.int64(0) } } == 3_000)
    }
}

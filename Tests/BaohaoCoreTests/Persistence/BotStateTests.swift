import BaohaoCore
import Storage
import TestSupport
import Testing
import BaohaoSupport

/// `bot_state` through its owner: typed keys, the offset's only-forward rule, the generation count.
@Suite struct BotStateTests {
    static let t1 = Instant(iso: "2026-11-22T10:00:00.000Z")!, t2 = Instant(iso: "2026-11-22T11:00:00.000Z")!

    static func database() async throws -> Database {
        try await Database.open(path: temporaryDatabase("bot-state"), migrations: BaohaoSchema.migrations)
    }

    static func stamp(_ db: any Connection, _ name: String) throws -> String? {
        try db.queryFirst("SELECT updated_at FROM bot_state WHERE key = ?", name) { $0.string(0) }
    }

    @Test func theOffsetOnlyMovesForward() async throws {
        let database = try await Self.database()
        try await database.write { db in
            #expect(try BotState.value(db, .telegramOffset) == nil)
            try BotState.advance(db, .telegramOffset, to: 41, at: Self.t1)
            try BotState.advance(db, .telegramOffset, to: 12, at: Self.t2)
            #expect(try BotState.value(db, .telegramOffset) == 41)
            #expect(try Self.stamp(db, "telegram.offset") == Self.t1.description, "a step back changes nothing, not even the time")
            try BotState.advance(db, .telegramOffset, to: 100, at: Self.t2)
            #expect(try BotState.value(db, .telegramOffset) == 100)
            #expect(try Self.stamp(db, "telegram.offset") == Self.t2.description)
        }
    }

    @Test func theGenerationCountsUpFromOne() async throws {
        let database = try await Self.database()
        try await database.write { db in
            #expect(try BotState.value(db, .faqGeneration) == nil)
            try BotState.increment(db, .faqGeneration, at: Self.t1)
            #expect(try BotState.value(db, .faqGeneration) == 1)
            try BotState.increment(db, .faqGeneration, at: Self.t2)
            try BotState.increment(db, .faqGeneration, at: Self.t2)
            #expect(try BotState.value(db, .faqGeneration) == 3)
            #expect(try Self.stamp(db, "faq.generation") == Self.t2.description)
        }
    }

    @Test func aDayIsStoredAndReplaced() async throws {
        let database = try await Self.database()
        try await database.write { db in
            try BotState.set(db, .lastDigestDay, to: CivilDate(iso: "2026-11-21")!, at: Self.t1)
            try BotState.set(db, .lastDigestDay, to: CivilDate(iso: "2026-11-22")!, at: Self.t2)
            #expect(try BotState.value(db, .lastDigestDay) == CivilDate(iso: "2026-11-22"))
            // The keys are separate and keep the text earlier versions stored.
            #expect(try BotState.value(db, .telegramOffset) == nil)
            #expect(try db.queryFirst("SELECT value FROM bot_state WHERE key = 'alerts.digest_last_day'") { $0.string(0) } == "2026-11-22")
        }
    }
}

import BaohaoCore
import FoundationEssentials
import Storage
import Testing
import TestSupport
@testable import BaohaoApp
@testable import Telegram

#if canImport(Glibc)
import Glibc
#endif
import BaohaoSupport

/// `baohao outbox status`: counts by state, what a running bot is sending now, the latest dead letters.
@Suite struct OutboxCommandTests {
    /// A database with 4 pending items (one retrying), 1 sent, 1 dead letter and 1 inactive chat.
    static func database() async throws -> (path: String, pending: [Int64], sent: Int64) {
        let path = temporaryDatabasePath("outbox-status")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let now = SystemWallClock().now()
        let ids = try await database.write { db in
            let ids = try (1...6).map { i -> Int64 in
                // The first reply has waited 12 minutes.
                try Outbox.enqueue(db, .send(OutboundMessage(chatID: Int64(100 + i), html: "reply \(i)")), at: i == 1 ? now.adding(seconds: -725) : now)
                return db.lastInsertRowID
            }
            try Outbox.markSent(db, id: ids[4], at: now)
            try Outbox.markDead(db, id: ids[5], reason: "Bad Request: chat not found", at: now)
            try Outbox.countAttempt(db, id: ids[3], error: "HTTP 502")
            try Outbox.markChatInactive(db, chat: 999, reason: "Forbidden: bot was blocked by the user", at: now)
            return ids
        }
        return (path, Array(ids[0..<4]), ids[4])
    }

    func status(_ path: String) async -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_DB": path]
        let code = await BaohaoCLI.main(arguments: ["outbox", "status"], environment: ProcessEnvironment(environment), io: captured.io)
        return (code, captured)
    }

    @Test func statusCountsPendingInFlightRetryingSentAndDead() async throws {
        let (path, pending, sent) = try await Self.database()
        // A running bot (this process: it holds the lock) is delivering two pending items and one already stored as sent.
        let lock = try await InstanceLock.acquire(databasePath: path, waitSeconds: 0)
        defer { withExtendedLifetime(lock) {} }
        let record = try #require(InFlightRecord(path: InFlightRecord.path(forDatabase: path)))
        record.begin([pending[0], pending[1], sent])
        let (code, io) = await status(path)
        #expect(code == 0, "\(io.err)")
        #expect(io.out.hasPrefix("pending 4 (in flight 2, retrying 1), sent 1, dead-lettered 1, inactive chats 1"), "\(io.out)")
        #expect(io.out.contains("chat 106: Bad Request: chat not found"))
        #expect(io.out.contains("\noldest waiting: 12 min "), "\(io.out)")
        record.end()
        #expect(await status(path).1.out.hasPrefix("pending 4 (in flight 0, retrying 1)"))
    }

    @Test func aRecordLeftByACrashedBotCountsNothingInFlight() async throws {
        let (path, pending, _) = try await Self.database()
        // No bot holds the lock, even though the record names a live pid (a restarted bot may get the same one).
        try "pid \(getpid())\n\(pending[0])\n".write(toFile: InFlightRecord.path(forDatabase: path), atomically: true, encoding: .utf8)
        let (code, io) = await status(path)
        #expect(code == 0)
        #expect(io.out.hasPrefix("pending 4 (in flight 0, retrying 1), sent 1"), "\(io.out)")
    }

    /// A reason stored before reasons were made readable (a proxy's whole HTML page) is
    /// shown on one line of at most 160 characters; nothing waiting shows no age.
    @Test func oldReasonsShowOnOneLine() async throws {
        let path = temporaryDatabasePath("outbox-html")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let page = "HTTP 502 twice (the message may have been delivered): <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" + String(repeating: "<center>nginx</center>\r\n", count: 20) + "</body></html>"
        try await database.write { db in
            try Outbox.enqueue(db, .send(OutboundMessage(chatID: 7, html: "reply")), at: SystemWallClock().now())
            try Outbox.markDead(db, id: db.lastInsertRowID, reason: page, at: SystemWallClock().now())
        }
        let (code, io) = await status(path)
        #expect(code == 0)
        let line = try #require(io.out.split(separator: "\n").first { $0.contains("chat 7:") })
        #expect(line.hasPrefix("  #1 chat 7: HTTP 502 twice (the message may have been delivered): <html> <head><title>502 Bad Gateway</title></head> <body>"), "\(line)")
        #expect(line.count <= 160 + "  #1 chat 7: ".count)
        #expect(line.hasSuffix("…"))
        #expect(!io.out.contains("oldest waiting"))
    }
}

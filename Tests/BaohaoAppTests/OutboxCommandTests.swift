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
        // A SQLite file: the in-flight record these tests read is kept beside it.
        let path = temporaryDatabasePath("outbox-status")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let now = SystemWallClock().now()
        let ids = try await database.write { db in
            let ids = try (1...6).map { i -> Int64 in
                // The first reply has waited 12 minutes.
                try Outbox.enqueueReturningID(db, OutboundMessage(chatID: Int64(100 + i), html: "reply \(i)"), at: i == 1 ? now.adding(seconds: -725) : now)
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
        #expect(io.out.hasPrefix("pending 4 (in flight 2, retrying 1), sent 1 (possible duplicates 0), dead-lettered 1, inactive chats 1"), "\(io.out)")
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
        #expect(io.out.hasPrefix("pending 4 (in flight 0, retrying 1), sent 1 (possible duplicates 0)"), "\(io.out)")
    }

    /// A reason stored before reasons were made readable (a proxy's whole HTML page) is
    /// shown on one line of at most 160 characters; nothing waiting shows no age.
    @Test func oldReasonsShowOnOneLine() async throws {
        let path = temporaryDatabase("outbox-html")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let page = "HTTP 502 twice (the message may have been delivered): <html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" + String(repeating: "<center>nginx</center>\r\n", count: 20) + "</body></html>"
        try await database.write { db in
            let id = try Outbox.enqueueReturningID(db, OutboundMessage(chatID: 7, html: "reply"), at: SystemWallClock().now())
            try Outbox.markDead(db, id: id, reason: page, at: SystemWallClock().now())
        }
        let (code, io) = await status(path)
        #expect(code == 0)
        let line = try #require(io.out.split(separator: "\n").first { $0.contains("chat 7:") })
        #expect(line.hasPrefix("  #1 chat 7: HTTP 502 twice (the message may have been delivered): <html> <head><title>502 Bad Gateway</title></head> <body>"), "\(line)")
        #expect(line.count <= 160 + "  #1 chat 7: ".count)
        #expect(line.hasSuffix("…"))
        #expect(!io.out.contains("oldest waiting"))
    }

    func run(_ path: String, _ arguments: [String]) async -> (Int32, CapturedIO) {
        let captured = CapturedIO()
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_DB": path]
        let code = await BaohaoCLI.main(arguments: arguments, environment: ProcessEnvironment(environment), io: captured.io)
        return (code, captured)
    }

    func states(_ path: String) async throws -> [Int64: String] {
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let rows = try await database.read { db in try db.query("SELECT id, state, attempts, coalesce(error, '') FROM outbox") { ($0.int64(0), "\($0.string(1)) \($0.int(2)) \($0.string(3))") } }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    /// `outbox retry`: one dead letter by id, or all (since a time); anything else refuses,
    /// naming what was wrong, and changes nothing.
    @Test func deadLettersAreQueuedAgainOneOrAllAndNothingElseChanges() async throws {
        let path = temporaryDatabase("outbox-retry")
        let database = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        let now = SystemWallClock().now()
        let ids = try await database.write { db in
            try (1...4).map { i -> Int64 in
                let id = try Outbox.enqueueReturningID(db, OutboundMessage(chatID: Int64(i), html: "reply \(i)"), at: now)
                // #1 died two days ago, #2 and #3 an hour ago, #4 was sent.
                if i == 4 { try Outbox.markSent(db, id: id, at: now) } else {
                    try Outbox.markDead(db, id: id, reason: "HTTP 502 Bad Gateway twice", at: now.adding(seconds: i == 1 ? -2 * 86_400 : -3600))
                }
                return id
            }
        }
        let before = try await states(path)
        for (arguments, message) in [
            (["outbox", "retry"], "give a dead letter's ID or --all"), (["outbox", "retry", "\(ids[0])", "--all"], "give a dead letter's ID or --all"),
            (["outbox", "retry", "\(ids[3])"], "outbox item #\(ids[3]) is sent, not a dead letter"), (["outbox", "retry", "999"], "no outbox item #999"),
            (["outbox", "retry", "abc"], "'abc' is not an outbox item id"), (["outbox", "retry", "\(ids[0])", "--since", "2026-01-01"], "--since goes with --all"),
            (["outbox", "retry", "--all", "--since", "yesterday"], "--since 'yesterday' is not"),
        ] {
            let (code, io) = await run(path, arguments)
            #expect(code != 0, "\(arguments)")
            #expect(io.err.contains(message), "\(arguments): \(io.err)")
        }
        #expect(try await states(path) == before, "a refused retry changed nothing")

        let one = await run(path, ["outbox", "retry", "#\(ids[1])"])
        #expect(one.0 == 0 && one.1.out.contains("queued again: 1 (#\(ids[1]))"), "\(one.1.out)\(one.1.err)")
        #expect(try await states(path)[ids[1]] == "pending 0 ")
        let since = Instant(millisecondsSinceEpoch: now.millisecondsSinceEpoch - 86_400_000).description
        let recent = await run(path, ["outbox", "retry", "--all", "--since", since])
        #expect(recent.1.out.contains("queued again: 1 (#\(ids[2]))"), "\(recent.1.out)")
        #expect(try await states(path)[ids[0]]?.hasPrefix("dead") == true, "died before --since")
        let all = await run(path, ["outbox", "retry", "--all"])
        #expect(all.1.out.contains("queued again: 1 (#\(ids[0]))"))
        #expect(try await states(path).values.sorted() == ["pending 0 ", "pending 0 ", "pending 0 ", "sent 1 "])
        let none = await run(path, ["outbox", "retry", "--all"])
        #expect(none.1.out.hasPrefix("no dead letters") && !none.1.out.contains("since"), "\(none.1.out)")
    }
}

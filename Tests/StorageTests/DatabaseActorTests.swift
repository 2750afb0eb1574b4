import Synchronization
import Testing
import TestSupport
@testable import Storage

/// A query that would run for minutes unless interrupted.
let endlessQuery = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000000) SELECT count(*) FROM c"

/// Set by a database closure when it begins.
final class Started: Sendable {
    let flag = Atomic<Bool>(false)
}

@Suite struct DatabaseActorTests {
    @Test func manyConcurrentTasksShareOneDatabase() async throws {
        let db = try await Database.open(
            path: temporaryDatabasePath(),
            migrations: [Migration(version: 1, name: "counter", sql: "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0); CREATE TABLE log (task INTEGER, i INTEGER)")])
        let tasks = 50, increments = 20
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for i in 0..<increments {
                        try await db.write { conn in
                            let n = try conn.queryFirst("SELECT n FROM counter") { $0.int(0) }!
                            try conn.execute("UPDATE counter SET n = ?", n + 1)
                            try conn.execute("INSERT INTO log VALUES (?, ?)", task, i)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let (n, logged) = try await db.read { conn in
            (try conn.queryFirst("SELECT n FROM counter") { $0.int(0) }!,
             try conn.queryFirst("SELECT count(*) FROM log") { $0.int(0) }!)
        }
        #expect(n == tasks * increments)
        #expect(logged == tasks * increments)
    }

    @Test func aThrowingWriteChangesNothing() async throws {
        let db = try await Database.open(
            path: ":memory:", migrations: [Migration(version: 1, name: "t", sql: "CREATE TABLE t (v)")])
        await #expect(throws: Boom.self) {
            try await db.write { conn in
                try conn.execute("INSERT INTO t VALUES (?)", 1)
                throw Boom()
            }
        }
        #expect(try await db.read { try $0.queryFirst("SELECT count(*) FROM t") { $0.int(0) } } == 0)
    }

    @Test func cancellationInterruptsARunningQuery() async throws {
        let db = try await Database.open(path: ":memory:")
        let started = Started()
        let task = Task {
            try await db.read { conn in
                started.flag.store(true, ordering: .releasing)
                return try conn.queryFirst(endlessQuery) { $0.int64(0) }
            }
        }
        // Cancel only once the statement is running, however loaded the machine is.
        while !started.flag.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let result = await task.result
        switch result {
        case .success(let value): Issue.record("query finished instead of being interrupted: \(String(describing: value))")
        case .failure(let error): #expect((error as? DatabaseError)?.isInterrupted == true)
        }
        // The database still works afterwards.
        #expect(try await db.read { try $0.queryFirst("SELECT 41 + 1") { $0.int(0) } } == 42)
    }

    @Test func cancellationIsNeverLostWhateverItsMoment() async throws {
        // Cancelled before, at, or during the statement: every time the operation stops with
        // an error instead of running its five billion rows, and the database stays usable.
        for round in 0..<60 {
            let db = try await Database.open(path: ":memory:")
            let task = Task {
                try await db.read { conn in
                    try conn.queryFirst(endlessQuery) { $0.int64(0) }
                }
            }
            if round % 3 != 0 { try await Task.sleep(for: .milliseconds(round % 5)) }
            task.cancel()
            switch await task.result {
            case .success: Issue.record("round \(round): the query ran to completion")
            case .failure(let error):
                #expect(error is CancellationError || (error as? DatabaseError)?.isInterrupted == true, "round \(round): \(error)")
            }
            #expect(try await db.read { try $0.queryFirst("SELECT 7") { $0.int(0) } } == 7)
        }
    }
}


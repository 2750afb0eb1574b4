import Synchronization
import Testing
import TestSupport
@testable import Storage

/// `Database` on PostgreSQL, against the shared throwaway cluster.
@Suite(.requiresPostgres)
struct PostgresDatabaseTests {
    private func open() async throws -> Database {
        try await Database.open(path: try PostgresCluster.shared().makeDatabase())
    }

    @Test func writesCommitAndAThrowingWriteChangesNothing() async throws {
        let db = try await open()
        try await db.withConnection { try $0.executeScript("CREATE TABLE t (v BIGINT)") }
        try await db.write { try $0.execute("INSERT INTO t VALUES ($1)", 1) }
        await #expect(throws: Boom.self) {
            try await db.write { conn in
                try conn.execute("INSERT INTO t VALUES ($1)", 2)
                throw Boom()
            }
        }
        #expect(try await db.withConnection { try $0.query("SELECT v FROM t") { $0.int64(0) } } == [1])
        #expect(db.engine == .postgres)
    }

    @Test func cancellationStopsARunningStatementOnTheServer() async throws {
        let url = try PostgresCluster.shared().makeDatabase()
        let db = try await Database.open(path: url)
        let task = Task {
            try await db.write { conn in
                try conn.execute("CREATE TABLE t (v BIGINT)")
                return try conn.queryFirst("SELECT pg_sleep(30)::text") { $0.string(0) }
            }
        }
        // Cancel only once the server runs the sleep, however loaded the machine is (a
        // cancel request that arrives before the statement is ignored by PostgreSQL).
        let observer = try PGConnection(url)
        while try observer.queryFirst(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = 'SELECT pg_sleep(30)::text'",
            map: { $0.int(0) }) == 0
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        let clock = ContinuousClock()
        let cancelled = clock.now
        task.cancel()
        switch await task.result {
        case .success: Issue.record("pg_sleep(30) ran to its end")
        case .failure(let error):
            #expect((error as? DatabaseError)?.sqlState == "57014", "\(error)")
            #expect((error as? DatabaseError)?.isInterrupted == true)
        }
        #expect(clock.now - cancelled < .seconds(20))  // not the sleep's 30 s
        // Rolled back, and the connection works afterwards.
        let tables = try await db.withConnection {
            try $0.queryFirst("SELECT count(*) FROM pg_tables WHERE tablename = 't'") { $0.int(0) }
        }
        #expect(tables == 0)
        #expect(try await db.withConnection { $0.isInTransaction } == false)
    }

    @Test func aTaskCancelledBeforeItRunsStartsNoStatement() async throws {
        let db = try await open()
        try await db.withConnection { try $0.executeScript("CREATE TABLE t (v BIGINT)") }
        let gate = Started()
        let task = Task {
            while !gate.flag.load(ordering: .acquiring) { await Task.yield() }
            return try await db.write { try $0.execute("INSERT INTO t VALUES (1)") }
        }
        task.cancel()
        gate.flag.store(true, ordering: .releasing)
        switch await task.result {
        case .success: Issue.record("the insert ran although its task was cancelled")
        case .failure(let error):
            #expect(error is CancellationError || (error as? DatabaseError)?.isInterrupted == true, "\(error)")
        }
        #expect(try await db.withConnection { try $0.queryFirst("SELECT count(*) FROM t") { $0.int(0) } } == 0)
    }
}

import Testing
import TestSupport
@testable import Storage

/// Against a real server: a throwaway cluster shared by the test process, one new database
/// per test. Without PostgreSQL installed these tests are skipped (reported as not run).
@Suite(.requiresPostgres)
struct PostgresConnectionTests {
    private func connect() throws -> PGConnection {
        try PGConnection(try PostgresCluster.shared().makeDatabase())
    }

    @Test func bindsRoundTripThroughTextFormat() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE t (i BIGINT, s TEXT, n TEXT, b BOOLEAN, d DOUBLE PRECISION, bytes BYTEA)")
        let odd = "é̃ 中文 👩‍👩‍👧 \u{202E}rtl\u{202C} 'single' \"double\" \\ back $1 ;-- \t\n\r end"
        let doubles: [Double] = [0.1, -0.0, 1e-300, .pi, .greatestFiniteMagnitude, -.infinity, .infinity]
        for (k, d) in doubles.enumerated() {
            let none: String? = nil
            try db.execute(
                "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)", Int64.min + Int64(k), odd, none, k % 2 == 0, d, [0, 1, 0xFF] as [UInt8])
        }
        let rows = try db.query("SELECT i, s, n, b, d, bytes FROM t ORDER BY i") { row in
            (row.int64(0), row.string(1), row.optionalString(2), row.isNull(2), row.bool(3), row.double(4), row.blob(5))
        }
        #expect(rows.count == doubles.count)
        for (k, row) in rows.enumerated() {
            #expect(row.0 == Int64.min + Int64(k))
            #expect(row.1 == odd)
            #expect(row.2 == nil && row.3)
            #expect(row.4 == (k % 2 == 0))
            #expect(row.5 == doubles[k] && row.5.sign == doubles[k].sign)
            #expect(row.6 == [0, 1, 0xFF])
        }
        // NaN, Int64.max, the empty string (not NULL) and a Bool into an integer column.
        let back = try db.queryFirst("SELECT $1::float8, $2::bigint, $3::text, $4::int, $5::text IS NULL", Double.nan, Int64.max, "", true, Optional<Int64>.none) {
            ($0.double(0), $0.int64(1), $0.optionalString(2), $0.bool(3), $0.bool(4))
        }
        #expect(back?.0.isNaN == true)
        #expect(back?.1 == Int64.max)
        #expect(back?.2 == "")
        #expect(back?.3 == true)
        #expect(back?.4 == true)
    }

    /// PostgreSQL's text cannot hold U+0000: it is kept as U+FFFD, whole, not cut short at it
    /// and not refused (a customer's message with one would otherwise be lost).
    @Test func textWithANulIsKeptWithTheReplacementCharacter() throws {
        let db = try connect()
        #expect(try db.queryFirst("SELECT $1::text", "a\u{0}b\u{0}") { $0.string(0) } == "a\u{FFFD}b\u{FFFD}")
    }

    @Test func executeCountsTheRowsItChanged() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE lease (bot_id BIGINT PRIMARY KEY, epoch BIGINT NOT NULL, update_offset BIGINT NOT NULL)")
        try db.execute("INSERT INTO lease VALUES ($1, $2, $3)", 1, 7, 100)
        #expect(db.changes == 1)
        // The fence: the holder of epoch 7 moves the offset; a stale holder of epoch 6 changes nothing.
        try db.execute("UPDATE lease SET update_offset = ? WHERE bot_id = ? AND epoch = ?", 101, 1, 7)
        #expect(db.changes == 1)
        try db.execute("UPDATE lease SET update_offset = ? WHERE bot_id = ? AND epoch = ?", 999, 1, 6)
        #expect(db.changes == 0)
        #expect(try db.queryFirst("SELECT update_offset FROM lease") { $0.int64(0) } == 101)
    }

    @Test func aFailedStatementRollsBackItsTransaction() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE t (k TEXT PRIMARY KEY)")
        #expect(throws: DatabaseError.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES ($1)", "first")
                try db.execute("INSERT INTO t VALUES ($1)", "first")
            }
        }
        #expect(!db.isInTransaction)
        #expect(try db.query("SELECT k FROM t") { $0.string(0) } == [])
        // The connection is usable afterwards.
        try db.transaction { try db.execute("INSERT INTO t VALUES ($1)", "kept") }
        #expect(try db.query("SELECT k FROM t") { $0.string(0) } == ["kept"])
    }

    @Test func aSwallowedErrorStillFailsTheCommit() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE t (k TEXT PRIMARY KEY)")
        let error = #expect(throws: DatabaseError.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES ($1)", "lost")
                _ = try? db.execute("INSERT INTO t VALUES ($1)", "lost")  // caught (or not yet known): the transaction fails anyway
            }
        }
        // The COMMIT names the statement that failed, whether its error was seen and
        // swallowed or is only learned at the COMMIT (pipelined writes).
        #expect(error?.sqlState == "23505")
        #expect(error?.sql == "INSERT INTO t VALUES ($1)")
        #expect(!db.isInTransaction)
        #expect(try db.query("SELECT k FROM t") { $0.string(0) } == [])
        // Outside a transaction the same statement fails where it is run.
        try db.execute("INSERT INTO t VALUES ($1)", "kept")
        #expect(throws: DatabaseError.self) { try db.execute("INSERT INTO t VALUES ($1)", "kept") }
    }

    @Test func pipelinedWritesAreReadWithTheNextQueryInOrder() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE t (k BIGINT PRIMARY KEY, v TEXT NOT NULL)")
        let seen = try db.transaction {
            for k in 0..<50 { try db.execute("INSERT INTO t VALUES ($1, $2)", Int64(k), "v\(k)") }
            try db.execute("UPDATE t SET v = 'odd' WHERE k % 2 = 1")
            #expect(db.changes == 25)
            try db.execute("DELETE FROM t WHERE k >= 40")
            // The query sees every write before it, in the order they were made.
            return try db.query("SELECT k, v FROM t ORDER BY k") { "\($0.int64(0))=\($0.string(1))" }
        }
        #expect(seen.count == 40)
        #expect(seen.prefix(3) == ["0=v0", "1=odd", "2=v2"])
        #expect(try db.queryFirst("SELECT count(*) FROM t") { $0.int(0) } == 40)
    }

    @Test func aFailedPipelinedWriteFailsTheNextQueryAndNothingAfterItRuns() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE t (k TEXT PRIMARY KEY); CREATE TABLE u (k TEXT)")
        let error = #expect(throws: DatabaseError.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES ($1)", "a")
                try db.execute("INSERT INTO t VALUES ($1)", "a")  // fails on the server, learned below
                try db.execute("INSERT INTO u VALUES ($1)", "after")  // never runs
                _ = try db.query("SELECT k FROM u") { $0.string(0) }
                Issue.record("the query after a failed write returned")
            }
        }
        #expect(error?.sqlState == "23505")
        #expect(error?.sql == "INSERT INTO t VALUES ($1)")
        #expect(try db.queryFirst("SELECT (SELECT count(*) FROM t) + (SELECT count(*) FROM u)") { $0.int(0) } == 0)
        // `changes` cannot throw: the error it meets is thrown by the next statement.
        let later = #expect(throws: DatabaseError.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES ($1)", "b")
                try db.execute("INSERT INTO t VALUES ($1)", "b")
                #expect(db.changes == 1)  // the last statement whose result arrived
                try db.execute("INSERT INTO u VALUES ($1)", "after")
            }
        }
        #expect(later?.sqlState == "23505")
        #expect(try db.query("SELECT k FROM t") { $0.string(0) } == [])
        // The connection is in a clean state afterwards, in and out of transactions.
        try db.transaction { try db.execute("INSERT INTO t VALUES ($1)", "c") }
        #expect(try db.query("SELECT k FROM t") { $0.string(0) } == ["c"])
    }

    @Test func aNestedFailureUndoesOnlyTheSavepoint() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE t (k TEXT PRIMARY KEY)")
        try db.transaction {
            try db.execute("INSERT INTO t VALUES ($1)", "outer")
            #expect(throws: DatabaseError.self) {
                try db.transaction {
                    try db.execute("INSERT INTO t VALUES ($1)", "inner")
                    try db.execute("INSERT INTO t VALUES ($1)", "outer")
                }
            }
        }
        #expect(try db.query("SELECT k FROM t ORDER BY k") { $0.string(0) } == ["outer"])
    }

    @Test func aUniqueViolationCarriesSQLState23505() throws {
        let db = try connect()
        try db.executeScript("CREATE TABLE t (k TEXT PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES ($1)", "x")
        let error = #expect(throws: DatabaseError.self) { try db.execute("INSERT INTO t VALUES ($1)", "x") }
        #expect(error?.sqlState == "23505")
        #expect(error?.isConstraintViolation == true)
        #expect(error?.sql == "INSERT INTO t VALUES ($1)")
        #expect(error.map { "\($0)" }?.hasPrefix("PostgreSQL error 23505: duplicate key value") == true)
        let syntax = #expect(throws: DatabaseError.self) { try db.executeScript("SELEC 1") }
        #expect(syntax?.sqlState == "42601")
        #expect(syntax?.isConstraintViolation == false)
    }

    @Test func thePasswordRoleConnectsWithItsPasswordOnly() throws {
        let cluster = try PostgresCluster.shared()
        let right = "postgres://\(cluster.passwordRole):\(cluster.passwordRolePassword)@127.0.0.1:\(cluster.port)/postgres"
        let db = try PGConnection(right)
        #expect(try db.queryFirst("SELECT current_user") { $0.string(0) } == cluster.passwordRole)
        #expect(!"\(db)".contains(cluster.passwordRolePassword))
    }

    /// Each string sets a wrong password; each failure is shown, and libpq's reason is kept,
    /// but the password never is (libpq itself echoes a bad percent escape, for one).
    @Test(arguments: [
        ("postgres://baohao_pw:Wr0ng-s3cret-XYZ@127.0.0.1:PORT/postgres", "password authentication failed"),
        ("host=127.0.0.1 port=PORT dbname=postgres user=baohao_pw password=Wr0ng-s3cret-XYZ", "password authentication failed"),
        ("host=127.0.0.1 port=PORT user=baohao_pw password = 'Wr0ng-s3cret-XYZ with \\' quote'", "password authentication failed"),
        ("postgres://baohao_pw@127.0.0.1:PORT/postgres?password=Wr0ng-s3cret-XYZ&connect_timeout=5", "password authentication failed"),
        ("postgres://someone:Wr0ng-s3cret-XYZ@no-such-host.invalid:5432/db?connect_timeout=2", "no-such-host.invalid"),
        ("host=no-such-host.invalid password=Wr0ng-s3cret-XYZ connect_timeout=2", "no-such-host.invalid"),
        ("postgres://someone:Wr0ng-s3cret%zzXYZ@127.0.0.1:PORT/postgres", "invalid percent-encoded token"),
        ("host=127.0.0.1 port=PORT password=Wr0ng-s3cret-XYZ no_such_option=1", "invalid connection option"),
    ])
    func aFailedConnectionNeverShowsThePassword(_ template: String, _ reason: String) throws {
        let cluster = try PostgresCluster.shared()
        let string = template.replacing("PORT", with: "\(cluster.port)")
        let error = #expect(throws: DatabaseError.self) { _ = try PGConnection(string) }
        let shown = "\(error.map { "\($0)" } ?? "") \(error?.message ?? "")"
        #expect(!shown.contains("s3cret"), "\(shown)")
        #expect(!shown.contains("XYZ"), "\(shown)")
        #expect(shown.contains("***"), "\(shown)")
        #expect(shown.contains(reason), "\(shown)")
        #expect(error?.sqlState == "08001")
    }
}

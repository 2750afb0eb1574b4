import Foundation
import Testing
import TestSupport
@testable import Storage

@Suite struct ConnectionTests {
    @Test func opensWithWALForeignKeysAndBusyTimeout() throws {
        let path = temporaryDatabasePath()
        let db = try SQLiteConnection(path: path)
        let mode = try db.queryFirst("PRAGMA journal_mode") { $0.string(0) }
        #expect(mode == "wal")
        #expect(try db.queryFirst("PRAGMA foreign_keys") { $0.int(0) } == 1)
        #expect(try db.queryFirst("PRAGMA busy_timeout") { $0.int(0) } == 5000)
    }

    @Test func roundTripsEveryStorageClass() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try db.executeScript("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)")
        let texts = ["", "plain", "emoji 👩‍👩‍👧‍👦🇭🇰", "中文 繁體 粵語嘅", "it's \"quoted\"; DROP TABLE t;--", "nul\u{0}inside", "\u{202E}rtl\u{200D}zwj"]
        let blobs: [[UInt8]] = [[], [0], [0, 0, 255, 0, 1], Array(0...255)]
        let ints: [Int64] = [Int64.min, -1, 0, 1, Int64.max]
        let doubles: [Double] = [0, -0.5, 1e308, -1e-308, .pi]
        for (index, text) in texts.enumerated() {
            try db.execute(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?)", ints[index % ints.count], doubles[index % doubles.count],
                text, blobs[index % blobs.count], DatabaseValue.null)
        }
        let rows = try db.query("SELECT i, r, s, b, n FROM t ORDER BY rowid") { row in
            (row.int64(0), row.double(1), row.string(2), row.blob(3), row.isNull(4), row.value(3))
        }
        #expect(rows.count == texts.count)
        for (index, row) in rows.enumerated() {
            #expect(row.0 == ints[index % ints.count])
            #expect(row.1 == doubles[index % doubles.count])
            #expect(row.2 == texts[index])
            #expect(row.3 == blobs[index % blobs.count])
            #expect(row.4)
        }
        // An empty blob stays a (zero-length) blob, not NULL; an empty string stays text.
        #expect(rows[0].5 == .blob([]))
        #expect(try db.queryFirst("SELECT typeof(s) FROM t WHERE s = ''") { $0.string(0) } == "text")
    }

    @Test func bindsOptionalsAndBools() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try db.executeScript("CREATE TABLE t (a, b)")
        let none: String? = nil
        try db.execute("INSERT INTO t VALUES (?, ?)", none, true)
        let row = try db.queryFirst("SELECT a, b FROM t") { ($0.optionalString(0), $0.bool(1), $0.optionalInt64(0)) }
        #expect(row?.0 == nil)
        #expect(row?.1 == true)
        #expect(row?.2 == nil)
    }

    @Test func wrongArgumentCountIsAClearError() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try db.executeScript("CREATE TABLE t (a)")
        #expect {
            try db.execute("INSERT INTO t VALUES (?)", 1, 2)
        } throws: { error in
            let e = error as! DatabaseError
            return e.message.contains("takes 1 argument(s), 2 given") && e.sql == "INSERT INTO t VALUES (?)"
        }
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try db.executeScript("CREATE TABLE t (a INTEGER PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES (?)", 1)
        do {
            try db.execute("INSERT INTO t VALUES (?)", 1)
            Issue.record("expected a constraint error")
        } catch {
            #expect(error.isConstraintViolation)
            #expect(error.code == 19)
            #expect(error.extendedCode == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(error.message.contains("UNIQUE"))
            #expect(error.sql == "INSERT INTO t VALUES (?)")
            #expect(error.description.contains("INSERT INTO t"))
        }
        #expect(throws: DatabaseError.self) { try db.prepare("SELEC nonsense") }
        do {
            _ = try db.prepare("SELECT * FROM missing_table")
        } catch {
            #expect(error.message.contains("no such table: missing_table"))
            #expect(error.sql == "SELECT * FROM missing_table")
        }
    }

    @Test func statementCacheReusesPreparedStatements() throws {
        let db = try SQLiteConnection(path: ":memory:")
        let first = try db.cachedStatement("SELECT 1")
        let second = try db.cachedStatement("SELECT 1")
        #expect(first === second)
        #expect(try db.cachedStatement("SELECT 2") !== first)
    }

    @Test func foreignKeysAreEnforced() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try db.executeScript("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))")
        #expect(throws: DatabaseError.self) { try db.execute("INSERT INTO c VALUES (?)", 42) }
    }
}

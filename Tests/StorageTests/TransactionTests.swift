import Testing
import TestSupport
@testable import Storage

struct Boom: Error {}

@Suite struct TransactionTests {
    private func makeTable() throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: ":memory:")
        try db.executeScript("CREATE TABLE t (v TEXT)")
        return db
    }

    private func values(_ db: SQLiteConnection) throws -> [String] {
        try db.query("SELECT v FROM t ORDER BY rowid") { $0.string(0) }
    }

    @Test func commitsWhenTheBodyReturns() throws {
        let db = try makeTable()
        let result = try db.transaction { () throws -> Int in
            try db.execute("INSERT INTO t VALUES (?)", "a")
            return 7
        }
        #expect(result == 7)
        #expect(try values(db) == ["a"])
        #expect(!db.isInTransaction)
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        let db = try makeTable()
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (?)", "lost")
                throw Boom()
            }
        }
        #expect(try values(db) == [])
        #expect(!db.isInTransaction)
        // The connection is usable afterwards.
        try db.transaction { try db.execute("INSERT INTO t VALUES (?)", "kept") }
        #expect(try values(db) == ["kept"])
    }

    @Test func nestedFailureUndoesOnlyTheSavepoint() throws {
        let db = try makeTable()
        try db.transaction {
            try db.execute("INSERT INTO t VALUES (?)", "outer")
            #expect(throws: Boom.self) {
                try db.transaction {
                    try db.execute("INSERT INTO t VALUES (?)", "inner")
                    try db.transaction { try db.execute("INSERT INTO t VALUES (?)", "innermost") }
                    throw Boom()
                }
            }
            try db.transaction { try db.execute("INSERT INTO t VALUES (?)", "second inner") }
        }
        #expect(try values(db) == ["outer", "second inner"])
    }

    @Test func outerFailureUndoesCommittedSavepoints() throws {
        let db = try makeTable()
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.transaction { try db.execute("INSERT INTO t VALUES (?)", "inner") }
                throw Boom()
            }
        }
        #expect(try values(db) == [])
    }

    @Test func immediateTransactionsExcludeASecondWriter() throws {
        let path = temporaryDatabasePath()
        let a = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 50)
        let b = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 50)
        try a.executeScript("CREATE TABLE t (v TEXT)")
        try a.transaction {
            try a.execute("INSERT INTO t VALUES (?)", "a")
            do {
                try b.transaction { try b.execute("INSERT INTO t VALUES (?)", "b") }
                Issue.record("second writer should be refused while the first holds the lock")
            } catch let error as DatabaseError {
                #expect(error.code == 5)  // SQLITE_BUSY
            }
        }
        #expect(try b.query("SELECT v FROM t") { $0.string(0) } == ["a"])
    }
}

import Testing
import TestSupport
@testable import Storage

@Suite struct MigrationTests {
    let migrations = [
        Migration(version: 1, name: "create chats", sql: "CREATE TABLE chats (id INTEGER PRIMARY KEY, name TEXT)"),
        Migration(version: 2, name: "add language", sql: "ALTER TABLE chats ADD COLUMN language TEXT NOT NULL DEFAULT 'zh-Hans'"),
    ]

    @Test func appliesEachOnceAndIsIdempotentOnReopen() throws {
        let path = temporaryDatabasePath()
        do {
            let db = try SQLiteConnection(path: path)
            #expect(try Migrator.migrate(db, migrations) == [1, 2])
            try db.execute("INSERT INTO chats (id, name) VALUES (?, ?)", 1, "a")
        }
        let reopened = try SQLiteConnection(path: path)
        #expect(try Migrator.migrate(reopened, migrations) == [])
        #expect(try Migrator.appliedVersions(reopened) == [1, 2])
        #expect(try reopened.queryFirst("SELECT language FROM chats WHERE id = 1") { $0.string(0) } == "zh-Hans")
        // A later build adds a migration: only it runs.
        let more = migrations + [Migration(version: 3, name: "index", sql: "CREATE INDEX chats_name ON chats(name)")]
        #expect(try Migrator.migrate(reopened, more) == [3])
        let names = try reopened.query("SELECT name FROM schema_version ORDER BY version") { $0.string(0) }
        #expect(names == ["create chats", "add language", "index"])
    }

    @Test func aFailingMigrationLeavesNoTraceAndKeepsEarlierOnes() throws {
        let db = try SQLiteConnection(path: ":memory:")
        let broken = migrations + [
            Migration(version: 3, name: "half applied", sql: "CREATE TABLE x (a); CREATE TABLE chats (dup)")
        ]
        do {
            try Migrator.migrate(db, broken)
            Issue.record("expected failure")
        } catch let error as DatabaseError {
            #expect(error.message.contains("migration 3 'half applied' failed"))
            #expect(error.message.contains("already exists"))
        }
        #expect(try Migrator.appliedVersions(db) == [1, 2])
        // Table x from the failed migration's first statement was rolled back.
        #expect(try db.queryFirst("SELECT count(*) FROM sqlite_master WHERE name = 'x'") { $0.int(0) } == 0)
    }

    @Test func rejectsDuplicateAndNonPositiveVersions() throws {
        let db = try SQLiteConnection(path: ":memory:")
        let duplicate = [migrations[0], Migration(version: 1, name: "again", sql: "SELECT 1")]
        #expect { try Migrator.migrate(db, duplicate) } throws: {
            ($0 as? DatabaseError)?.message.contains("two migrations have version 1") == true
        }
        #expect { try Migrator.migrate(db, [Migration(version: 0, name: "zero", sql: "")]) } throws: {
            ($0 as? DatabaseError)?.message.contains("versions start at 1") == true
        }
    }

    @Test func refusesADatabaseFromANewerBuild() throws {
        let db = try SQLiteConnection(path: ":memory:")
        try Migrator.migrate(db, migrations + [Migration(version: 9, name: "future", sql: "SELECT 1")])
        #expect { try Migrator.migrate(db, migrations) } throws: {
            ($0 as? DatabaseError)?.message.contains("schema version 9, newer than this build knows (2)") == true
        }
    }

    @Test func swiftMigrationsRunInTheirTransaction() throws {
        let db = try SQLiteConnection(path: ":memory:")
        let withData = migrations + [Migration(version: 3, name: "seed") { conn in
            try conn.execute("INSERT INTO chats (id, name) VALUES (?, ?)", 7, "seeded")
        }]
        try Migrator.migrate(db, withData)
        #expect(try db.queryFirst("SELECT name FROM chats WHERE id = 7") { $0.string(0) } == "seeded")
    }
}

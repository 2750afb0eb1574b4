import Foundation
import Testing
import TestSupport
@testable import Storage

/// Replacing a database file: the old one is kept whole, nothing of it stays beside the new one.
@Suite struct DatabaseFileTests {
    /// A database with `rows` rows in table t whose last transactions are still only in its
    /// `-wal`, as a process killed with SIGKILL leaves it: the files of a live database,
    /// copied while its connection is open (without a checkpoint) under another name.
    static func databaseWithUncheckpointedWAL(rows: Int) throws -> String {
        let live = temporaryDatabasePath("live")
        let connection = try SQLiteConnection(path: live)
        try connection.executeScript("PRAGMA wal_autocheckpoint=0; CREATE TABLE t (v TEXT)")
        for i in 0..<rows { try connection.execute("INSERT INTO t VALUES (?)", "row \(i)") }
        let crashed = temporaryDatabasePath("crashed")
        try FileManager.default.copyItem(atPath: live, toPath: crashed)
        try FileManager.default.copyItem(atPath: live + "-wal", toPath: crashed + "-wal")
        withExtendedLifetime(connection) {}
        return crashed
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    @Test func theReplacedDatabaseIsKeptWholeAndNothingOfItStaysBesideTheNewOne() throws {
        let target = try Self.databaseWithUncheckpointedWAL(rows: 50)
        #expect(Self.size(target + "-wal") > 0, "the old database's last transactions are in its WAL")
        let directory = DatabaseFile.directory(of: target)
        let replacement = directory + "/replacement.sqlite"
        do {
            let connection = try SQLiteConnection(path: replacement)
            try connection.executeScript("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('new')")
        }
        #expect(!DatabaseFile.exists(replacement + "-wal"))

        #expect(try DatabaseFile.replace(target, with: replacement, keepingPreviousAs: target + ".before"))
        for companion in DatabaseFile.companions(of: target) + DatabaseFile.companions(of: target + ".before") {
            #expect(!DatabaseFile.exists(companion), "\(companion) is left")
        }
        #expect(!DatabaseFile.exists(replacement))
        let previous = try SQLiteConnection(immutableFileAt: target + ".before")
        #expect(try previous.queryFirst("SELECT count(*) FROM t") { $0.int(0) } == 50, "the WAL's rows are in the kept file")
        #expect(try previous.integrityProblems().isEmpty)
        let current = try SQLiteConnection(path: target)
        #expect(try current.query("SELECT v FROM t") { $0.string(0) } == ["new"])
    }

    /// While another connection has the database open, nothing is replaced and nothing changes.
    @Test func aDatabaseOpenElsewhereIsNotReplaced() throws {
        let target = temporaryDatabasePath("open")
        let other = try SQLiteConnection(path: target)
        try other.executeScript("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('old')")
        let replacement = DatabaseFile.directory(of: target) + "/replacement.sqlite"
        try Data("whatever".utf8).write(to: URL(fileURLWithPath: replacement))
        #expect { try DatabaseFile.replace(target, with: replacement, keepingPreviousAs: target + ".before") } throws: {
            ($0 as? DatabaseError)?.isBusy == true && "\($0)".contains("\(target) is open in another process")
        }
        #expect(!DatabaseFile.exists(target + ".before"))
        #expect(DatabaseFile.exists(replacement))
        #expect(try other.query("SELECT v FROM t") { $0.string(0) } == ["old"])
        #expect(try other.queryFirst("PRAGMA journal_mode") { $0.string(0) } == "wal")
    }

    @Test func aKeptPreviousIsNeverOverwritten() throws {
        let target = temporaryDatabasePath("kept")
        _ = try SQLiteConnection(path: target)
        try Data("earlier".utf8).write(to: URL(fileURLWithPath: target + ".before"))
        let replacement = DatabaseFile.directory(of: target) + "/replacement.sqlite"
        try Data("x".utf8).write(to: URL(fileURLWithPath: replacement))
        #expect { try DatabaseFile.replace(target, with: replacement, keepingPreviousAs: target + ".before") } throws: {
            "\($0)".contains("\(target).before already exists")
        }
        #expect(try String(contentsOfFile: target + ".before", encoding: .utf8) == "earlier")
    }

    @Test func withNoDatabaseYetTheNewOneIsSimplyPutInPlace() throws {
        let target = temporaryDatabasePath("none")
        let replacement = DatabaseFile.directory(of: target) + "/replacement.sqlite"
        do { _ = try SQLiteConnection(path: replacement) }
        #expect(try DatabaseFile.replace(target, with: replacement, keepingPreviousAs: target + ".before") == false)
        #expect(DatabaseFile.exists(target) && !DatabaseFile.exists(target + ".before"))
    }
}

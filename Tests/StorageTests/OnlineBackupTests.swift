import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Storage

/// Rows go in only in transactions of `batch` rows, so any consistent snapshot holds a
/// multiple of `batch` rows, and a copy that mixed two states would (almost surely) not.
private let batch = 10
private let payload = String(repeating: "保号", count: 120)

/// A database of `rows` rows (about 500 bytes each) in transactions of `batch`.
private func filledDatabase(rows: Int) throws -> String {
    let path = temporaryDatabasePath("backup-source")
    let connection = try SQLiteConnection(path: path)
    try connection.executeScript("CREATE TABLE t (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, payload TEXT NOT NULL)")
    for first in stride(from: 0, to: rows, by: batch) {
        try connection.transaction { try insertBatch(connection, number: first / batch) }
    }
    return path
}

private func insertBatch(_ connection: SQLiteConnection, number: Int) throws {
    for _ in 0..<batch { try connection.execute("INSERT INTO t (batch, payload) VALUES (?, ?)", number, payload) }
}

private func rowCount(_ connection: SQLiteConnection) throws -> Int {
    try connection.queryFirst("SELECT count(*) FROM t") { $0.int(0) } ?? -1
}

/// The busy writer beside the backup: batches of `batch` rows, from `firstBatch` on.
private func busyWriter(_ path: String, firstBatch: Int) -> BackgroundWriter<SQLiteConnection> {
    BackgroundWriter(firstBatch: firstBatch, open: { try SQLiteConnection(path: path) }) { connection, number in
        try connection.transaction { try insertBatch(connection, number: number) }
    }
}

@Suite struct OnlineBackupTests {
    /// A copy made while another connection commits batch after batch is one consistent
    /// state of the database (a whole number of batches, no fewer than were in at the start
    /// and no more than at the end) that passes the integrity check, and the writer went on
    /// committing while the copy ran, without a single failure.
    @Test func aCopyMadeWhileAnotherConnectionWritesIsOneConsistentSnapshot() throws {
        let source = try filledDatabase(rows: 8_000)
        let writer = busyWriter(source, firstBatch: 1_000_000)
        writer.waitFor(1)
        let copy = makeTemporaryDirectory() + "/copy.sqlite"
        let rowsAtStart = try rowCount(try SQLiteConnection(path: source))
        let committedAtStart = writer.committed.load(ordering: .acquiring)
        let progress = try OnlineBackup(
            from: try SQLiteConnection(path: source), toNewFileAt: copy,
            options: .init(pagesPerStep: 16, pauseMicroseconds: 1_000)
        ).run()
        let committedDuring = writer.committed.load(ordering: .acquiring) - committedAtStart
        writer.stopAndWait()
        let rowsAtEnd = try rowCount(try SQLiteConnection(path: source))

        #expect(writer.failures.withLock { $0 }.isEmpty, "the writer failed: \(writer.failures.withLock { $0 })")
        #expect(committedDuring > 0, "no batch was committed while the copy ran (\(progress))")
        #expect(progress.isDone)
        #expect(progress.pagesCopied == progress.pageCount && progress.pageCount > 16 * 10, "\(progress)")
        let copied = try SQLiteConnection(immutableFileAt: copy)
        #expect(try copied.integrityProblems().isEmpty)
        let rows = try rowCount(copied)
        #expect(rows % batch == 0, "\(rows) rows: not a whole number of batches")
        #expect(rows >= rowsAtStart && rows <= rowsAtEnd, "\(rows) rows, \(rowsAtStart) at the start, \(rowsAtEnd) at the end")
        // Every batch in the copy is whole.
        let partial = try copied.query("SELECT batch, count(*) FROM t GROUP BY batch HAVING count(*) != ?", batch) { $0.int(0) }
        #expect(partial.isEmpty, "partial batches \(partial)")
    }

    /// A writer that commits after every step makes SQLite start the copy over each time;
    /// after `restartsBeforeSnapshot` restarts the copy pins one snapshot and finishes. The
    /// writer, whose busy timeout is zero, is never refused, and the copy holds exactly the
    /// rows that were in when the snapshot was pinned.
    @Test func aCopyRestartedByEveryStepStillFinishesOnOnePinnedSnapshot() throws {
        let source = try filledDatabase(rows: 2_000)
        let writer = try SQLiteConnection(path: source, busyTimeoutMilliseconds: 0)
        let copy = makeTemporaryDirectory() + "/copy.sqlite"
        let backup = try OnlineBackup(
            from: try SQLiteConnection(path: source), toNewFileAt: copy,
            options: .init(pagesPerStep: 8, pauseMicroseconds: 0, restartsBeforeSnapshot: 2))
        var rowsBeforeStep = try rowCount(writer)
        var rowsWhenPinned: Int?
        var number = 1_000_000
        var progress = OnlineBackup.Progress()
        while !progress.isDone {
            rowsBeforeStep = try rowCount(writer)
            progress = try backup.step()
            if progress.snapshotPinned, rowsWhenPinned == nil { rowsWhenPinned = rowsBeforeStep }
            try writer.transaction { try insertBatch(writer, number: number) }
            number += 1
            #expect(progress.steps < 1_000, "the copy does not end")
            if progress.steps >= 1_000 { break }
        }
        #expect(progress.restarts >= 2, "\(progress)")
        #expect(progress.snapshotPinned)
        let copied = try SQLiteConnection(immutableFileAt: copy)
        #expect(try copied.integrityProblems().isEmpty)
        #expect(try rowCount(copied) == rowsWhenPinned)
        #expect(try rowCount(writer) > rowsWhenPinned ?? .max, "the writer went on after the snapshot was pinned")
    }

    /// Without writers the copy is the database, row for row, and says how many pages it took.
    @Test func aQuietDatabaseIsCopiedWhole() throws {
        let source = try filledDatabase(rows: 300)
        let copy = makeTemporaryDirectory() + "/copy.sqlite"
        let progress = try OnlineBackup(from: try SQLiteConnection(path: source), toNewFileAt: copy, options: .init(pagesPerStep: 4)).run()
        #expect(progress.restarts == 0 && !progress.snapshotPinned)
        let original = try SQLiteConnection(path: source), copied = try SQLiteConnection(immutableFileAt: copy)
        #expect(progress.pageCount == (try original.pageCountAndSize().pages))
        #expect(try copied.pageCountAndSize().pages == progress.pageCount)
        let read = { (c: SQLiteConnection) in try c.query("SELECT id, batch, payload FROM t ORDER BY id") { "\($0.int(0)) \($0.int(1)) \($0.string(2))" } }
        #expect(try read(copied) == read(original))
    }

    /// A source that stays locked (here: its own connection holds a write transaction open)
    /// is waited for a few steps, then the copy fails, saying why; the destination stays empty.
    @Test func aSourceThatStaysLockedFailsTheCopyAfterAFewSteps() throws {
        let path = try filledDatabase(rows: 50)
        let source = try SQLiteConnection(path: path)
        let copy = makeTemporaryDirectory() + "/copy.sqlite"
        let backup = try OnlineBackup(from: source, toNewFileAt: copy, options: .init(pauseMicroseconds: 0, busyStepsAllowed: 3))
        try source.executeScript("BEGIN IMMEDIATE; DELETE FROM t")
        #expect(try backup.step().pagesCopied == 0)
        #expect(try backup.step().pagesCopied == 0)
        #expect { try backup.step() } throws: { "\($0)".contains("is locked (3 steps in a row)") }
        try source.executeScript("ROLLBACK")
        #expect(try rowCount(source) == 50)
        #expect(try SQLiteConnection(immutableFileAt: copy).pageCountAndSize().pages == 0)
    }

    @Test func aCopyIsWrittenOnlyIntoANewFile() throws {
        let source = try filledDatabase(rows: 10)
        let existing = writeTemporaryFile("keep me", name: "existing.sqlite")
        #expect { try OnlineBackup(from: try SQLiteConnection(path: source), toNewFileAt: existing) } throws: {
            "\($0)".contains("\(existing) already exists")
        }
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
    }

    /// Opening a file immutable creates nothing beside it and changes none of its bytes, even
    /// a WAL-mode database; a file that is not a database fails at the first statement.
    @Test func anImmutableOpenLeavesTheFileAsItWas() throws {
        let path = try filledDatabase(rows: 20)
        let directory = DatabaseFile.directory(of: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        do {
            let connection = try SQLiteConnection(immutableFileAt: path)
            #expect(try rowCount(connection) == 20)
            #expect(try connection.integrityProblems().isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == files)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        // A name with the characters a URI gives meaning to.
        let odd = directory + "/a b?c#d%25e 保号.sqlite"
        try FileManager.default.copyItem(atPath: path, toPath: odd)
        #expect(try rowCount(try SQLiteConnection(immutableFileAt: odd)) == 20)

        let garbage = writeTemporaryFile(String(repeating: "not a database ", count: 300), name: "garbage.sqlite")
        let connection = try SQLiteConnection(immutableFileAt: garbage)
        #expect { try connection.integrityProblems() } throws: { "\($0)".contains("file is not a database") }
    }
}

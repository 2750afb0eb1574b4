import BaohaoCore
import BaohaoSupport
import Foundation
import Storage
import Synchronization
import Testing
import TestSupport
@testable import BaohaoApp
@testable import Telegram

/// `baohao backup` and `baohao restore` on real SQLite files.
@Suite struct BackupRestoreCommandTests {
    /// Outbox items go in only in transactions of `batch`, so a consistent copy holds a
    /// multiple of `batch` of them.
    static let batch = 8

    func run(_ arguments: [String], database: String) async -> (code: Int32, io: CapturedIO) {
        let captured = CapturedIO()
        let environment = ["BAOHAO_CONFIG": writeTemporaryFile("{}"), "BAOHAO_DB": database]
        let code = await BaohaoCLI.main(arguments: arguments, environment: ProcessEnvironment(environment), io: captured.io)
        return (code, captured)
    }

    /// A Baohao database holding `batches` batches of outbox items, about 1 KB each.
    static func database(_ name: String, batches: Int, migrations: [Migration] = BaohaoSchema.migrations) async throws -> String {
        let path = temporaryDatabasePath(name)
        let database = try await Database.open(path: path, migrations: migrations)
        if batches > 0 {
            try await database.write { db in
                for number in 0..<batches { try enqueueBatch(db, number: number) }
            }
        }
        return path
    }

    static func enqueueBatch(_ db: any Connection, number: Int) throws {
        let html = "reply \(number) " + String(repeating: "您的号码将于三日后到期。", count: 30)
        for i in 0..<batch {
            try Outbox.enqueue(db, .send(OutboundMessage(chatID: Int64(1 + i), html: html)), at: Instant(millisecondsSinceEpoch: 1_700_000_000_000))
        }
    }

    /// The outbox items in the database at `path`; a database in use (`live`) is read with
    /// its WAL, a file at rest as it is, without creating anything beside it.
    static func outboxCount(_ path: String, live: Bool = false) throws -> Int {
        let connection = live ? try SQLiteConnection(path: path) : try SQLiteConnection(immutableFileAt: path)
        return try connection.queryFirst("SELECT count(*) FROM outbox") { $0.int(0) } ?? -1
    }

    static func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    /// The names in the directory of `path`.
    static func listing(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: DatabaseFile.directory(of: path))) ?? []).sorted()
    }

    // MARK: - backup

    /// `baohao backup` while another connection commits batch after batch, as the bot does: the
    /// copy passes the integrity check and holds a whole number of batches, between the counts
    /// at its start and its end; the writer went on committing during the copy and never failed.
    @Test func aBackupWhileTheDatabaseIsWrittenIsConsistentAndTheWriterGoesOn() async throws {
        let path = try await Self.database("busy", batches: 2_500)
        // The writer has a thread of its own, as the bot's database has: it goes on whatever
        // Swift's cooperative pool is busy with.
        // The bot's writes: batches of outbox items through a connection of their own.
        let writer = BackgroundWriter(firstBatch: 100_000, open: { try SQLiteConnection(path: path) }) { connection, number in
            try connection.transaction { try Self.enqueueBatch(connection, number: number) }
        }
        writer.waitFor(1)
        let before = try Self.outboxCount(path, live: true)
        let committedBefore = writer.committed.load(ordering: .acquiring)
        let file = makeTemporaryDirectory("backup") + "/copy.sqlite"
        let (code, io) = await run(["backup", file], database: path)
        let committedDuring = writer.committed.load(ordering: .acquiring) - committedBefore
        writer.stopAndWait()
        #expect(writer.failures.withLock { $0 }.isEmpty, "the writer failed: \(writer.failures.withLock { $0 })")
        let after = try Self.outboxCount(path, live: true)

        #expect(code == 0, "\(io.err)")
        #expect(io.out.hasPrefix("backed up \(path) to \(file): "), "\(io.out)")
        #expect(io.out.contains("schema version \(DatabaseCopy.latestSchemaVersion), integrity check ok"), "\(io.out)")
        #expect(committedDuring > 0, "no write was committed while the backup ran: \(io.out)")
        let copied = try SQLiteConnection(immutableFileAt: file)
        #expect(try copied.integrityProblems().isEmpty)
        let count = try Self.outboxCount(file)
        #expect(count % Self.batch == 0, "\(count) items: not a whole number of batches")
        #expect(count >= before && count <= after, "\(count) items; \(before) at the start, \(after) at the end")
        #expect(Self.listing(file) == ["copy.sqlite"], "only the backup is left: \(Self.listing(file))")
    }

    /// An existing FILE is kept unless --force; with it, it is replaced by the backup.
    @Test func backupRefusesAnExistingFileWithoutForce() async throws {
        let path = try await Self.database("force", batches: 3)
        let file = writeTemporaryFile("an earlier file", name: "backup.sqlite")
        let (code, io) = await run(["backup", file], database: path)
        #expect(code == ExitCode.cantCreate)
        #expect(io.err.contains("\(file) exists: name a new file, or add --force to replace it"), "\(io.err)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "an earlier file")
        #expect(Self.listing(file) == ["backup.sqlite"])

        let forced = await run(["backup", file, "--force"], database: path)
        #expect(forced.code == 0, "\(forced.io.err)")
        #expect(try Self.outboxCount(file) == 3 * Self.batch)
    }

    /// A backup that fails (the database is not SQLite) leaves nothing under FILE, nor any
    /// temporary file; a missing database is named.
    @Test func aFailedBackupLeavesNoFile() async throws {
        let notADatabase = writeTemporaryFile(String(repeating: "garbage ", count: 2_000), name: "bot.sqlite")
        let file = makeTemporaryDirectory("backup") + "/copy.sqlite"
        let (code, io) = await run(["backup", file], database: notADatabase)
        #expect(code == ExitCode.ioError)
        #expect(io.err.contains("backup of \(notADatabase) failed: "), "\(io.err)")
        #expect(io.err.contains("nothing was written to \(file)"), "\(io.err)")
        #expect(Self.listing(file).isEmpty, "\(Self.listing(file))")

        let missing = makeTemporaryDirectory() + "/none.sqlite"
        let absent = await run(["backup", file], database: missing)
        #expect(absent.code == ExitCode.noInput)
        #expect(absent.io.err.contains("no database at \(missing)"))
        #expect(!DatabaseFile.exists(missing))
    }

    // MARK: - restore

    /// Every refusal names FILE and what is wrong with it, and changes nothing: the database's
    /// bytes, the files beside it.
    @Test func badBackupsAreRefusedNamingTheFileAndNothingChanges() async throws {
        let path = try await Self.database("current", batches: 5)
        let good = makeTemporaryDirectory("good") + "/good.sqlite"
        #expect(await run(["backup", good], database: path).code == 0)
        let goodBytes = try #require(Self.bytes(good))
        let directory = makeTemporaryDirectory("bad")
        let garbage = directory + "/garbage.sqlite"
        try Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(to: URL(fileURLWithPath: garbage))
        let truncated = directory + "/truncated.sqlite"
        try Data(goodBytes.prefix(goodBytes.count / 2)).write(to: URL(fileURLWithPath: truncated))
        // A good header and schema with the pages of one table's b-tree overwritten.
        let damaged = directory + "/damaged.sqlite"
        var damagedBytes = goodBytes
        for i in stride(from: goodBytes.count - 3 * 4096, to: goodBytes.count - 4096, by: 1) { damagedBytes[i] = 0xA5 }
        try Data(damagedBytes).write(to: URL(fileURLWithPath: damaged))
        // Readable, but an index no longer matches its table: only the integrity check sees it.
        let inconsistent = try await Self.database("inconsistent", batches: 2)
        do {
            let connection = try SQLiteConnection(path: inconsistent)
            try connection.executeScript("""
                CREATE TABLE extra (a INTEGER, b INTEGER); CREATE INDEX extra_a ON extra(a);
                INSERT INTO extra VALUES (1, 10), (2, 20), (3, 30);
                PRAGMA writable_schema=ON;
                UPDATE sqlite_schema SET sql = 'CREATE INDEX extra_a ON extra(b)' WHERE name = 'extra_a';
                PRAGMA writable_schema=OFF;
                """)
        }
        let empty = directory + "/empty.sqlite"
        do { _ = try SQLiteConnection(path: empty) }
        let newer = try await Self.database("newer", batches: 1)
        try SQLiteConnection(path: newer).execute("INSERT INTO schema_version (version, name) VALUES (99, 'from the future')")

        let before = try #require(Self.bytes(path))
        let listing = Self.listing(path)
        let cases: [(String, Int32, String)] = [
            (garbage, ExitCode.dataError, "\(garbage) is not a usable SQLite database: file is not a database"),
            (truncated, ExitCode.dataError, "\(truncated) "),
            (damaged, ExitCode.dataError, "\(damaged) "),
            (inconsistent, ExitCode.dataError, "\(inconsistent) fails SQLite's integrity check: "),
            (empty, ExitCode.dataError, "\(empty) is not a Baohao database: it has no schema_version table"),
            (newer, ExitCode.dataError, "\(newer) has schema version 99, newer than this baohao knows (\(DatabaseCopy.latestSchemaVersion))"),
            (directory + "/missing.sqlite", ExitCode.noInput, "cannot read \(directory)/missing.sqlite: no such file"),
            (path, ExitCode.usage, "\(path) is the database itself"),
        ]
        for (file, exitCode, message) in cases {
            let (code, io) = await run(["restore", file], database: path)
            #expect(code == exitCode, "\(file): \(io.err)")
            #expect(io.err.contains(message), "\(file): \(io.err)")
            #expect(io.err.hasSuffix("nothing was changed") || exitCode != ExitCode.dataError, "\(io.err)")
            #expect(io.out.isEmpty)
            #expect(Self.bytes(path) == before, "\(file) changed the database")
            #expect(Self.listing(path).filter { !$0.hasSuffix("-lock") } == listing, "\(file) left \(Self.listing(path))")
        }
        // The truncated and damaged copies were refused for what SQLite found in them.
        for file in [truncated, damaged] {
            let io = await run(["restore", file], database: path).io
            #expect(io.err.contains("integrity check") || io.err.contains("malformed"), "\(io.err)")
        }
        #expect(Self.bytes(good) == goodBytes, "the backup was only read")
    }

    /// While a bot holds the database's instance lock, restore refuses, naming the process,
    /// and changes nothing; so it does while another connection has the database open.
    @Test func restoreRefusesWhileTheDatabaseIsServedOrOpen() async throws {
        let path = try await Self.database("served", batches: 2)
        let backup = try await Self.database("backup", batches: 4)
        let before = try #require(Self.bytes(path))
        do {
            let lock = try await InstanceLock.acquire(databasePath: path, waitSeconds: 0)
            let (code, io) = await run(["restore", backup], database: path)
            #expect(code == ExitCode.busy)
            #expect(io.err.contains("process \(getpid()) is serving \(path) (\(path)-lock is locked): stop the bot first"), "\(io.err)")
            #expect(io.err.hasSuffix("nothing was changed"))
            withExtendedLifetime(lock) {}
        }
        #expect(Self.bytes(path) == before)
        do {
            let open = try SQLiteConnection(path: path)
            let (code, io) = await run(["restore", backup], database: path)
            #expect(code == ExitCode.busy)
            #expect(io.err.contains("\(path) is open in another process"), "\(io.err)")
            #expect(try open.queryFirst("SELECT count(*) FROM outbox") { $0.int(0) } == 2 * Self.batch)
        }
        #expect(!DatabaseFile.exists(path + ".before-restore"))
        #expect(Self.listing(path).filter { $0.contains(".partial") }.isEmpty)
        #expect(try Self.outboxCount(path, live: true) == 2 * Self.batch)
    }

    /// A restore replaces the content, keeps the previous database whole (its last
    /// transactions were still in its WAL, as a killed process leaves them) as
    /// `.before-restore`, and leaves nothing of the old file beside the new one.
    @Test func restoreReplacesTheDatabaseAndKeepsThePreviousOne() async throws {
        let live = try await Self.database("live", batches: 1)
        let writer = try SQLiteConnection(path: live)
        try writer.executeScript("PRAGMA wal_autocheckpoint=0")
        try writer.transaction { for n in 1...4 { try Self.enqueueBatch(writer, number: n) } }
        // The files of the live database, copied under another name without a checkpoint.
        let path = temporaryDatabasePath("restored")
        try FileManager.default.copyItem(atPath: live, toPath: path)
        try FileManager.default.copyItem(atPath: live + "-wal", toPath: path + "-wal")
        withExtendedLifetime(writer) {}
        #expect(DatabaseCopy.fileSize(path + "-wal") > 0)
        try "17\n".write(toFile: path + "-delivered", atomically: true, encoding: .utf8)

        let backup = try await Self.database("backup", batches: 2)
        let (code, io) = await run(["restore", backup], database: path)
        #expect(code == 0, "\(io.err)")
        #expect(io.out.hasPrefix("restored \(path) from \(backup): "), "\(io.out)")
        #expect(io.out.contains("schema version \(DatabaseCopy.latestSchemaVersion), integrity check ok"), "\(io.out)")
        #expect(io.out.contains("the previous database is kept as \(path).before-restore"), "\(io.out)")
        #expect(io.out.contains("its delivery journal is kept beside it as \(path).before-restore-delivered"), "\(io.out)")
        #expect(!io.out.contains("older"))
        #expect(try Self.outboxCount(path) == 2 * Self.batch)
        #expect(try Self.outboxCount(path + ".before-restore") == 5 * Self.batch, "the WAL's transactions are in the kept database")
        #expect(try SQLiteConnection(immutableFileAt: path + ".before-restore").integrityProblems().isEmpty)
        for companion in DatabaseFile.companions(of: path) { #expect(!DatabaseFile.exists(companion), "\(companion) is left") }
        #expect(!DatabaseFile.exists(path + "-delivered"))
        #expect(Self.listing(path).filter { $0.contains(".partial") }.isEmpty)
        // The restored database opens and works as any.
        let reopened = try await Database.open(path: path, migrations: BaohaoSchema.migrations)
        try await reopened.write { db in try Self.enqueueBatch(db, number: 99) }
        #expect(try await reopened.read { db in try db.queryFirst("SELECT count(*) FROM outbox") { $0.int(0) } } == 3 * Self.batch)
    }

    /// A backup from an older build is restored, and restore says its migrations come next.
    @Test func anOlderSchemaIsRestoredAndSaidToBeMigratedNext() async throws {
        let old = Array(BaohaoSchema.migrations.prefix(5))
        let backup = try await Self.database("old", batches: 0, migrations: old)
        let path = makeTemporaryDirectory("fresh") + "/bot.sqlite"
        let (code, io) = await run(["restore", backup], database: path)
        #expect(code == 0, "\(io.err)")
        #expect(io.out.contains("schema version 5, integrity check ok"), "\(io.out)")
        #expect(io.out.contains("there was no database at \(path) before"), "\(io.out)")
        #expect(io.out.contains("schema version 5 is older than this baohao's \(DatabaseCopy.latestSchemaVersion): the missing migrations are applied when the bot next starts"), "\(io.out)")
        let migrated = await run(["migrate"], database: path)
        let missing = (6...DatabaseCopy.latestSchemaVersion).map(String.init).joined(separator: ", ")
        #expect(migrated.io.out.contains("applied \(missing)"), "\(migrated.io.out)")
    }
}

/// Restore run as root (as an operator would, beside a bot that runs as its own user).
@Suite struct RestoreOwnershipTests {
    /// The restored database gets the owner, group and permissions of the one it replaces;
    /// a database restored into an empty directory, and a lock file restore had to create,
    /// get the directory's owner: the bot's user can open and write them.
    @Test(.enabled(if: geteuid() == 0, "changing a file's owner takes root"))
    func theRestoredDatabaseBelongsToTheBotsUser() async throws {
        let (botUser, botGroup): (uid_t, gid_t) = (4_321, 8_765)
        let path = try await BackupRestoreCommandTests.database("owned", batches: 1)
        chown(path, botUser, botGroup)
        chmod(path, 0o640)
        let backup = try await BackupRestoreCommandTests.database("backup", batches: 2)
        let restored = await BackupRestoreCommandTests().run(["restore", backup], database: path)
        #expect(restored.code == 0, "\(restored.io.err)")
        var info = stat()
        stat(path, &info)
        #expect(info.st_uid == botUser && info.st_gid == botGroup && info.st_mode & 0o7777 == 0o640)

        let directory = makeTemporaryDirectory("state")
        chown(directory, botUser, botGroup)
        let fresh = directory + "/bot.sqlite"
        #expect(await BackupRestoreCommandTests().run(["restore", backup], database: fresh).code == 0)
        for file in [fresh, fresh + "-lock"] {
            stat(file, &info)
            #expect(info.st_uid == botUser && info.st_gid == botGroup, "\(file)")
        }
    }
}

import BaohaoCore
import Storage
import Telegram

#if canImport(Glibc)
import Glibc
#endif

/// `baohao restore FILE`: puts a backup in the place of the database. FILE is copied beside
/// the database under a temporary name (without changing FILE) and checked: SQLite's
/// integrity check, and a schema this build knows. Only then, with no bot serving the
/// database (its instance lock is taken for the whole switch) and nothing else having it
/// open, the copy replaces the database, and the database it replaces is kept whole as
/// `<db>.before-restore`. Anything that is wrong changes nothing.
enum RestoreCommand {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let config = try context.configuration()
        let database = config.databasePath
        let file = context.command.arguments[0]
        guard config.database.engine == .sqlite else {
            throw CommandFailure(
                exitCode: ExitCode.usage,
                message: "baohao restore replaces a SQLite file; the database is PostgreSQL (\(config.database)): use pg_restore")
        }
        let kept = database + ".before-restore"
        guard database != ":memory:" else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "the database is in memory (:memory:): there is nothing to restore into")
        }
        switch DatabaseCopy.kind(file) {
        case .regular: break
        case nil: throw CommandFailure(exitCode: ExitCode.noInput, message: "cannot read \(file): no such file")
        case .directory, .other: throw CommandFailure(exitCode: ExitCode.noInput, message: "cannot read \(file): not a regular file")
        }
        if DatabaseCopy.sameFile(file, database) {
            throw CommandFailure(exitCode: ExitCode.usage, message: "\(file) is the database itself: name a backup")
        }
        // FILE is read as it is on disk: transactions still in a WAL beside it would be missed.
        if DatabaseCopy.fileSize(file + "-wal") > 0 {
            throw CommandFailure(
                exitCode: ExitCode.dataError,
                message: "\(file)-wal holds transactions that are not in \(file) yet: let the program that wrote it close it (or open \(file) once with sqlite3), then restore again; nothing was changed")
        }

        // No bot may serve the database while it is replaced, nor start meanwhile.
        let lock = try await OfflineDatabaseLock.take(database, then: "restore")
        defer { withExtendedLifetime(lock) {} }
        guard !DatabaseFile.exists(kept) else {
            throw CommandFailure(
                exitCode: ExitCode.cantCreate,
                message: "\(kept) exists (left by an earlier restore): move it away or delete it, then restore again; nothing was changed")
        }

        let temporary = DatabaseCopy.temporaryPath(beside: database)
        let (checked, hadDatabase) = try await DatabaseCopy.writing(temporary, unchanged: "nothing was changed") {
            do {
                _ = try await DatabaseCopy.copy({ try SQLiteConnection(immutableFileAt: file) }, to: temporary)
            } catch let error as DatabaseError {
                throw CommandFailure(exitCode: ExitCode.dataError, message: "\(file) is not a usable SQLite database: \(error.resultDescription)")
            }
            let checked = try DatabaseCopy.check(temporary, name: file)
            do throws(DatabaseError) {
                return (checked, try DatabaseFile.replace(database, with: temporary, keepingPreviousAs: kept))
            } catch {
                throw CommandFailure(exitCode: error.isBusy ? ExitCode.busy : ExitCode.ioError, message: error.message)
            }
        }

        context.io.out(
            "restored \(database) from \(file): \(checked.pages) pages of \(checked.pageSize) bytes (\(DatabaseCopy.size(checked.bytes))), schema version \(checked.schemaVersion), integrity check ok")
        if hadDatabase {
            context.io.out("the previous database is kept as \(kept)")
            // Sends the previous database's bot made but had not recorded belong to it.
            let journal = database + "-delivered"
            if DatabaseCopy.fileSize(journal) > 0, rename(journal, kept + "-delivered") == 0 {
                context.io.out("its delivery journal is kept beside it as \(kept)-delivered")
            }
        } else {
            context.io.out("there was no database at \(database) before")
        }
        let latest = DatabaseCopy.latestSchemaVersion
        if checked.schemaVersion < latest {
            context.io.out(
                "schema version \(checked.schemaVersion) is older than this baohao's \(latest): the missing migrations are applied when the bot next starts (or now with baohao migrate)")
        }
        return ExitCode.success
    }
}

import BaohaoCore
import Storage

/// `baohao backup FILE [--force]`: a consistent copy of the database, made while the bot
/// runs and serves (SQLite's online backup API, a few pages at a time). The copy is written
/// beside FILE under a temporary name, checked, and only then renamed to FILE: a failed
/// backup leaves nothing under FILE.
enum BackupCommand {
    static func run(_ context: CommandContext) async throws -> Int32 {
        let config = try context.configuration()
        let database = config.databasePath
        let file = context.command.arguments[0]
        guard config.database.engine == .sqlite else {
            throw CommandFailure(
                exitCode: ExitCode.usage,
                message: "baohao backup copies a SQLite file; the database is PostgreSQL (\(config.database)): use pg_dump, or the server's own backups")
        }
        guard database != ":memory:" else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "the database is in memory (:memory:): there is nothing to back up")
        }
        guard DatabaseCopy.kind(database) == .regular else {
            throw CommandFailure(exitCode: ExitCode.noInput, message: "no database at \(database) (database_path, BAOHAO_DB or --db name it)")
        }
        switch DatabaseCopy.kind(file) {
        case nil: break
        case .directory:
            throw CommandFailure(exitCode: ExitCode.cantCreate, message: "\(file) is a directory: name the backup file, e.g. \(file)/baohao.sqlite")
        case .regular, .other:
            if DatabaseCopy.sameFile(file, database) {
                throw CommandFailure(exitCode: ExitCode.usage, message: "\(file) is the database itself: name another file")
            }
            guard context.command.flag("--force") else {
                throw CommandFailure(exitCode: ExitCode.cantCreate, message: "\(file) exists: name a new file, or add --force to replace it")
            }
        }
        let temporary = DatabaseCopy.temporaryPath(beside: file)
        let (progress, checked) = try await DatabaseCopy.writing(temporary, unchanged: "nothing was written to \(file)") {
            let progress: OnlineBackup.Progress
            do {
                progress = try await DatabaseCopy.copy({ try SQLiteConnection(path: database) }, to: temporary)
            } catch let error as DatabaseError {
                throw CommandFailure(exitCode: ExitCode.ioError, message: "backup of \(database) failed: \(error.message)")
            }
            let checked = try DatabaseCopy.check(temporary, name: "the copy of \(database)")
            do throws(DatabaseError) { try DatabaseFile.moveIntoPlace(temporary, at: file) } catch {
                throw CommandFailure(exitCode: ExitCode.ioError, message: error.message)
            }
            return (progress, checked)
        }
        context.io.out(
            "backed up \(database) to \(file): \(checked.pages) pages of \(checked.pageSize) bytes (\(DatabaseCopy.size(checked.bytes))), schema version \(checked.schemaVersion), integrity check ok")
        context.io.out(
            "copied in \(progress.steps) step\(progress.steps == 1 ? "" : "s")"
                + (progress.restarts == 0 ? "" : "; writes restarted the copy \(progress.restarts) times")
                + (progress.snapshotPinned ? ", so it finished on one snapshot while the writers went on" : ""))
        return ExitCode.success
    }
}

internal import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// A database as files on disk: the main file and what SQLite keeps beside it (`-wal`,
/// `-shm`, `-journal`), which belong to that file alone and must never be paired with another.
public enum DatabaseFile {
    /// The files SQLite may keep beside the database at `path`.
    public static func companions(of path: String) -> [String] { [path + "-wal", path + "-shm", path + "-journal"] }

    /// True when a file (of any kind) exists at `path`.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Makes the database at `path` one self-contained file: its WAL is checkpointed into
    /// it, and the `-wal` and `-shm` files are removed (journal mode DELETE, which the next
    /// `Connection` turns back into WAL). Leaving WAL mode needs the database to itself, so
    /// this fails with `SQLITE_BUSY`, having changed nothing, while any other connection or
    /// process has the database open.
    public static func detach(_ path: String) throws(DatabaseError) {
        let mode: String?
        do {
            let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 0)
            mode = try connection.queryFirst("PRAGMA journal_mode=DELETE") { $0.string(0) }
        } catch let error as DatabaseError {
            throw error.isBusy ? openElsewhere(path) : error
        } catch {
            throw DatabaseError(code: 0, message: "\(error)")
        }
        guard mode == "delete" else { throw openElsewhere(path) }
    }

    /// Puts the complete, closed database file `newFile` (in the same directory) in the place
    /// of the database at `path`, keeping the one it replaces as `previous` (which must not
    /// exist). The old database is detached first (see `detach`), so `previous` holds all of
    /// it in one file, and no `-wal`, `-shm` or `-journal` of the old file stays beside the
    /// new one. The new file gets the owner, group and permissions of the one it replaces (or,
    /// with none, the owner and group of the directory), as far as this process may give
    /// them: a restore run as root leaves a file the bot's user can write. Where the file
    /// system allows hard links the switch is atomic: `path` always names a whole database,
    /// the old one or the new one. The directory is synced at the end.
    /// - Returns: false when there was no database at `path` (nothing was kept).
    @discardableResult
    public static func replace(_ path: String, with newFile: String, keepingPreviousAs previous: String) throws(DatabaseError) -> Bool {
        guard !exists(previous) else {
            throw DatabaseError(code: 0, message: "\(previous) already exists")
        }
        let hadDatabase = exists(path)
        giveOwnership(of: newFile, like: hadDatabase ? path : directory(of: path))
        var movedAway = false
        if hadDatabase {
            try detach(path)
            if link(path, previous) != 0 {
                let code = errno
                guard code != EEXIST else { throw DatabaseError(code: 0, message: "\(previous) already exists") }
                // No hard links on this file system: for a moment there is no file at `path`.
                guard rename(path, previous) == 0 else { throw failure("cannot move \(path) to \(previous)") }
                movedAway = true
            }
        }
        // Anything still beside `path` belongs to the old file (it was detached, so nothing
        // should be): paired with the new one it would corrupt it.
        for companion in companions(of: path) { unlink(companion) }
        guard rename(newFile, path) == 0 else {
            let error = failure("cannot move \(newFile) to \(path)")
            if movedAway { rename(previous, path) } else if hadDatabase { unlink(previous) }
            throw error
        }
        syncDirectory(of: path)
        return hadDatabase
    }

    /// Renames the complete, closed file `newFile` to `path` (replacing any file there, and
    /// removing what SQLite kept beside that one), then syncs the directory.
    public static func moveIntoPlace(_ newFile: String, at path: String) throws(DatabaseError) {
        for companion in companions(of: path) { unlink(companion) }
        guard rename(newFile, path) == 0 else { throw failure("cannot move \(newFile) to \(path)") }
        syncDirectory(of: path)
    }

    /// Gives the file at `path` the owner and group of `reference`, and its permissions when
    /// `reference` is a file, as far as this process may (changing the owner takes root).
    public static func giveOwnership(of path: String, like reference: String) {
        var info = stat()
        guard stat(reference, &info) == 0 else { return }
        _ = chown(path, info.st_uid, info.st_gid)
        if info.st_mode & S_IFMT == S_IFREG { _ = chmod(path, info.st_mode & 0o7777) }
    }

    /// Removes the file at `path` and anything SQLite kept beside it.
    public static func remove(_ path: String) {
        unlink(path)
        for companion in companions(of: path) { unlink(companion) }
    }

    /// The directory that holds `path`.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Flushes the directory holding `path`, so a rename in it survives a power cut.
    static func syncDirectory(of path: String) {
        let fd = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func openElsewhere(_ path: String) -> DatabaseError {
        DatabaseError(
            code: SQLITE_BUSY,
            message: "\(path) is open in another process (a running bot, a baohao command, sqlite3, Litestream): close it first")
    }

    private static func failure(_ what: String) -> DatabaseError {
        DatabaseError(code: 0, message: "\(what): \(String(cString: strerror(errno)))")
    }
}

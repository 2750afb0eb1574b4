import Storage
import Telegram

/// The instance lock of a SQLite database, taken by a command that must have the database to
/// itself (`restore`, `migrate --to`): no bot may serve it meanwhile, nor start.
enum OfflineDatabaseLock {
    /// Takes `database`'s lock without waiting, or fails naming who serves it (exit 75) or why
    /// the lock cannot be opened (exit 74); `then` is what to do after stopping the bot
    /// ("restore", "copy"). A lock file made here belongs to the owner of the database's
    /// directory (the bot's user), not to whoever runs the command (root, say): the bot must
    /// be able to open it.
    static func take(_ database: String, then: String) async throws -> InstanceLock {
        let lockPath = InstanceLock.path(forDatabase: database)
        let lockExisted = DatabaseFile.exists(lockPath)
        let lock: InstanceLock
        do {
            lock = try await InstanceLock.acquire(databasePath: database, waitSeconds: 0)
        } catch {
            switch error {
            case .held(let path, let holder, _):
                throw CommandFailure(
                    exitCode: ExitCode.busy, message: serving(database, by: holder.map { "process \($0)" } ?? "another process", lock: path, then: then))
            case .cannotOpen:
                throw CommandFailure(exitCode: ExitCode.ioError, message: error.description + "; nothing was changed")
            }
        }
        if !lockExisted { DatabaseFile.giveOwnership(of: lockPath, like: DatabaseFile.directory(of: database)) }
        return lock
    }

    /// Why the command refuses while `who` serves `database`.
    static func serving(_ database: String, by who: String, lock: String, then: String) -> String {
        "\(who) is serving \(database) (\(lock) is locked): stop the bot first (systemctl stop baohao), then \(then); nothing was changed"
    }
}

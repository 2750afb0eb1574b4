import BaohaoCore
import Dispatch
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// What `backup` and `restore` share: the copy, made off Swift's cooperative pool, and its check.
enum DatabaseCopy {
    /// What a checked copy holds.
    struct Checked {
        let pages: Int
        let pageSize: Int
        let schemaVersion: Int
        var bytes: Int { pages * pageSize }
    }

    /// A path for a temporary file in the directory of `path`, so it can be renamed into place.
    /// Runs `body`, which writes the file `temporary` (removed first if a killed run left
    /// it). If `body` fails, `temporary` is removed too, and a command failure's message
    /// ends with `unchanged` ("nothing was changed"): no half file is ever left behind.
    static func writing<T>(_ temporary: String, unchanged: String, _ body: () async throws -> T) async throws -> T {
        DatabaseFile.remove(temporary)
        do {
            return try await body()
        } catch {
            DatabaseFile.remove(temporary)
            if let failure = error as? CommandFailure {
                throw CommandFailure(exitCode: failure.exitCode, message: failure.message + "; " + unchanged)
            }
            throw error
        }
    }

    static func temporaryPath(beside path: String) -> String {
        let directory = DatabaseFile.directory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? "baohao"
        return (directory == "/" ? "" : directory) + "/.\(name).\(getpid()).partial"
    }

    /// Copies the database `open` opens into the new file `destination` with the online
    /// backup API, on a thread of its own (it sleeps between steps).
    static func copy(
        _ open: @escaping @Sendable () throws -> SQLiteConnection, to destination: String
    ) async throws -> OnlineBackup.Progress {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try OnlineBackup(from: try open(), toNewFileAt: destination).run() })
            }
        }
    }

    /// Checks the copy at `path`, opened without changing it: SQLite's integrity check
    /// passes and it is a Baohao database whose schema this build knows. `name` is what the
    /// errors call it (the file the operator named).
    static func check(_ path: String, name: String) throws -> Checked {
        let connection: SQLiteConnection
        let problems: [String]
        let version: Int?
        let size: (pages: Int, pageSize: Int)
        do {
            connection = try SQLiteConnection(immutableFileAt: path)
            problems = try connection.integrityProblems(limit: 5)
            version = problems.isEmpty ? try Migrator.recordedVersion(connection) : nil
            size = try connection.pageCountAndSize()
        } catch let error as DatabaseError {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "\(name) is not a usable SQLite database: \(error.resultDescription)")
        }
        guard problems.isEmpty else {
            throw CommandFailure(
                exitCode: ExitCode.dataError,
                message: "\(name) fails SQLite's integrity check: " + problems.joined(separator: "; "))
        }
        guard let version else {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "\(name) is not a Baohao database: it has no schema_version table")
        }
        let latest = latestSchemaVersion
        guard version <= latest else {
            throw CommandFailure(
                exitCode: ExitCode.dataError,
                message: "\(name) has schema version \(version), newer than this baohao knows (\(latest)): use the baohao that wrote it, or a newer one")
        }
        return Checked(pages: size.pages, pageSize: size.pageSize, schemaVersion: version)
    }

    /// The newest schema version this build knows.
    static var latestSchemaVersion: Int { BaohaoSchema.migrations.map(\.version).max() ?? 0 }

    /// "812 KiB", "4.8 MiB", "1.2 GiB".
    static func size(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = value >= 100 ? value.rounded() : (value * 10).rounded() / 10
        return (rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)) + " " + units[unit]
    }

    /// True when `a` and `b` name the same file (the same device and inode).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    /// The kind of file at `path`: nil when there is none.
    static func kind(_ path: String) -> FileKind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    enum FileKind { case regular, directory, other }

    /// The size of the file at `path` in bytes, 0 when there is none.
    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}

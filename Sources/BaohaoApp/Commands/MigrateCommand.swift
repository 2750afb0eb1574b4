import BaohaoCore
import Storage
import Telegram

#if canImport(Glibc)
import Glibc
#endif

/// `baohao migrate`: creates or upgrades the database schema. With `--to URL`, copies the
/// configured SQLite database into an empty PostgreSQL database instead (`copyToPostgres`).
enum MigrateCommand {
    static func run(_ context: CommandContext) async throws -> Int32 {
        if let target = context.command.value("--to") { return try await copyToPostgres(context, target: target) }
        let config = try context.configuration()
        let connection = try config.database.connect()
        let applied = try Migrator.migrate(connection, BaohaoSchema.migrations)
        let versions = try Migrator.appliedVersions(connection)
        context.io.out("database \(config.database): schema version \(versions.last ?? 0)"
            + (applied.isEmpty ? ", already up to date" : ", applied \(applied.map(String.init).joined(separator: ", "))"))
        return ExitCode.success
    }

    /// `baohao migrate --to postgres://…`: the configured SQLite database, copied whole into
    /// an empty PostgreSQL database (`SQLiteToPostgres`: one transaction, checked, or nothing).
    /// Refused, changing nothing, when the URL is not PostgreSQL's, the source is missing, is
    /// not a SQLite file or has a schema newer than this build, a bot serves the source, or
    /// the target is not empty. An older source schema is migrated on SQLite first (said so).
    /// The bot's instance lock is held throughout, so no bot starts on the source meanwhile
    /// and writes what the copy would miss. Only the URL's redacted form is ever printed.
    static func copyToPostgres(_ context: CommandContext, target text: String) async throws -> Int32 {
        let target = DatabaseLocation(text)
        guard case .postgres(let url) = target else {
            throw CommandFailure(
                exitCode: ExitCode.usage,
                message: "--to '\(Self.masked(text))' is not a PostgreSQL URL: give postgres://user@host/database (or postgresql://…)")
        }
        let unchanged = "nothing was changed"
        let config = try context.configuration()
        let database: String
        switch config.database {
        case .postgres:
            throw CommandFailure(
                exitCode: ExitCode.usage,
                message: "the configured database is already PostgreSQL (\(config.database)): --to copies a SQLite database; name it with --db PATH")
        case .sqlite(let path):
            database = path
        }
        guard database != ":memory:" else {
            throw CommandFailure(exitCode: ExitCode.usage, message: "the database is in memory (:memory:): there is nothing to copy")
        }
        switch DatabaseCopy.kind(database) {
        case .regular: break
        case nil:
            throw CommandFailure(exitCode: ExitCode.noInput, message: "no database at \(database) (database_path, BAOHAO_DB or --db name it); \(unchanged)")
        case .directory, .other:
            throw CommandFailure(exitCode: ExitCode.noInput, message: "\(database) is not a regular file; \(unchanged)")
        }
        guard Self.hasSQLiteHeader(database) else {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "\(database) is not a SQLite database; \(unchanged)")
        }
        guard !InstanceLock.isHeld(databasePath: database) else {
            throw CommandFailure(
                exitCode: ExitCode.busy, message: OfflineDatabaseLock.serving(database, by: "a bot", lock: InstanceLock.path(forDatabase: database), then: "copy"))
        }

        let targetConnection: PGConnection
        do {
            targetConnection = try PGConnection(url.raw)
        } catch {
            throw CommandFailure(exitCode: ExitCode.ioError, message: "\(error.message); \(unchanged)")
        }
        let source: SQLiteConnection
        let sourceVersion: Int?
        let sourceTables: [String]
        do {
            source = try SQLiteConnection(path: database)
            sourceVersion = try Migrator.recordedVersion(source)
            sourceTables = try SQLiteToPostgres.tables(of: source)
        } catch let error as DatabaseError {
            throw CommandFailure(exitCode: ExitCode.dataError, message: "\(database) is not a usable SQLite database: \(error.resultDescription); \(unchanged)")
        }
        guard let sourceVersion else {
            throw CommandFailure(
                exitCode: ExitCode.dataError,
                message: "\(database) is not a Baohao database: it has no schema_version table (baohao migrate --db \(database) makes it one); \(unchanged)")
        }
        let latest = DatabaseCopy.latestSchemaVersion
        guard sourceVersion <= latest else {
            throw CommandFailure(
                exitCode: ExitCode.dataError,
                message: "\(database) has schema version \(sourceVersion), newer than this baohao knows (\(latest)): use the baohao that wrote it, or a newer one; \(unchanged)")
        }
        let obstacles = try Self.refusingDatabaseErrors(target, source: database, unchanged) {
            try SQLiteToPostgres.obstacles(in: targetConnection, tables: sourceTables)
        }
        guard obstacles.isEmpty else {
            // A database a bot ran on has every table: name a few, and the recorded versions.
            let tables = obstacles.filter { $0.hasPrefix("table ") }, others = obstacles.filter { !$0.hasPrefix("table ") }
            let named = tables.prefix(5) + (tables.count > 5 ? ["\(tables.count - 5) more tables"] : []) + others
            throw CommandFailure(
                exitCode: ExitCode.cantCreate,
                message: "\(target) is not empty: it already has \(named.joined(separator: ", ")); copy into a new, empty database; \(unchanged)")
        }

        // No bot may start on the source while it is copied: what it wrote would be missed.
        let lock = try await OfflineDatabaseLock.take(database, then: "copy")
        defer { withExtendedLifetime(lock) {} }

        if sourceVersion < latest {
            let applied: [Int]
            do {
                applied = try Migrator.migrate(source, BaohaoSchema.migrations)
            } catch let error as DatabaseError {
                throw CommandFailure(
                    exitCode: ExitCode.dataError,
                    message: "migrating \(database) on SQLite to schema version \(latest) failed: \(error.message); \(target) was not changed")
            }
            context.io.out(
                "migrated \(database) on SQLite first: schema version \(sourceVersion) → \(latest) (applied \(applied.map(String.init).joined(separator: ", ")))")
        }

        let started = ContinuousClock.now
        let report = try Self.refusingDatabaseErrors(target, source: database, "\(target) was left as it was") { () throws -> SQLiteToPostgres.Report in
            do {
                return try SQLiteToPostgres.copy(from: source, to: targetConnection, migrations: BaohaoSchema.migrations)
            } catch let failure as SQLiteToPostgres.Failure {
                let code: Int32
                switch failure {
                case .targetNotEmpty: code = ExitCode.cantCreate
                case .copyFailed, .noCounterpart, .missingColumns, .foreignKeyCycle: code = ExitCode.dataError
                case .versionMismatch, .countMismatch, .contentMismatch: code = ExitCode.software
                }
                throw CommandFailure(exitCode: code, message: "copying \(database) to \(target) failed: \(failure); \(target) was left as it was")
            }
        }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        for table in report.tables {
            context.io.out("\(table.name): \(Self.grouped(table.rows)) row\(table.rows == 1 ? "" : "s")")
        }
        context.io.out(
            "copied \(report.tables.count) tables, \(Self.grouped(report.rows)) rows to \(target), schema version \(report.schemaVersion)"
                + " in \(Self.tenths(seconds)) s" + (report.rows > 0 && seconds > 0 ? " (\(Self.grouped(Int(Double(report.rows) / seconds))) rows/s)" : ""))
        context.io.out(
            "checked: every table's row count and contents read back equal SQLite's; \(report.sequencesMoved.count) identity sequence\(report.sequencesMoved.count == 1 ? "" : "s") moved past the copied ids")
        context.io.out(
            "\(database) is left as it was\(sourceVersion < latest ? " (after its migration)" : ""): the bot uses PostgreSQL once database_path (or BAOHAO_DB) names \(target)")
        return ExitCode.success
    }

    /// Runs `body`; a database error it throws (the target refused a statement, the
    /// connection broke, the source could not be read) becomes a command failure naming the
    /// database concerned (PostgreSQL's errors carry a SQLSTATE), ending with `unchanged`.
    private static func refusingDatabaseErrors<T>(
        _ target: DatabaseLocation, source: String, _ unchanged: String, _ body: () throws -> T
    ) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            let which = error.sqlState == nil ? source : target.description
            throw CommandFailure(exitCode: ExitCode.ioError, message: "\(which): \(error.message); \(unchanged)")
        }
    }

    /// True when the file at `path` starts with SQLite's header ("SQLite format 3" and a NUL):
    /// checked before opening it, which would otherwise make it a database.
    static func hasSQLiteHeader(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 16)
        let read = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 16, 0) }
        return read == 16 && header == Array("SQLite format 3\0".utf8)
    }

    /// `text` with any password it holds masked: that of a URL of any scheme (its user
    /// info, a `password` parameter), or of libpq's `password=` keyword.
    static func masked(_ text: String) -> String {
        guard let scheme = text.firstRange(of: "://") else { return PGConnectionString.redacted(text) }
        // Read as PostgreSQL's URL, whose passwords sit where every URL's do.
        let redacted = PGConnectionString.redacted("postgres" + text[scheme.lowerBound...])
        return String(text[..<scheme.lowerBound]) + redacted.dropFirst("postgres".count)
    }

    /// 123456 as "123,456".
    static func grouped(_ number: Int) -> String {
        let digits = Array(String(number.magnitude))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return (number < 0 ? "-" : "") + text
    }

    /// 2.345 as "2.3".
    static func tenths(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

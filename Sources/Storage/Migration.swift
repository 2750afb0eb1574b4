public import BaohaoSupport

/// One numbered schema change. Applied once, in its own transaction, in version order.
/// Versions are the same on both engines: version N leaves the same tables on each.
public struct Migration: Sendable {
    /// Position in the schema's history: 1, 2, 3, ...
    public let version: Int
    /// A short name recorded beside the version.
    public let name: String
    let apply: @Sendable (any Connection) throws -> Void

    /// A migration made of SQL statements both engines understand.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.apply = { try $0.executeScript(sql) }
    }

    /// A migration with a script per engine: DDL is where the dialects differ (types,
    /// identity columns, `STRICT`).
    public init(version: Int, name: String, sqlite: String, postgres: String) {
        self.version = version
        self.name = name
        self.apply = { connection in
            switch connection.engine {
            case .sqlite: try connection.executeScript(sqlite)
            case .postgres: try connection.executeScript(postgres)
            }
        }
    }

    /// A migration that runs Swift code (for data changes SQL alone cannot express).
    public init(version: Int, name: String, _ apply: @escaping @Sendable (any Connection) throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }
}

/// Applies migrations and records them in `schema_version`.
public enum Migrator {
    /// Applies every migration in `migrations` not yet recorded, each in its own transaction.
    /// Fails, changing nothing further, when versions repeat or are not positive, or when the
    /// database was written by a newer build (it holds a version this list does not know).
    /// - Returns: the versions applied by this call.
    @discardableResult
    public static func migrate(_ connection: any Connection, _ migrations: [Migration]) throws -> [Int] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (index, migration) in sorted.enumerated() {
            guard migration.version > 0 else {
                throw DatabaseError(code: 0, message: "migration '\(migration.name)' has version \(migration.version); versions start at 1")
            }
            if index > 0, sorted[index - 1].version == migration.version {
                throw DatabaseError(code: 0, message: "two migrations have version \(migration.version): '\(sorted[index - 1].name)' and '\(migration.name)'")
            }
        }
        // In a write transaction: on PostgreSQL two processes starting at once would otherwise
        // race to create the table.
        try connection.transaction(.immediate) { try connection.executeScript(schemaVersionTable(connection.engine)) }
        let known = Set(sorted.map(\.version))
        let recorded = try appliedVersions(connection)
        if let unknown = recorded.first(where: { !known.contains($0) && $0 > (sorted.last?.version ?? 0) }) {
            throw DatabaseError(code: 0, message: "the database has schema version \(unknown), newer than this build knows (\(sorted.last?.version ?? 0)); use a newer baohao")
        }
        var applied: [Int] = []
        for migration in sorted where !recorded.contains(migration.version) {
            let didApply = try connection.transaction(.immediate) { () throws -> Bool in
                // Re-check inside the write lock: another process may have applied it meanwhile.
                let present = try connection.queryFirst(
                    "SELECT 1 FROM schema_version WHERE version = ?", migration.version) { _ in true } ?? false
                if present { return false }
                do {
                    try migration.apply(connection)
                } catch let error as DatabaseError {
                    throw DatabaseError(
                        code: error.code, extendedCode: error.extendedCode,
                        message: "migration \(migration.version) '\(migration.name)' failed: \(error.message)",
                        sql: error.sql)
                }
                try connection.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)", migration.version, migration.name,
                    SystemWallClock().now().description)
                return true
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }

    /// The versions recorded in `schema_version`, ascending.
    public static func appliedVersions(_ connection: any Connection) throws -> [Int] {
        try connection.query("SELECT version FROM schema_version ORDER BY version") { $0.int(0) }
    }

    /// The highest version recorded in `schema_version` (0 when none is), or nil when the
    /// database has no such table: `migrate` never ran on it.
    public static func recordedVersion(_ connection: any Connection) throws -> Int? {
        let hasTable: Bool
        switch connection.engine {
        case .sqlite:
            hasTable = try connection.queryFirst("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'") { _ in true } ?? false
        case .postgres:
            hasTable = try connection.queryFirst("SELECT to_regclass('schema_version') IS NOT NULL") { $0.bool(0) } ?? false
        }
        guard hasTable else { return nil }
        return try connection.queryFirst("SELECT max(version) FROM schema_version") { $0.int(0) } ?? 0
    }

    /// The table recording applied versions, in each engine's DDL. `applied_at` is bound
    /// from Swift; SQLite's default is kept for databases made before that.
    private static func schemaVersionTable(_ engine: DatabaseEngine) -> String {
        switch engine {
        case .sqlite:
            """
            CREATE TABLE IF NOT EXISTS schema_version (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            )
            """
        case .postgres:
            """
            CREATE TABLE IF NOT EXISTS schema_version (
                version BIGINT PRIMARY KEY,
                name TEXT COLLATE "C" NOT NULL,
                applied_at TEXT COLLATE "C" NOT NULL
            )
            """
        }
    }
}

/// Where the bot's data lives, as `BAOHAO_DB` / `database_path` give it: a SQLite file
/// path, or a PostgreSQL server as a libpq URL (`postgres://…` or `postgresql://…`).
public enum DatabaseLocation: Sendable, CustomStringConvertible {
    /// A SQLite file (or ":memory:").
    case sqlite(path: String)
    /// A PostgreSQL database. The password may be in the URL, in libpq's `PGPASSWORD`, or in
    /// a password file (`passfile=` in the URL, `PGPASSFILE`, `~/.pgpass`); it is never shown.
    case postgres(PGConnectionString)

    /// A URL starting `postgres://` or `postgresql://` is PostgreSQL; anything else a path.
    public init(_ text: String) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(PGConnectionString(text))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The engine at this location.
    public var engine: DatabaseEngine {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// The path, or the URL with its password masked.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url.redacted
        }
    }

    /// The SQLite file on this machine, when there is one (not ":memory:", not PostgreSQL):
    /// where files kept beside the database (journals, backups) go.
    public var localFile: String? {
        if case .sqlite(let path) = self, path != ":memory:" { return path }
        return nil
    }

    /// Opens a connection here: SQLite's with its pragmas, or PostgreSQL's with
    /// `postgresSessionSetup` run in each session (`SET …`).
    public func connect(postgresSessionSetup: String = "") throws -> any Connection {
        switch self {
        case .sqlite(let path): try SQLiteConnection(path: path)
        case .postgres(let url): try PGConnection(url.raw, sessionSetup: postgresSessionSetup)
        }
    }
}

import Storage

/// Another program's write transaction on a database of either engine, held until
/// `release`: SQLite's `BEGIN IMMEDIATE`, or on PostgreSQL the advisory lock every write
/// transaction of the bot takes. Nothing else writes meanwhile.
final class HeldWriteLock {
    private let connection: any Connection

    init(_ location: String) throws {
        connection = try DatabaseLocation(location).connect()
        switch connection.engine {
        case .sqlite: try connection.executeScript("BEGIN IMMEDIATE")
        case .postgres: try connection.executeScript("BEGIN; SELECT pg_advisory_xact_lock(\(PGConnection.writeLockKey))")
        }
    }

    func release() throws { try connection.executeScript("COMMIT") }
}

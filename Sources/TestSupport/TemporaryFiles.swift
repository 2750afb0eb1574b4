import Foundation

/// A new empty directory under the system's temporary directory.
public func makeTemporaryDirectory(_ prefix: String = "baohao-tests") -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.path
}

/// Writes `contents` to a new file named `name` in a fresh temporary directory; returns its path.
public func writeTemporaryFile(_ contents: String, name: String = "bot.json") -> String {
    let path = makeTemporaryDirectory() + "/" + name
    try! contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A path for a new database file in a fresh temporary directory.
public func temporaryDatabasePath(_ name: String = "test") -> String {
    makeTemporaryDirectory() + "/\(name).sqlite"
}

/// Which engine the suites that run on both (`temporaryDatabase`) use in this process:
/// PostgreSQL when `BAOHAO_TEST_ENGINE=postgres` (`make test` runs them once each way).
public let testsUsePostgres = ProcessInfo.processInfo.environment["BAOHAO_TEST_ENGINE"] == "postgres"

/// A new empty database for a suite that runs on both engines: a SQLite file in a fresh
/// temporary directory, or with `BAOHAO_TEST_ENGINE=postgres` a fresh database on the
/// throwaway PostgreSQL cluster (its URL). Either is what `Database.open(path:)` takes.
public func temporaryDatabase(_ name: String = "test") -> String {
    guard testsUsePostgres else { return temporaryDatabasePath(name) }
    do {
        return try PostgresCluster.shared().makeDatabase()
    } catch {
        fatalError("BAOHAO_TEST_ENGINE=postgres, and the PostgreSQL cluster cannot start: \(error)")
    }
}

/// The repository's root folder, found from this source file's location.
public let repositoryRoot: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

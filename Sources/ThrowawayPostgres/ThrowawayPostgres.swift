import Foundation
public import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server, for the tests' cluster (TestSupport's `PostgresCluster`)
/// and the benchmark's (`BenchPostgres`): `initdb` into a temporary directory (trust
/// authentication, UTF-8, C locale), then `pg_ctl start` on 127.0.0.1 at a free port, with
/// its socket in that directory and the caller's server options. `stop()` stops it at once
/// and removes the directory.
///
/// As root, `initdb` refuses to run, so the server's commands run as the `postgres` user
/// through `runuser`, and the directory is handed to that user.
public final class ThrowawayPostgres: Sendable {
    /// The directory holding `initdb`, `pg_ctl` and `psql`, when installed: the one named by
    /// `BAOHAO_POSTGRES_BINDIR` if set (to pick a version, or a missing one to see PostgreSQL
    /// reported as unavailable), else `pg_config --bindir`, else the newest
    /// `/usr/lib/postgresql/*/bin`.
    public static let binDirectory: String? = findBinDirectory()

    /// Why a server cannot be started here, or nil when it can.
    public static let unavailableReason: String? = {
        guard binDirectory != nil else {
            if let chosen = ProcessInfo.processInfo.environment["BAOHAO_POSTGRES_BINDIR"] {
                return "PostgreSQL not found in BAOHAO_POSTGRES_BINDIR=\(chosen)"
            }
            return "PostgreSQL not installed (no initdb via pg_config --bindir or /usr/lib/postgresql/*/bin)"
        }
        if geteuid() == 0 {
            guard getpwnam("postgres") != nil else { return "running as root and there is no postgres user to run initdb as" }
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else {
                return "running as root and /usr/sbin/runuser is missing"
            }
        }
        return nil
    }()

    /// The superuser, trusted without a password.
    public static let superuser = "postgres"

    /// The directory holding the data directory (`data`), the socket and the server log.
    public let directory: String
    /// The TCP port the server listens on, on 127.0.0.1.
    public let port: Int
    private let bin: String
    private let serverOptions: String
    private let stopped = Atomic<Bool>(false)

    /// Starts a new server (a second or two). `prepare` may change the new data directory's
    /// files (its path is passed) before the server starts; `serverOptions` are added to the
    /// server's command line (`-F`, `-c name=value …`), at this start and every restart.
    public init(directoryPrefix: String, serverOptions: String, prepare: (String) throws -> Void = { _ in }) throws {
        guard let bin = Self.binDirectory, Self.unavailableReason == nil else {
            throw ThrowawayPostgresError(Self.unavailableReason ?? "PostgreSQL is not available")
        }
        self.bin = bin
        self.serverOptions = serverOptions
        let directory = NSTemporaryDirectory() + "\(directoryPrefix)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        if geteuid() == 0, let user = getpwnam("postgres") {
            chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        do {
            try Self.runAsServerUser(
                bin + "/initdb", ["-D", directory + "/data", "-A", "trust", "-U", Self.superuser, "-E", "UTF8", "--locale=C", "--no-sync"])
            try prepare(directory + "/data")
            // A port found free by binding port 0 may be taken before the server binds it: retry.
            var started: Int?
            var lastError: (any Error)?
            for _ in 0..<3 {
                let port = try Self.freePort()
                do {
                    try Self.start(bin: bin, directory: directory, port: port, options: serverOptions)
                    started = port
                    break
                } catch {
                    lastError = error
                }
            }
            guard let port = started else {
                let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
                throw ThrowawayPostgresError("pg_ctl start failed: \(lastError.map { "\($0)" } ?? "?")\n\(log)")
            }
            self.port = port
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit { try? stop() }

    /// A libpq URL for `database` as `user` (the trusted superuser by default), over TCP.
    public func url(database: String = "postgres", user: String? = nil) -> String {
        "postgres://\(user ?? Self.superuser)@127.0.0.1:\(port)/\(database)"
    }

    /// Creates a new empty database named `<prefix><random>` and returns its URL.
    public func makeDatabase(prefix: String) throws -> String {
        let name = prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// Runs `sql` as the superuser with `psql`, failing on the first error; what it printed
    /// (unaligned, tuples only, trimmed).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Self.run(bin + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database: database), "-c", sql])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server (`-m fast`: sessions are disconnected), keeps it down for `downtime`,
    /// and starts it again on the same port with the same data and options.
    public func restart(downtime: Duration) throws {
        try Self.runAsServerUser(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "fast", "-w", "stop"])
        Thread.sleep(forTimeInterval: Double(downtime.components.seconds) + Double(downtime.components.attoseconds) / 1e18)
        try Self.start(bin: bin, directory: directory, port: port, options: serverOptions)
    }

    /// Stops the server at once (`-m immediate`) and removes its directory. Idempotent.
    public func stop() throws {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.runAsServerUser(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
    }

    // MARK: - Processes

    private static func start(bin: String, directory: String, port: Int, options: String) throws {
        try runAsServerUser(
            bin + "/pg_ctl",
            ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "-o", "-k \(directory) -h 127.0.0.1 -p \(port) \(options)", "start"])
    }

    /// Runs `executable` as the server's user: this user, or `postgres` through `runuser` as root.
    private static func runAsServerUser(_ executable: String, _ arguments: [String]) throws {
        if geteuid() == 0 {
            try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            try run(executable, arguments)
        }
    }

    /// Runs a program to its end and returns its output; throws with that output when it fails.
    ///
    /// posix_spawn and waitpid rather than Foundation's `Process`: `pg_ctl start` leaves the
    /// server running as a grandchild, and `Process` (which watches a descriptor the whole
    /// process tree inherits) then never reports the exit: measured, the wait hung forever
    /// with the `runuser` child already a zombie. Output goes to a file, and descriptors above
    /// 2 are closed in the child (where glibc offers it) so that the server keeps none of the
    /// caller's sockets or files.
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let output = NSTemporaryDirectory() + "baohao-pg-\(UUID().uuidString).out"
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ThrowawayPostgresError("cannot run \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ThrowawayPostgresError("waitpid failed: errno \(errno)") }
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS are macros: exited normally when the low 7 bits are 0.
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            throw ThrowawayPostgresError("\(([executable] + arguments).joined(separator: " ")) exited with \(exitCode): \(text)")
        }
        return text
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module
    /// does not declare (it is a GNU extension): looked up at run time; nil before glibc 2.34.
    private static let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
    }()

    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ThrowawayPostgresError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ThrowawayPostgresError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ThrowawayPostgresError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func findBinDirectory() -> String? {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let chosen = ProcessInfo.processInfo.environment["BAOHAO_POSTGRES_BINDIR"] {
            candidates.append(chosen)
        } else {
            if let pgConfig = ["/usr/bin/pg_config", "/usr/local/bin/pg_config"].first(where: fileManager.isExecutableFile(atPath:)),
                let bindir = try? run(pgConfig, ["--bindir"])
            {
                candidates.append(bindir.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                candidates.append("/usr/lib/postgresql/\(version)/bin")
            }
        }
        return candidates.first { directory in
            ["initdb", "pg_ctl", "psql"].allSatisfy { fileManager.isExecutableFile(atPath: directory + "/" + $0) }
        }
    }
}

/// A throwaway server could not be started or used; the message holds the command's output.
public struct ThrowawayPostgresError: Error, CustomStringConvertible {
    /// What failed, with the output of the command that failed.
    public let message: String
    public var description: String { message }
    public init(_ message: String) { self.message = message }
}

import Foundation
public import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for tests: `initdb` into a temporary directory (trust
/// authentication, fsync off), `pg_ctl start` on 127.0.0.1 at a free port with its socket in
/// that directory, and one fresh database per test. One cluster per test process, started
/// on first use and stopped (`pg_ctl stop -m immediate`, directory removed) when the
/// process exits normally.
///
/// As root, `initdb` refuses to run, so the server's commands run as the `postgres` user
/// through `runuser`, and the directory is handed to that user.
///
/// PostgreSQL suites are gated on `isAvailable` (the test targets' `.requiresPostgres` trait):
/// when the server is not installed they are reported as skipped and counted as not run
/// (`noteNotRun`), never as passed.
public final class PostgresCluster: Sendable {
    /// The directory holding `initdb`, `pg_ctl` and `psql`, when installed: the one named by
    /// `BAOHAO_POSTGRES_BINDIR` if set (to pick a version, or a missing one to see the tests
    /// reported as not run), else `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`.
    public static let binDirectory: String? = findBinDirectory()

    /// Why the cluster cannot be used here, or nil when it can.
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

    /// True when a cluster can be started here.
    public static var isAvailable: Bool { unavailableReason == nil }

    /// Records that one PostgreSQL test is not run because `isAvailable` is false. At exit the
    /// process prints how many were not run and why: Swift Testing marks each one skipped,
    /// but its summary counts them in its "N tests passed" line.
    public static func noteNotRun() {
        if skipped.add(1, ordering: .relaxed).newValue == 1 {
            atexit {
                let count = PostgresCluster.skipped.load(ordering: .relaxed)
                let reason = PostgresCluster.unavailableReason ?? "PostgreSQL unavailable"
                print("\(reason): \(count) PostgreSQL tests NOT RUN (marked skipped; the summary's count of passed tests includes them)")
            }
        }
    }

    /// The process's cluster, started on first use. Throws when it cannot start even though
    /// PostgreSQL is installed: that is a failure, not a reason to skip.
    public static func shared() throws -> PostgresCluster {
        try sharedCluster.withLock { (slot: inout SharedSlot) throws -> PostgresCluster in
            if let cluster = slot.cluster { return cluster }
            if let failure = slot.failure { throw ClusterError(message: "an earlier start failed: \(failure)") }
            do {
                let cluster = try PostgresCluster()
                slot.cluster = cluster
                atexit {
                    let cluster = PostgresCluster.sharedCluster.withLock { $0.cluster }
                    try? cluster?.stop()
                }
                return cluster
            } catch {
                slot.failure = "\(error)"
                throw error
            }
        }
    }

    /// The directory holding the data directory, the socket and the server log.
    public let directory: String
    /// The TCP port the server listens on, on 127.0.0.1.
    public let port: Int
    /// The superuser, trusted without a password.
    public let superuser = superuserName
    /// A role that must give its password (`passwordRolePassword`): for tests of
    /// authentication failures. Every other role is trusted.
    public let passwordRole = passwordRoleName
    /// The password of `passwordRole`.
    public let passwordRolePassword = "right-horse-battery"
    private let stopped = Atomic<Bool>(false)

    /// Starts a new cluster (about a second). Prefer `shared()`.
    public init() throws {
        guard let bin = Self.binDirectory, Self.unavailableReason == nil else {
            throw ClusterError(message: Self.unavailableReason ?? "PostgreSQL is not available")
        }
        let directory = makeTemporaryDirectory("baohao-pg")
        self.directory = directory
        let data = directory + "/data"
        if geteuid() == 0, let user = getpwnam("postgres") {
            chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        do {
            self.port = try Self.initializeAndStart(bin: bin, directory: directory, data: data)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        do {
            try psql("CREATE ROLE \(passwordRole) LOGIN PASSWORD '\(passwordRolePassword)'")
        } catch {
            try? stop()
            throw error
        }
    }

    /// initdb, pg_hba.conf, pg_ctl start; returns the port the server listens on.
    private static func initializeAndStart(bin: String, directory: String, data: String) throws -> Int {
        let superuser = superuserName, passwordRole = passwordRoleName
        try Self.runAsServerUser(
            bin + "/initdb", ["-D", data, "-A", "trust", "-U", superuser, "-E", "UTF8", "--locale=C", "--no-sync"])
        try """
        local all \(passwordRole) scram-sha-256
        host all \(passwordRole) 127.0.0.1/32 scram-sha-256
        local all all trust
        host all all 127.0.0.1/32 trust
        host all all ::1/128 trust

        """.write(toFile: data + "/pg_hba.conf", atomically: false, encoding: .utf8)
        // A port found free by binding port 0 may be taken before the server binds it: retry.
        var lastError: (any Error)?
        var started: Int?
        for _ in 0..<3 {
            let port = try Self.freePort()
            do {
                try Self.runAsServerUser(
                    bin + "/pg_ctl",
                    [
                        "-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o",
                        "-k \(directory) -h 127.0.0.1 -p \(port) -F -c max_connections=200", "start",
                    ])
                started = port
                break
            } catch {
                lastError = error
            }
        }
        guard let port = started else {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            throw ClusterError(message: "pg_ctl start failed: \(lastError.map { "\($0)" } ?? "?")\n\(log)")
        }
        return port
    }

    /// A libpq URL for `database` as `user` (the trusted superuser by default), over TCP.
    public func url(database: String = "postgres", user: String? = nil) -> String {
        "postgres://\(user ?? superuser)@127.0.0.1:\(port)/\(database)"
    }

    /// Creates a new empty database named `t_<random>` and returns its URL.
    public func makeDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// Runs `sql` as the superuser with `psql`, failing on the first error.
    public func psql(_ sql: String, database: String = "postgres") throws {
        guard let bin = Self.binDirectory else { throw ClusterError(message: "PostgreSQL is not installed") }
        try Self.run(
            bin + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url(database: database), "-c", sql])
    }

    /// Stops the server (`-m fast`: sessions are disconnected), keeps it down for `downtime`,
    /// and starts it again on the same port with the same data: a database restart as the
    /// bot sees one. For a cluster of the test's own (`init()`), never the shared one.
    public func restart(downtime: Duration) throws {
        guard let bin = Self.binDirectory else { throw ClusterError(message: "PostgreSQL is not installed") }
        try Self.runAsServerUser(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "fast", "-w", "stop"])
        Thread.sleep(forTimeInterval: Double(downtime.components.seconds) + Double(downtime.components.attoseconds) / 1e18)
        try Self.runAsServerUser(
            bin + "/pg_ctl",
            [
                "-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "-o",
                "-k \(directory) -h 127.0.0.1 -p \(port) -F -c max_connections=200", "start",
            ])
    }

    /// Stops the server at once (`-m immediate`) and removes its directory. Idempotent.
    public func stop() throws {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing), let bin = Self.binDirectory else { return }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.runAsServerUser(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
    }

    // MARK: - Processes

    private static let sharedCluster = Mutex(SharedSlot())

    private struct SharedSlot {
        var cluster: PostgresCluster?
        var failure: String?
    }

    private static let skipped = Atomic<Int>(0)
    private static let superuserName = "postgres"
    private static let passwordRoleName = "baohao_pw"

    /// Runs `executable` as the server's user: this user, or `postgres` through `runuser` as root.
    private static func runAsServerUser(_ executable: String, _ arguments: [String]) throws {
        if geteuid() == 0 {
            try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            try run(executable, arguments)
        }
    }

    /// Runs a program to its end; throws with its output when it fails.
    ///
    /// posix_spawn and waitpid rather than Foundation's `Process`: `pg_ctl start` leaves the
    /// server running as a grandchild, and `Process` (which watches a descriptor the whole
    /// process tree inherits) then never reports the exit: measured, the wait hung forever
    /// with the `runuser` child already a zombie. Descriptors above 2 are closed in the child
    /// so that the server keeps none of the test process's sockets or files.
    private static func run(_ executable: String, _ arguments: [String]) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("baohao-pg-\(UUID().uuidString).out").path
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
        guard spawned == 0 else { throw ClusterError(message: "cannot run \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ClusterError(message: "waitpid failed: errno \(errno)") }
        }
        // WIFEXITED and WEXITSTATUS are macros: exited normally when the low 7 bits are 0.
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw ClusterError(
                message: "\(([executable] + arguments).joined(separator: " ")) exited with \(exitCode): \(text)")
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module
    /// does not declare (it is a GNU extension): looked up at run time; nil before glibc 2.34.
    private static let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
    }()

    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError(message: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ClusterError(message: "bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ClusterError(message: "getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func findBinDirectory() -> String? {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let chosen = ProcessInfo.processInfo.environment["BAOHAO_POSTGRES_BINDIR"] {
            candidates.append(chosen)
        } else if let pgConfig = ["/usr/bin/pg_config", "/usr/local/bin/pg_config"].first(where: fileManager.isExecutableFile(atPath:)) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pgConfig)
            process.arguments = ["--bindir"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            if (try? process.run()) != nil {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                if process.terminationStatus == 0 {
                    candidates.append(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }
        }
        if ProcessInfo.processInfo.environment["BAOHAO_POSTGRES_BINDIR"] == nil {
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

/// A throwaway cluster could not be started or used; the message holds the command's output.
public struct ClusterError: Error, CustomStringConvertible {
    /// What failed, with the output of the command that failed.
    public let message: String
    public var description: String { message }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for the benchmark's end-to-end figure on PostgreSQL:
/// `initdb` into a temporary directory (trust authentication for local connections), then
/// `pg_ctl start` on 127.0.0.1 at a free port with its socket in that directory, and one fresh
/// database per run. `stop()` stops it (`pg_ctl stop -m immediate`) and removes the directory.
///
/// Unlike the test suites' cluster (TestSupport's `PostgresCluster`, which runs with fsync off
/// and adds a password role for the authentication tests), the server keeps the settings a
/// production server on the same machine would have: `fsync = on`, `synchronous_commit = on`,
/// everything else as `initdb` writes it. Only `initdb` itself skips its final flush of the
/// new data directory (`--no-sync`), which no server setting depends on.
///
/// As root, `initdb` refuses to run, so the server's commands run as the `postgres` user
/// through `runuser`, and the directory is handed to that user.
final class BenchPostgres {
    /// The directory holding `initdb`, `pg_ctl` and `psql`, when installed: the one named by
    /// `BAOHAO_POSTGRES_BINDIR` if set, else `pg_config --bindir`, else the newest
    /// `/usr/lib/postgresql/*/bin` (as the test suites' cluster looks for them).
    static let binDirectory: String? = {
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
    }()

    /// Why a server cannot be started here, or nil when it can.
    static let unavailableReason: String? = {
        guard binDirectory != nil else {
            if let chosen = ProcessInfo.processInfo.environment["BAOHAO_POSTGRES_BINDIR"] {
                return "PostgreSQL not found in BAOHAO_POSTGRES_BINDIR=\(chosen)"
            }
            return "PostgreSQL not installed (no initdb in /usr/lib/postgresql/*/bin)"
        }
        if geteuid() == 0 {
            guard getpwnam("postgres") != nil else { return "running as root and there is no postgres user to run initdb as" }
            guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else {
                return "running as root and /usr/sbin/runuser is missing"
            }
        }
        return nil
    }()

    /// The directory holding the data directory, the socket and the server log.
    let directory: String
    /// The TCP port the server listens on, on 127.0.0.1.
    let port: Int
    /// The server's settings that matter to the figure, as it reports them (`SHOW`).
    private(set) var settings = ""
    private let bin: String
    private var stopped = false
    private static let superuser = "postgres"

    /// Starts a new server (a few seconds). `options` are added to the server's command line
    /// (`-c name=value …`): for diagnosis only, never in the figures' own runs.
    init(options: String = "") throws {
        guard let bin = Self.binDirectory, Self.unavailableReason == nil else {
            throw BenchError(Self.unavailableReason ?? "PostgreSQL is not available")
        }
        self.bin = bin
        let directory = NSTemporaryDirectory() + "baohao-bench-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        if geteuid() == 0, let user = getpwnam("postgres") {
            chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        let data = directory + "/data"
        do {
            try Self.runAsServerUser(
                bin + "/initdb", ["-D", data, "-A", "trust", "-U", Self.superuser, "-E", "UTF8", "--locale=C", "--no-sync"])
            var started: Int?
            var lastError: (any Error)?
            // A port found free by binding port 0 may be taken before the server binds it: retry.
            for _ in 0..<3 {
                let port = try Self.freePort()
                do {
                    try Self.runAsServerUser(
                        bin + "/pg_ctl",
                        ["-D", data, "-l", directory + "/server.log", "-w", "-t", "60", "-o", "-k \(directory) -h 127.0.0.1 -p \(port) \(options)", "start"])
                    started = port
                    break
                } catch {
                    lastError = error
                }
            }
            guard let port = started else {
                let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
                throw BenchError("pg_ctl start failed: \(lastError.map { "\($0)" } ?? "?")\n\(log)")
            }
            self.port = port
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        do {
            settings = try ["server_version", "fsync", "synchronous_commit", "wal_sync_method", "shared_buffers"].map {
                "\($0) \(try psqlValue("SHOW \($0)"))"
            }.joined(separator: ", ")
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// A libpq URL for `database` as the trusted superuser, over TCP on loopback.
    func url(database: String) -> String { "postgres://\(Self.superuser)@127.0.0.1:\(port)/\(database)" }

    /// Creates a new empty database and returns its URL.
    func makeDatabase() throws -> String {
        let name = "bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        _ = try psqlValue("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// CPU seconds the server has used so far: the postmaster and its live processes, plus
    /// the processes that have ended (the postmaster waits for them, so their time is in its
    /// own cutime and cstime).
    func cpuSeconds() -> Double {
        guard let pidFile = try? String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8),
            let first = pidFile.split(separator: "\n").first, let postmaster = Int32(first)
        else { return 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        /// utime, stime, cutime, cstime and the parent's pid of `pid`, from /proc.
        func times(_ pid: String) -> (own: Double, children: Double, parent: Int32)? {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
            // After the command: state, ppid, …; utime is field 14 of the line, so 11 here.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 14, let parent = Int32(fields[1]), let user = Double(fields[11]), let system = Double(fields[12]),
                let childUser = Double(fields[13]), let childSystem = Double(fields[14])
            else { return nil }
            return ((user + system) / ticks, (childUser + childSystem) / ticks, parent)
        }
        guard let main = times("\(postmaster)") else { return 0 }
        var total = main.own + main.children
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where entry.first?.isNumber == true {
            if let child = times(entry), child.parent == postmaster { total += child.own }
        }
        return total
    }

    /// The server's cumulative counters for `database` and for the whole server's WAL:
    /// transactions committed and rolled back, WAL records, WAL flushes to disk (`wal_sync`)
    /// and the time they took (with `track_wal_io_timing` on), and with pg_stat_statements
    /// loaded (`shared_preload_libraries`) the statements run.
    func counters(database url: String) throws -> [String: Double] {
        let name = url.split(separator: "/").last.map(String.init) ?? ""
        let text = try psqlValue("""
            SELECT 'commits', xact_commit FROM pg_stat_database WHERE datname = '\(name)'
            UNION ALL SELECT 'rollbacks', xact_rollback FROM pg_stat_database WHERE datname = '\(name)'
            UNION ALL SELECT 'WAL records', wal_records FROM pg_stat_wal
            UNION ALL SELECT 'WAL flushes', wal_sync FROM pg_stat_wal
            UNION ALL SELECT 'WAL flush ms', wal_sync_time::bigint FROM pg_stat_wal
            """)
        var counters: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "|")
            if parts.count == 2, let value = Double(parts[1]) { counters[String(parts[0])] = value }
        }
        if (try? psqlValue("SHOW shared_preload_libraries"))?.contains("pg_stat_statements") == true {
            _ = try psqlValue("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            let statements = try psqlValue("""
                SELECT s.calls, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 90) FROM pg_stat_statements s
                JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '\(name)'
                """)
            for line in statements.split(separator: "\n") {
                let parts = line.split(separator: "|", maxSplits: 1)
                if parts.count == 2, let calls = Double(parts[0]) { counters["statement: " + parts[1], default: 0] += calls }
            }
        }
        return counters
    }

    /// Stops the server at once and removes its directory. Idempotent.
    func stop() {
        guard !stopped else { return }
        stopped = true
        try? Self.runAsServerUser(bin + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `sql` as the superuser with `psql` and returns what it printed (unaligned, tuples only).
    private func psqlValue(_ sql: String) throws -> String {
        try Self.run(bin + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database: "postgres"), "-c", sql])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `executable` as the server's user: this user, or `postgres` through `runuser` as root.
    private static func runAsServerUser(_ executable: String, _ arguments: [String]) throws {
        if geteuid() == 0 {
            _ = try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            _ = try run(executable, arguments)
        }
    }

    /// Runs a program to its end and returns its output; throws with that output when it fails.
    ///
    /// posix_spawn and waitpid rather than Foundation's `Process`: `pg_ctl start` leaves the
    /// server running as a grandchild, which would inherit a pipe and keep `Process` waiting.
    /// Output goes to a file, and descriptors above 2 are closed in the child (where glibc
    /// offers it) so that the server keeps none of the benchmark's sockets.
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let output = NSTemporaryDirectory() + "baohao-bench-pg-\(UUID().uuidString).out"
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
        guard spawned == 0 else { throw BenchError("cannot run \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError("waitpid failed: errno \(errno)") }
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS are macros: exited normally when the low 7 bits are 0.
        let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitCode == 0 else {
            throw BenchError("\(([executable] + arguments).joined(separator: " ")) exited with \(exitCode): \(text)")
        }
        return text
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module
    /// does not declare: looked up at run time; nil before glibc 2.34.
    private static let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)
    }()

    /// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw BenchError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

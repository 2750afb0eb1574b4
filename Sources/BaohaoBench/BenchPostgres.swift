import Foundation
import ThrowawayPostgres

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server (`ThrowawayPostgres`) for the benchmark's end-to-end figure
/// on PostgreSQL, one fresh database per run.
///
/// Unlike the test suites' cluster (TestSupport's `PostgresCluster`, which runs with fsync off
/// and adds a password role for the authentication tests), the server keeps the settings a
/// production server on the same machine would have: `fsync = on`, `synchronous_commit = on`,
/// everything else as `initdb` writes it. Only `initdb` itself skips its final flush of the
/// new data directory (`--no-sync`), which no server setting depends on.
final class BenchPostgres {
    /// Why a server cannot be started here, or nil when it can.
    static var unavailableReason: String? { ThrowawayPostgres.unavailableReason }

    private let server: ThrowawayPostgres
    /// The directory holding the data directory, the socket and the server log.
    var directory: String { server.directory }
    /// The server's settings that matter to the figure, as it reports them (`SHOW`).
    private(set) var settings = ""

    /// Starts a new server (a few seconds). `options` are added to the server's command line
    /// (`-c name=value …`): for diagnosis only, never in the figures' own runs.
    init(options: String = "") throws {
        server = try ThrowawayPostgres(directoryPrefix: "baohao-bench-pg", serverOptions: options)
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

    /// Creates a new empty database and returns its URL.
    func makeDatabase() throws -> String { try server.makeDatabase(prefix: "bench_") }

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
    func stop() { try? server.stop() }

    /// Runs `sql` as the superuser with `psql` and returns what it printed (unaligned, tuples only).
    private func psqlValue(_ sql: String) throws -> String { try server.psql(sql) }
}

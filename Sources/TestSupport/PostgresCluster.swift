import Foundation
public import Synchronization
import ThrowawayPostgres

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for tests (`ThrowawayPostgres`, with fsync off and a role
/// that must give its password), and one fresh database per test. One cluster per test
/// process, started on first use and stopped (`pg_ctl stop -m immediate`, directory
/// removed) when the process exits normally.
///
/// PostgreSQL suites are gated on `isAvailable` (the test targets' `.requiresPostgres` trait):
/// when the server is not installed they are reported as skipped and counted as not run
/// (`noteNotRun`), never as passed.
public final class PostgresCluster: Sendable {
    /// The directory holding `initdb`, `pg_ctl` and `psql`, when installed (`ThrowawayPostgres`).
    public static var binDirectory: String? { ThrowawayPostgres.binDirectory }

    /// Why the cluster cannot be used here, or nil when it can.
    public static var unavailableReason: String? { ThrowawayPostgres.unavailableReason }

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

    private let server: ThrowawayPostgres
    /// The directory holding the data directory, the socket and the server log.
    public var directory: String { server.directory }
    /// The TCP port the server listens on, on 127.0.0.1.
    public var port: Int { server.port }
    /// The superuser, trusted without a password.
    public let superuser = ThrowawayPostgres.superuser
    /// A role that must give its password (`passwordRolePassword`): for tests of
    /// authentication failures. Every other role is trusted.
    public let passwordRole = passwordRoleName
    /// The password of `passwordRole`.
    public let passwordRolePassword = "right-horse-battery"

    /// Starts a new cluster (about a second). Prefer `shared()`.
    public init() throws {
        let passwordRole = Self.passwordRoleName
        server = try ThrowawayPostgres(directoryPrefix: "baohao-pg", serverOptions: "-F -c max_connections=200") { data in
            try """
            local all \(passwordRole) scram-sha-256
            host all \(passwordRole) 127.0.0.1/32 scram-sha-256
            local all all trust
            host all all 127.0.0.1/32 trust
            host all all ::1/128 trust

            """.write(toFile: data + "/pg_hba.conf", atomically: false, encoding: .utf8)
        }
        do {
            try psql("CREATE ROLE \(passwordRole) LOGIN PASSWORD '\(passwordRolePassword)'")
        } catch {
            try? stop()
            throw error
        }
    }

    /// A libpq URL for `database` as `user` (the trusted superuser by default), over TCP.
    public func url(database: String = "postgres", user: String? = nil) -> String { server.url(database: database, user: user) }

    /// Creates a new empty database named `t_<random>` and returns its URL.
    public func makeDatabase() throws -> String { try server.makeDatabase(prefix: "t_") }

    /// Runs `sql` as the superuser with `psql`, failing on the first error.
    public func psql(_ sql: String, database: String = "postgres") throws { try server.psql(sql, database: database) }

    /// Stops the server (`-m fast`: sessions are disconnected), keeps it down for `downtime`,
    /// and starts it again on the same port with the same data: a database restart as the
    /// bot sees one. For a cluster of the test's own (`init()`), never the shared one.
    public func restart(downtime: Duration) throws { try server.restart(downtime: downtime) }

    /// Stops the server at once (`-m immediate`) and removes its directory. Idempotent.
    public func stop() throws { try server.stop() }

    private static let sharedCluster = Mutex(SharedSlot())

    private struct SharedSlot {
        var cluster: PostgresCluster?
        var failure: String?
    }

    private static let skipped = Atomic<Int>(0)
    private static let passwordRoleName = "baohao_pw"
}

/// A throwaway cluster could not be started or used; the message holds the command's output.
public struct ClusterError: Error, CustomStringConvertible {
    /// What failed, with the output of the command that failed.
    public let message: String
    public var description: String { message }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `baohao` executable the tests built, run as a real process with its standard input
/// from /dev/null and its output in files: the one way the process tests start it.
enum BaohaoProcess {
    /// Starts `baohao ARGUMENTS` with `environment`; standard output goes to `stdout`
    /// (inherited when nil), standard error to `stderr` (appended to, when
    /// `appendErrors`, as several runs share one log). Returns the pid.
    static func spawn(_ arguments: [String], environment: [String: String], stdout: String? = nil, stderr: String, appendErrors: Bool = false) throws -> pid_t {
        var pid: pid_t = 0
        let binary = CrashRestartTests.binary
        let argv: [UnsafeMutablePointer<CChar>?] = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | (appendErrors ? O_APPEND : O_TRUNC), 0o600)
        let result = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(.init(rawValue: result) ?? .EIO) }
        return pid
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Makes one `baohao run` the only one serving a database. Two would poll the same token
/// (and push each other off with 409s) and, worse, send the same outbox items twice. A second
/// instance waits for the first to stop (a restart overlapping a process that is still
/// draining), then gives up. The kernel releases the lock when its holder exits, however it
/// exits (`kill -9` included), so a crash never leaves a stale lock behind.
public final class InstanceLock: Sendable {
    private let fd: Int32
    public let path: String

    /// The lock file beside the database at `databasePath`.
    public static func path(forDatabase databasePath: String) -> String { databasePath + "-lock" }

    /// Why the lock was not taken.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Another process held it for the whole wait; its pid, when it wrote one.
        case held(path: String, holder: Int32?, waitedSeconds: Int)
        case cannotOpen(path: String, errno: Int32)

        public var description: String {
            switch self {
            case .held(let path, let holder, let waited):
                let who = holder.map { "process \($0)" } ?? "another process"
                return "\(who) is serving this database (\(path) is locked)\(waited > 0 ? " and did not stop within \(waited) s" : ""): stop it first, or give this one its own database_path"
            case .cannotOpen(let path, let code):
                return "cannot open the lock file \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }  // closing the last descriptor releases the lock

    /// Takes the lock for the database at `databasePath`, waiting up to `waitSeconds` for a
    /// holder to let go; `waiting` is called once, with the holder's pid, if it has to wait.
    public static func acquire(
        databasePath: String, waitSeconds: Double, waiting: (Int32?) -> Void = { _ in }
    ) async throws(Failure) -> InstanceLock {
        let path = path(forDatabase: databasePath)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, waitSeconds) * 1000))
        var announced = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw .cannotOpen(path: path, errno: code)
            }
            if !announced {
                waiting(holder(fd))
                announced = true
            }
            guard ContinuousClock.now < deadline, !Task.isCancelled else {
                let pid = holder(fd)
                close(fd)
                throw .held(path: path, holder: pid, waitedSeconds: Int(waitSeconds.rounded()))
            }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        // Ours now: name the holder for whoever comes next.
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return InstanceLock(fd: fd, path: path)
    }

    /// True while some process holds the lock of the database at `databasePath` (a bot is
    /// serving it). Asking takes a shared lock for an instant, which a starting bot's
    /// attempt may meet: it simply tries again 100 ms later.
    public static func isHeld(databasePath: String) -> Bool {
        let fd = open(path(forDatabase: databasePath), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// The pid the holder wrote into the file, if any.
    private static func holder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).filter(\.isNumber))
    }
}

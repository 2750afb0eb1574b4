#if canImport(Glibc)
import Glibc
#endif

/// The outbox items a running sender is delivering at this moment, in a small file beside
/// the database (`<db>-sending`): written when a round's sends begin, emptied when their
/// outcomes are committed. Another process (`baohao outbox status`) reads it to tell items
/// in flight from those still waiting. A record counts only while a bot holds the
/// database's `InstanceLock`: one a crash left behind is not "in flight", even when the
/// restarted bot got the same pid.
public final class InFlightRecord: @unchecked Sendable {
    // @unchecked Sendable: the descriptor never changes, and only the sender writes, between
    // rounds (one actor); readers open the file themselves.
    private let fd: Int32
    public let path: String

    /// The record beside the database at `databasePath`.
    public static func path(forDatabase databasePath: String) -> String { databasePath + "-sending" }

    /// Nil when the file cannot be opened (an in-memory database has no place for it).
    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Items `ids` are being sent now (replacing what the file said).
    func begin(_ ids: [Int64]) {
        var text = "pid \(getpid())\n"
        for id in ids { text += String(id) + "\n" }
        let bytes = Array(text.utf8)
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// The round's outcomes are committed: nothing is in flight.
    func end() { _ = ftruncate(fd, 0) }

    /// What a sender of the database at `databasePath` said it is delivering: its pid and
    /// the items, or nil when the file is missing, empty or not a record. `alive` tells
    /// whether a bot serves the database now (so the record is not a crash's leftover).
    public static func read(databasePath: String) -> (pid: Int32, ids: [Int64], alive: Bool)? {
        guard let record = read(path: path(forDatabase: databasePath)) else { return nil }
        return (record.pid, record.ids, InstanceLock.isHeld(databasePath: databasePath))
    }

    /// The pid and items the record at `path` names.
    static func read(path: String) -> (pid: Int32, ids: [Int64])? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        let lines = bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        guard let first = lines.first, first.hasPrefix("pid "), let pid = Int32(first.dropFirst(4)), pid > 0 else { return nil }
        return (pid, lines.dropFirst().compactMap { Int64($0) })
    }
}

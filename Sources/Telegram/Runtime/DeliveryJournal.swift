#if canImport(Glibc)
import Glibc
#endif

/// Outbox items Telegram accepted that the database does not record as sent yet: each is
/// appended the moment its send succeeds, and the file is emptied once the round's outcomes
/// are committed. After a crash the items in it are marked sent instead of being sent again,
/// so a kill repeats at most the sends in flight at that moment (one per sending connection).
/// The file must outlive the process, not the machine: no fsync.
final class DeliveryJournal: @unchecked Sendable {
    // @unchecked Sendable: the descriptor never changes; appends are single O_APPEND writes
    // (atomic for these few bytes), and the file is only read or emptied between rounds,
    // when no send is running.
    private let fd: Int32
    let path: String

    /// Nil when the file cannot be opened (an in-memory database has no place for it).
    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Notes that Telegram accepted item `id`.
    func record(_ id: Int64) {
        let line = Array((String(id) + "\n").utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// The ids noted since the file was last emptied (a torn last line is ignored).
    func recorded() -> [Int64] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
            offset += off_t(n)
        }
        return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).compactMap { Int64(String(decoding: $0, as: UTF8.self)) }
    }

    /// Empties the file: everything in it is now recorded in the database.
    func clear() { _ = ftruncate(fd, 0) }
}

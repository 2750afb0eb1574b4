#if canImport(Glibc)
import Glibc
#endif

/// Outbox items Telegram accepted that the database does not record as sent yet: each is
/// appended the moment its send succeeds, and the file is emptied once the round's outcomes
/// are committed. After a crash the items in it are marked sent instead of being sent again,
/// so a kill repeats at most the sends in flight at that moment (one per sending connection).
/// The file must outlive the process, not the machine: no fsync.
final class DeliveryJournal: AcceptedSendsJournal, @unchecked Sendable {
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
    @discardableResult
    func record(_ id: Int64) -> Bool { append(String(id)) }

    /// Notes that Telegram accepted `partsSent` parts of item `id` (and the late-reply
    /// notice before them when `lateNotice`), but not the rest.
    func recordProgress(_ id: Int64, partsSent: Int, lateNotice: Bool) { append("\(id)/\(partsSent)/\(lateNotice ? 1 : 0)") }

    @discardableResult
    private func append(_ text: String) -> Bool {
        let line = Array((text + "\n").utf8)
        return line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == line.count
    }

    /// The items accepted whole since the file was last emptied (a torn last line is ignored).
    func recorded() -> [Int64] { lines().compactMap { Int64($0) } }

    /// The items accepted in part: id → (parts sent, late notice sent), the furthest noted.
    func recordedProgress() -> [Int64: (partsSent: Int, lateNotice: Bool)] {
        var progress: [Int64: (partsSent: Int, lateNotice: Bool)] = [:]
        for line in lines() {
            let fields = line.split(separator: "/")
            guard fields.count == 3, let id = Int64(fields[0]), let parts = Int(fields[1]), let notice = Int(fields[2]) else { continue }
            let old = progress[id]
            progress[id] = (max(parts, old?.partsSent ?? 0), notice == 1 || old?.lateNotice == true)
        }
        return progress
    }

    private func lines() -> [String] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
            offset += off_t(n)
        }
        // A line is whole only with its newline (a torn last one is dropped).
        if let last = bytes.lastIndex(of: UInt8(ascii: "\n")) { bytes.removeSubrange((last + 1)...) } else { bytes = [] }
        return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Empties the file: everything in it is now recorded in the database.
    func clear() { _ = ftruncate(fd, 0) }
}

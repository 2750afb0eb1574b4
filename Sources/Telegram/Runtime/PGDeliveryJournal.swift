public import Storage
import Synchronization

/// The accepted-sends journal on PostgreSQL: rows of `delivery_journal`, written on a
/// connection of its own the moment Telegram accepts a send, so the next leader (on any
/// host) finds them. Each row carries the epoch of the leader that wrote it: a leader
/// clears only its own and older rows, never a newer leader's.
///
/// The session commits without waiting for the WAL flush (`synchronous_commit = off`): the
/// journal must survive this process, not the server's crash (which costs at most the last
/// fraction of a second of rows, that is, a few duplicate sends).
final class PGDeliveryJournal: AcceptedSendsJournal, @unchecked Sendable {
    // @unchecked Sendable: the connection is used only under `lock`, by one thread at a time.
    private let connection: PGConnection
    private let lock = Mutex(())
    private let fence: LeaseFence?

    /// Nil when the server cannot be reached now (the sender then works without a journal).
    init?(_ url: PGConnectionString, fence: LeaseFence?) {
        guard let connection = try? PGConnection(url.raw, sessionSetup: "SET synchronous_commit = off") else { return nil }
        self.connection = connection
        self.fence = fence
    }

    private var epoch: Int64 { fence?.epoch ?? 0 }

    @discardableResult
    private func run(_ sql: String, _ arguments: [any DatabaseValueConvertible]) -> Bool {
        lock.withLock { _ in
            do {
                try connection.reconnectIfBroken()
                try connection.execute(sql, arguments: arguments)
                return true
            } catch {
                return false
            }
        }
    }

    @discardableResult
    func record(_ id: Int64) -> Bool {
        run("INSERT INTO delivery_journal (epoch, outbox_id) VALUES (?, ?)", [epoch, id])
    }

    func recordProgress(_ id: Int64, partsSent: Int, lateNotice: Bool) {
        run("INSERT INTO delivery_journal (epoch, outbox_id, parts_sent, late_notice) VALUES (?, ?, ?, ?)", [epoch, id, partsSent, lateNotice])
    }

    func recorded() -> [Int64] {
        lock.withLock { _ in
            (try? connection.query("SELECT DISTINCT outbox_id FROM delivery_journal WHERE parts_sent IS NULL") { $0.int64(0) }) ?? []
        }
    }

    func recordedProgress() -> [Int64: (partsSent: Int, lateNotice: Bool)] {
        let rows = lock.withLock { _ in
            (try? connection.query(
                "SELECT outbox_id, max(parts_sent), max(late_notice) FROM delivery_journal WHERE parts_sent IS NOT NULL GROUP BY outbox_id"
            ) { ($0.int64(0), $0.int(1), $0.bool(2)) }) ?? []
        }
        var progress: [Int64: (partsSent: Int, lateNotice: Bool)] = [:]
        for (id, parts, notice) in rows { progress[id] = (parts, notice) }
        return progress
    }

    func clear() {
        run("DELETE FROM delivery_journal WHERE epoch <= ?", [epoch])
    }
}

internal import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// Copies a database into a new file with SQLite's online backup API, a few pages at a time,
/// while other connections and processes go on reading and writing it.
///
/// What it guarantees:
/// - The copy is the database as it was at one instant (a consistent snapshot): every step
///   reads the source inside a read transaction, and when another connection writes to the
///   source between steps SQLite starts the copy over, so pages of two different states are
///   never mixed.
/// - Writers are never held up for more than a step: a step holds a read lock on the source
///   only while it copies `pagesPerStep` pages (128 by default: 512 KiB with 4 KiB pages),
///   and the copy pauses between steps. In WAL mode, which `Connection` sets, a reader does
///   not block writers at all; it only keeps a checkpoint from moving past what it reads.
/// - It finishes even while writers never stop: after `restartsBeforeSnapshot` restarts the
///   copy pins one snapshot (a read transaction held until the copy is done), so the rest of
///   the copy cannot be restarted. In WAL mode the writers still go on meanwhile; the WAL
///   grows until the copy ends, then the next checkpoint catches up.
/// - The destination is written in one transaction, committed (and synced) only when the
///   whole copy is done: a copy that fails leaves a file SQLite reads as empty or as it was,
///   never a mix. Callers write into a temporary file and rename it when it checks out.
///
/// One owner: the `sqlite3_backup` handle is this object's; both connections are kept alive
/// until it is finished. Use it from one thread at a time, like a `Connection`.
public final class OnlineBackup {
    /// How the copy proceeds.
    public struct Options: Sendable {
        /// Pages copied per step, at most (SQLite's pages are 4 KiB unless the file says otherwise).
        public var pagesPerStep: Int32
        /// The pause between steps, for writers to get in.
        public var pauseMicroseconds: UInt32
        /// Restarts caused by other writers after which one snapshot is pinned to the end.
        public var restartsBeforeSnapshot: Int
        /// Steps in a row that find the source locked (each after the source connection's busy
        /// timeout) after which the copy gives up.
        public var busyStepsAllowed: Int

        public init(pagesPerStep: Int32 = 128, pauseMicroseconds: UInt32 = 2_000, restartsBeforeSnapshot: Int = 3, busyStepsAllowed: Int = 10) {
            self.pagesPerStep = max(1, pagesPerStep)
            self.pauseMicroseconds = pauseMicroseconds
            self.restartsBeforeSnapshot = max(0, restartsBeforeSnapshot)
            self.busyStepsAllowed = max(1, busyStepsAllowed)
        }
    }

    /// Where the copy stands.
    public struct Progress: Sendable, Equatable {
        /// Pages of the source copied so far in the current pass (all of them once done).
        public var pagesCopied = 0
        /// The source's size in pages, as of the latest step.
        public var pageCount = 0
        /// Steps taken.
        public var steps = 0
        /// Times another connection's write made SQLite start the copy over.
        public var restarts = 0
        /// True once the copy reads one pinned snapshot to its end.
        public var snapshotPinned = false
        /// True when the copy is complete and committed to the destination.
        public var isDone = false
    }

    private let source: SQLiteConnection
    private let destination: SQLiteConnection
    private var handle: OpaquePointer?
    private let options: Options
    /// True while this object holds a read transaction open on the source.
    private var holdsSnapshot = false
    /// Steps in a row that found the source locked.
    private var busySteps = 0
    /// Where the copy stands now.
    public private(set) var progress = Progress()

    /// Prepares a copy of `source` (its main database) into a new file at `destinationPath`,
    /// which must not exist yet. Nothing is copied until `step()`.
    public init(from source: SQLiteConnection, toNewFileAt destinationPath: String, options: Options = Options()) throws(DatabaseError) {
        guard access(destinationPath, F_OK) != 0 else {
            throw DatabaseError(code: 0, message: "\(destinationPath) already exists; a backup is written only into a new file")
        }
        let destination = try SQLiteConnection(plainFileAt: destinationPath)
        guard let handle = sqlite3_backup_init(destination.handle, "main", source.handle, "main") else {
            let error = DatabaseError(
                code: sqlite3_errcode(destination.handle), extendedCode: sqlite3_extended_errcode(destination.handle),
                message: "cannot start a backup of \(source.path) into \(destinationPath): \(String(cString: sqlite3_errmsg(destination.handle)))")
            unlink(destinationPath)
            throw error
        }
        self.source = source
        self.destination = destination
        self.handle = handle
        self.options = options
    }

    deinit {
        if let handle { sqlite3_backup_finish(handle) }
        if holdsSnapshot { try? source.executeScript("ROLLBACK") }
    }

    /// Copies up to `pagesPerStep` pages. Returns the progress; `isDone` once the whole
    /// database is in the destination and committed. A busy or locked source (another
    /// process recovering the WAL, say) is not an error: the step copies nothing and the next
    /// one tries again, up to `busyStepsAllowed` steps in a row.
    @discardableResult
    public func step() throws(DatabaseError) -> Progress {
        guard let handle, !progress.isDone else { return progress }
        if !holdsSnapshot, progress.restarts >= options.restartsBeforeSnapshot {
            // A read transaction on the source, held to the end: every later step reads it.
            try source.executeScript("BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema;")
            holdsSnapshot = true
            progress.snapshotPinned = true
        }
        let before = progress.pagesCopied
        let code = sqlite3_backup_step(handle, options.pagesPerStep)
        progress.steps += 1
        busySteps = code == SQLITE_BUSY || code == SQLITE_LOCKED ? busySteps + 1 : 0
        switch code {
        case SQLITE_OK, SQLITE_DONE:
            progress.pageCount = Int(sqlite3_backup_pagecount(handle))
            progress.pagesCopied = progress.pageCount - Int(sqlite3_backup_remaining(handle))
            if code == SQLITE_DONE {
                try finish()
            } else if progress.steps > 1, progress.pagesCopied <= before {
                // Another connection wrote to the source: SQLite began again from page 1.
                progress.restarts += 1
            }
        case SQLITE_BUSY where busySteps < options.busyStepsAllowed, SQLITE_LOCKED where busySteps < options.busyStepsAllowed:
            break
        default:
            let error = DatabaseError(
                code: code & 0xFF, extendedCode: code,
                message: "backup of \(source.path) into \(destination.path) failed: \(String(cString: sqlite3_errstr(code)))"
                    + (busySteps > 0 ? " (\(busySteps) steps in a row)" : ""))
            sqlite3_backup_finish(handle)
            self.handle = nil
            endSnapshot()
            throw error
        }
        return progress
    }

    /// Steps to the end, pausing between steps.
    @discardableResult
    public func run() throws(DatabaseError) -> Progress {
        while try !step().isDone {
            if options.pauseMicroseconds > 0 { usleep(options.pauseMicroseconds) }
        }
        return progress
    }

    private func finish() throws(DatabaseError) {
        guard let handle else { return }
        self.handle = nil
        let code = sqlite3_backup_finish(handle)
        endSnapshot()
        guard code == SQLITE_OK else {
            throw DatabaseError(
                code: code & 0xFF, extendedCode: code,
                message: "backup of \(source.path) into \(destination.path) failed at the end: \(String(cString: sqlite3_errstr(code)))")
        }
        progress.isDone = true
    }

    private func endSnapshot() {
        guard holdsSnapshot else { return }
        holdsSnapshot = false
        try? source.executeScript("ROLLBACK")
    }
}

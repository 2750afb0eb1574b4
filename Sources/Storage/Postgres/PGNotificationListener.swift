internal import CLibPQ
import Dispatch
public import BaohaoSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Listens for PostgreSQL notifications (`LISTEN`) on a connection and a thread of its own,
/// and calls `onNotify` with each one's channel.
///
/// Notifications are hints: one sent while the listener was not connected is never
/// delivered. So after every (re)connection `onNotify` is also called once for every channel,
/// and whoever listens looks again (a rescan). A broken connection is noticed by the TCP
/// keepalives `PGConnection` sets, and made again each second until the server answers.
public final class PGNotificationListener: Sendable {
    private let connectionString: String
    private let channels: [String]
    private let onNotify: @Sendable (String) -> Void
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)

    /// A listener on `channels` of the database at `connectionString` (not connected until
    /// `start`). `onNotify` runs on the listener's thread: it must return quickly.
    public init(_ connectionString: String, channels: [String], logger: Logger, onNotify: @escaping @Sendable (String) -> Void) {
        self.connectionString = connectionString
        self.channels = channels
        self.logger = logger
        self.onNotify = onNotify
    }

    /// Starts listening on a thread of its own (once; later calls do nothing).
    public func start() {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        DispatchQueue(label: "baohao.notifications").async { self.listen() }
    }

    /// Stops listening within a quarter of a second; the connection is closed then.
    public func stop() { stopped.store(true, ordering: .releasing) }

    private var isStopped: Bool { stopped.load(ordering: .acquiring) }

    private func listen() {
        var connection: PGConnection?
        var everConnected = false, failing = false
        while !isStopped {
            guard let listening = connection, !listening.isBroken else {
                connection = nil
                do {
                    let made = try PGConnection(connectionString)
                    for channel in channels { try made.executeScript("LISTEN \"\(channel.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\""))\"") }
                    connection = made
                    if everConnected || failing { logger.info("notifications.listening_again", [:]) }
                    everConnected = true
                    failing = false
                    // Whatever was notified while not listening: look again.
                    for channel in channels { onNotify(channel) }
                } catch {
                    if !failing { logger.warning("notifications.disconnected", ["error": .string("\(error)")]) }
                    failing = true
                    for _ in 0..<4 where !isStopped { usleep(250_000) }
                }
                continue
            }
            var descriptor = pollfd(fd: PQsocket(listening.handle), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 250) > 0 else { continue }
            // Reads what arrived; 0 when the connection broke (made again above).
            guard PQconsumeInput(listening.handle) == 1 else {
                let message = PGConnectionString(connectionString).redact(String(cString: PQerrorMessage(listening.handle)))
                logger.warning("notifications.disconnected", ["error": .string(message)])
                failing = true
                connection = nil
                continue
            }
            while let notification = PQnotifies(listening.handle) {
                let channel = String(cString: notification.pointee.relname)
                PQfreemem(notification)
                onNotify(channel)
            }
        }
        running.store(false, ordering: .releasing)
    }
}

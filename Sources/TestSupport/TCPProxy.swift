import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on loopback between a client and a server, that can stop forwarding: while
/// paused, connections stay open and bytes sent either way are held, unanswered, as a
/// network partition (a "blackhole") looks to both ends. `resume` forwards what was held.
public final class TCPProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let listener: Int32
    private let target: Int
    private let paused = Atomic<Bool>(false)
    private let running = Atomic<Bool>(true)

    /// Listens on a free loopback port and forwards each connection to `targetPort`.
    public init(targetPort: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError(message: "socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ClusterError(message: "bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        target = targetPort
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops forwarding (both ways); connections stay open.
    public func pause() { paused.store(true, ordering: .releasing) }
    /// Forwards again, including what was held.
    public func resume() { paused.store(false, ordering: .releasing) }

    /// Closes the listener; forwarding threads end with their connections.
    public func stop() {
        running.store(false, ordering: .releasing)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while running.load(ordering: .acquiring) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else {
                close(client)
                close(server)
                continue
            }
            Thread { [self] in pump(client, server) }.start()
        }
    }

    /// Copies bytes both ways until either side closes; holds them while paused.
    private func pump(_ a: Int32, _ b: Int32) {
        defer {
            close(a)
            close(b)
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        while running.load(ordering: .acquiring) {
            if paused.load(ordering: .acquiring) {
                usleep(10_000)
                continue
            }
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, 2, 50)
            if ready < 0 && errno != EINTR { return }
            if ready <= 0 { continue }
            for (from, to) in [(0, 1), (1, 0)] where fds[from].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[from].fd, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                var sent = 0
                while sent < n {
                    let m = buffer.withUnsafeBytes { write(fds[to].fd, $0.baseAddress! + sent, n - sent) }
                    if m <= 0 { return }
                    sent += m
                }
            }
        }
    }
}

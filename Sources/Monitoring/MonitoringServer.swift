import CMicroHTTPD
import Synchronization
public import BaohaoSupport

#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP server for the people who run the bot, on libmicrohttpd: `GET` on a route's
/// path answers what the route returns, any other path is 404 and any other method 405
/// (with `Allow: GET`). One thread of libmicrohttpd's own polls every connection (at most
/// `connectionLimit`, each closed after `idleTimeoutSeconds` idle); Swift's cooperative pool
/// never runs a request. A route must therefore be quick and must never wait for Swift
/// concurrency: it reads what the bot's services published.
public final class MonitoringServer: Sendable {
    /// What a path answers; runs on the server's thread.
    public typealias Route = @Sendable () -> MonitoringPage

    /// The server could not listen.
    public struct StartError: Error, Sendable, CustomStringConvertible {
        public let address: ListenAddress
        /// The `errno` of the failure (0 when libmicrohttpd gave none).
        public let code: Int32
        /// True when another socket holds the address (try again once it is released).
        public var isAddressInUse: Bool { code == EADDRINUSE }
        public var description: String {
            let reason = code == 0 ? "libmicrohttpd could not start" : String(cString: strerror(code))
            return "cannot serve health and metrics on \(address) (metrics.listen): \(reason)"
        }
    }

    /// The routes and the C callback's view of them; retained while a daemon runs.
    private final class RouteTable: Sendable {
        let routes: [String: Route]
        init(_ routes: [String: Route]) { self.routes = routes }

        func page(method: String, path: String) -> MonitoringPage {
            guard let route = routes[path] else { return .text(404, "not found: try \(routes.keys.sorted().joined(separator: " or "))\n") }
            guard method == "GET" else { return .text(405, "method not allowed: only GET\n") }
            return route()
        }
    }

    public let address: ListenAddress
    public let connectionLimit: Int
    public let idleTimeoutSeconds: Int
    private let table: RouteTable
    private let port = Atomic<Int>(0)

    /// A server for `routes` (path to page, e.g. `/metrics`), listening on `address` once
    /// `serve` runs.
    public init(address: ListenAddress, routes: [String: Route], connectionLimit: Int = 16, idleTimeoutSeconds: Int = 10) {
        self.address = address
        self.connectionLimit = connectionLimit
        self.idleTimeoutSeconds = idleTimeoutSeconds
        table = RouteTable(routes)
    }

    /// The port the server listens on while `serve` runs (the kernel's choice for port 0);
    /// nil otherwise.
    public var boundPort: Int? {
        let p = port.load(ordering: .acquiring)
        return p == 0 ? nil : p
    }

    /// Listens, runs `body` with the bound port, and stops when `body` returns or throws:
    /// the listening socket and every connection are closed and the server's thread has ended
    /// before `serve` returns. Throws `StartError`, without running `body`, when it cannot
    /// listen. Starting and stopping block the caller for about a millisecond.
    public func serve<T>(_ body: (_ port: Int) async throws -> T) async throws -> T {
        let context = Unmanaged.passRetained(table)
        guard let daemon = start(context: context.toOpaque()) else {
            let code = errno
            context.release()
            throw StartError(address: address, code: code)
        }
        let bound = Int(baohao_mhd_bound_port(daemon))
        port.store(bound == 0 ? address.port : bound, ordering: .releasing)
        defer {
            port.store(0, ordering: .releasing)
            MHD_stop_daemon(daemon)
            context.release()
        }
        return try await body(boundPort ?? address.port)
    }

    private func start(context: UnsafeMutableRawPointer) -> OpaquePointer? {
        let limit = UInt32(connectionLimit), timeout = UInt32(idleTimeoutSeconds)
        /// The daemon on `socketAddress` (a `sockaddr_in` or `sockaddr_in6`).
        func start<SocketAddress>(_ socketAddress: SocketAddress, flags: UInt32) -> OpaquePointer? {
            withUnsafePointer(to: socketAddress) {
                UnsafeRawPointer($0).withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    baohao_mhd_start(MHD_USE_AUTO_INTERNAL_THREAD.rawValue | flags, $0, handleRequest, context, limit, timeout)
                }
            }
        }
        errno = 0
        switch address.family {
        case .ipv4:
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: address.bytes) }
            return start(socketAddress, flags: 0)
        case .ipv6:
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { $0.copyBytes(from: address.bytes) }
            return start(socketAddress, flags: MHD_USE_IPv6.rawValue)
        }
    }

    /// libmicrohttpd's request callback: answers on the first call for a request (before any
    /// body is read: none is wanted), so a request costs one call.
    fileprivate static func respond(context: UnsafeMutableRawPointer?, connection: OpaquePointer?, path: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?) -> MHD_Result {
        guard let context, let connection else { return .NO }
        let table = Unmanaged<RouteTable>.fromOpaque(context).takeUnretainedValue()
        let page = table.page(method: method.map { String(cString: $0) } ?? "", path: path.map { String(cString: $0) } ?? "")
        var body = Array(page.body.utf8)
        let response = body.withUnsafeMutableBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, bytes.baseAddress, .RESPMEM_MUST_COPY)
        }
        guard let response else { return .NO }
        defer { MHD_destroy_response(response) }
        _ = MHD_add_response_header(response, "Content-Type", page.contentType)
        _ = MHD_add_response_header(response, "Cache-Control", "no-store")
        if page.status == 405 { _ = MHD_add_response_header(response, "Allow", "GET") }
        return MHD_queue_response(connection, UInt32(page.status), response)
    }
}

/// The C entry point: a closure that captures nothing, so it converts to a C function pointer.
private let handleRequest: MHD_AccessHandlerCallback = { context, connection, path, method, _, _, _, _ in
    MonitoringServer.respond(context: context, connection: connection, path: path, method: method)
}

import BaohaoSupport
import Foundation
import Monitoring
import Testing

/// The libmicrohttpd server behind `/healthz` and `/metrics`, over real HTTP on loopback.
@Suite struct MonitoringServerTests {
    static let routes: [String: MonitoringServer.Route] = [
        "/hello": { .text(200, "hi\n") },
        "/down": { MonitoringPage(status: 503, contentType: "application/json", body: #"{"status": "unhealthy"}"#) },
    ]

    /// A route answers GET with its page; another path is 404, another method 405 with
    /// `Allow: GET`; once `serve` returns, nothing listens any more.
    @Test func servesItsRoutesOnlyToGETAndStopsWhenItsScopeEnds() async throws {
        let server = MonitoringServer(address: .loopback(port: 0), routes: Self.routes)
        #expect(server.boundPort == nil)
        let port = try await server.serve { port in
            #expect(port > 0 && server.boundPort == port)
            let base = "http://127.0.0.1:\(port)"
            let hello = try MonitoringHTTP.request(base + "/hello")
            #expect(hello.status == 200 && hello.body == "hi\n")
            #expect(hello.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(hello.headers["cache-control"] == "no-store")
            #expect(try MonitoringHTTP.request(base + "/hello?verbose=1").status == 200, "a query string does not change the path")
            let down = try MonitoringHTTP.request(base + "/down")
            #expect(down.status == 503 && down.body == #"{"status": "unhealthy"}"# && down.headers["content-type"] == "application/json")
            let missing = try MonitoringHTTP.request(base + "/metrics2")
            #expect(missing.status == 404 && missing.body == "not found: try /down or /hello\n")
            #expect(try MonitoringHTTP.request(base + "/").status == 404)
            for method in ["POST", "PUT", "DELETE"] {
                let refused = try MonitoringHTTP.request(base + "/hello", method: method, body: method == "DELETE" ? nil : "a=1")
                #expect(refused.status == 405 && refused.headers["allow"] == "GET", "\(method): \(refused)")
            }
            return port
        }
        #expect(server.boundPort == nil)
        #expect(throws: MonitoringHTTP.Failure.self) { try MonitoringHTTP.request("http://127.0.0.1:\(port)/hello") }
    }

    /// A second server on a port in use is refused, naming the address and the key, and its
    /// body never runs.
    @Test func anAddressInUseIsRefusedBeforeTheBodyRuns() async throws {
        let first = MonitoringServer(address: .loopback(port: 0), routes: Self.routes)
        try await first.serve { port in
            let second = MonitoringServer(address: .loopback(port: port), routes: Self.routes)
            var ran = false
            do {
                try await second.serve { _ in ran = true }
                Issue.record("the second server started")
            } catch let error as MonitoringServer.StartError {
                #expect(error.isAddressInUse)
                #expect(error.description == "cannot serve health and metrics on 127.0.0.1:\(port) (metrics.listen): Address already in use")
            }
            #expect(!ran)
            #expect(try MonitoringHTTP.request("http://127.0.0.1:\(port)/hello").status == 200, "the first one still serves")
        }
    }

    /// The body's error ends `serve` and stops the server all the same.
    @Test func aThrowingBodyStopsTheServer() async throws {
        struct Boom: Error {}
        let server = MonitoringServer(address: .loopback(port: 0), routes: Self.routes)
        var port = 0
        await #expect(throws: Boom.self) {
            try await server.serve { p in
                port = p
                throw Boom()
            }
        }
        #expect(port > 0 && server.boundPort == nil)
        #expect(throws: MonitoringHTTP.Failure.self) { try MonitoringHTTP.request("http://127.0.0.1:\(port)/hello") }
    }

    static var hasIPv6Loopback: Bool {
        ((try? String(contentsOfFile: "/proc/net/if_inet6", encoding: .utf8)) ?? "").contains("00000000000000000000000000000001")
    }

    @Test(.enabled(if: hasIPv6Loopback)) func servesOnTheIPv6Loopback() async throws {
        let server = MonitoringServer(address: try ListenAddress(parsing: "[::1]:9464").withPort(0), routes: Self.routes)
        try await server.serve { port in
            let hello = try MonitoringHTTP.request("http://[::1]:\(port)/hello")
            #expect(hello.body == "hi\n")
        }
    }
}

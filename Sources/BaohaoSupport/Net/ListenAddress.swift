#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A numeric IP address and a TCP port to listen on. Written `PORT` (loopback, 127.0.0.1),
/// `HOST:PORT` with a dotted IPv4 host or `localhost`, or `[IPv6]:PORT`; host names are not
/// resolved. The host is kept in its canonical form (`[::1]`, never `[0:0::1]`), so two
/// spellings of one address compare equal.
public struct ListenAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The address family, which decides the socket the server opens.
    public enum Family: Sendable, Equatable, Hashable {
        case ipv4
        case ipv6
    }

    /// Why a text is not a listen address.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    public let family: Family
    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]
    /// 1...65535, or 0 for a port the kernel picks (only from code, never from a configuration).
    public let port: Int

    /// 127.0.0.1 at `port` (0: the kernel picks a free one when the server listens).
    public static func loopback(port: Int) -> ListenAddress { ListenAddress(family: .ipv4, bytes: [127, 0, 0, 1], port: port) }

    private init(family: Family, bytes: [UInt8], port: Int) {
        self.family = family
        self.bytes = bytes
        self.port = port
    }

    /// Parses `PORT`, `HOST:PORT` or `[IPv6]:PORT` (surrounding spaces ignored); the port must
    /// be 1...65535. A lone port means 127.0.0.1, and `localhost` means 127.0.0.1 too.
    public init(parsing text: String) throws(ParseError) {
        let expected = "expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464"
        let trimmed = text.trimmingWhitespace
        let hostText: String, portText: String
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                throw ParseError(description: "'\(text)' is not an address: \(expected)")
            }
            hostText = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            portText = String(trimmed[trimmed.index(close, offsetBy: 2)...])
        } else if let colon = trimmed.lastIndex(of: ":") {
            hostText = String(trimmed[..<colon])
            portText = String(trimmed[trimmed.index(after: colon)...])
            if hostText.contains(":") { throw ParseError(description: "'\(text)' is not an address: an IPv6 host goes in brackets, such as [::1]:9464") }
        } else {
            hostText = ""
            portText = trimmed
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portText) else {
            throw ParseError(description: "'\(text)' is not an address: no port (\(expected))")
        }
        guard (1...65535).contains(port) else { throw ParseError(description: "'\(text)': port \(port) is out of range 1...65535") }
        if hostText.isEmpty || hostText.lowercased() == "localhost" {
            self = .loopback(port: port)
        } else if let v4 = Self.ipv4(hostText) {
            self.init(family: .ipv4, bytes: v4, port: port)
        } else if trimmed.hasPrefix("["), let v6 = Self.ipv6(hostText) {
            self.init(family: .ipv6, bytes: v6, port: port)
        } else {
            throw ParseError(description: "'\(text)' is not an address: '\(hostText)' is not a numeric IP address (host names are not resolved; \(expected))")
        }
    }

    /// The same host at `port` (0: the kernel picks a free one when the server listens).
    public func withPort(_ port: Int) -> ListenAddress {
        precondition((0...65535).contains(port), "port \(port) is out of range")
        return ListenAddress(family: family, bytes: bytes, port: port)
    }

    /// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8: only this machine can connect.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: return bytes[0] == 127
        case .ipv6:
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
            return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
        }
    }

    /// The host without the port: `127.0.0.1`, `::1`.
    public var host: String {
        switch family {
        case .ipv4: return bytes.map(String.init).joined(separator: ".")
        case .ipv6:
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            let ok = bytes.withUnsafeBytes { raw in inet_ntop(AF_INET6, raw.baseAddress, &text, socklen_t(text.count)) != nil }
            return ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        }
    }

    /// `127.0.0.1:9464` or `[::1]:9464`.
    public var description: String { family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Four decimal parts 0...255 without leading zeros, or nil.
    private static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                part.utf8.count == 1 || part.utf8.first != 0x30, let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let ok = bytes.withUnsafeMutableBytes { raw in inet_pton(AF_INET6, text, raw.baseAddress) == 1 }
        return ok ? bytes : nil
    }
}

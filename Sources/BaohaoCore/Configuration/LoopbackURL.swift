/// Whether an http(s) base URL points at this machine: its host is `localhost`, an IPv4
/// address in 127.0.0.0/8 (dotted quad) or the IPv6 loopback `::1` (in brackets, in any
/// spelling, or as the IPv4-mapped form of a 127.0.0.0/8 address). Names that merely
/// resolve to a loopback address elsewhere (`foo.localhost`, an /etc/hosts entry) do not
/// count: only what the URL itself says is judged. Pure.
public enum LoopbackURL {
    /// True when `url` (`scheme://[user@]host[:port][/path]`) names a loopback host.
    public static func isLoopback(_ url: String) -> Bool {
        guard let host = host(of: url) else { return false }
        return isLoopbackHost(host)
    }

    /// The host of `url`, without brackets, port or user; nil when there is none.
    static func host(of url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        var authority = Substring(url[schemeEnd.upperBound...])
        if let slash = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { authority = authority[..<slash] }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let rest = authority[authority.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isASCIIDigit)) else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.lastIndex(of: ":") {
            guard authority[authority.index(after: colon)...].allSatisfy(\.isASCIIDigit) else { return nil }
            authority = authority[..<colon]
        }
        return authority.isEmpty ? nil : String(authority)
    }

    static func isLoopbackHost(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "localhost." { return true }
        if let octets = ipv4(lower) { return octets[0] == 127 }
        if let groups = ipv6(lower) {
            if groups == [0, 0, 0, 0, 0, 0, 0, 1] { return true }
            // ::ffff:127.x.y.z
            return groups[0..<5].allSatisfy { $0 == 0 } && groups[5] == 0xFFFF && groups[6] >> 8 == 127
        }
        return false
    }

    /// Four decimal octets, each 0...255.
    static func ipv4(_ text: some StringProtocol) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = Int(part), value <= 255 else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// Eight 16-bit groups, `::` expanded; the last 32 bits may be a dotted quad.
    static func ipv6(_ text: String) -> [Int]? {
        guard text.contains(":") else { return nil }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [Int]? {
            if part.isEmpty { return [] }
            var out: [Int] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains("."), let octets = ipv4(piece) {
                    out += [octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
                } else {
                    guard (1...4).contains(piece.count), let value = Int(piece, radix: 16) else { return nil }
                    out.append(value)
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

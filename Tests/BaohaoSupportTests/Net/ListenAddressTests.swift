import Testing
@testable import BaohaoSupport

@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("9464", "127.0.0.1:9464", true),
        (" 9464 ", "127.0.0.1:9464", true),
        (":9464", "127.0.0.1:9464", true),
        ("localhost:80", "127.0.0.1:80", true),
        ("127.0.0.1:9464", "127.0.0.1:9464", true),
        ("127.9.0.3:1", "127.9.0.3:1", true),
        ("0.0.0.0:9464", "0.0.0.0:9464", false),
        ("192.168.1.5:65535", "192.168.1.5:65535", false),
        ("[::1]:9464", "[::1]:9464", true),
        ("[0:0:0:0:0:0:0:1]:9464", "[::1]:9464", true),
        ("[::ffff:127.0.0.1]:9464", "[::ffff:127.0.0.1]:9464", true),
        ("[::]:9464", "[::]:9464", false),
        ("[::ffff:10.0.0.1]:9464", "[::ffff:10.0.0.1]:9464", false),
        ("[fd00::2]:9464", "[fd00::2]:9464", false),
    ])
    func parsesNumericAddresses(text: String, canonical: String, loopback: Bool) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.description == canonical)
        #expect(address.isLoopback == loopback)
    }

    @Test(arguments: [
        ("", "'' is not an address: no port (expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
        ("abc", "'abc' is not an address: no port (expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
        ("127.0.0.1", "'127.0.0.1' is not an address: no port (expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
        ("0", "'0': port 0 is out of range 1...65535"),
        ("70000", "'70000': port 70000 is out of range 1...65535"),
        ("metrics.example.com:9464", "'metrics.example.com:9464' is not an address: 'metrics.example.com' is not a numeric IP address (host names are not resolved; expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
        ("::1:9464", "'::1:9464' is not an address: an IPv6 host goes in brackets, such as [::1]:9464"),
        ("256.0.0.1:80", "'256.0.0.1:80' is not an address: '256.0.0.1' is not a numeric IP address (host names are not resolved; expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
        ("127.1:80", "'127.1:80' is not an address: '127.1' is not a numeric IP address (host names are not resolved; expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
        ("[::1]9464", "'[::1]9464' is not an address: expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464"),
        ("[nonsense]:80", "'[nonsense]:80' is not an address: 'nonsense' is not a numeric IP address (host names are not resolved; expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
        ("127.0.0.1:+80", "'127.0.0.1:+80' is not an address: no port (expected PORT, IPV4:PORT or [IPV6]:PORT with a numeric host, such as 127.0.0.1:9464)"),
    ])
    func refusesWhatIsNotANumericAddressWithAPort(text: String, reason: String) {
        #expect(throws: ListenAddress.ParseError(description: reason)) { try ListenAddress(parsing: text) }
    }

    @Test func anotherPortKeepsTheHost() throws {
        let address = try ListenAddress(parsing: "[::1]:9464").withPort(0)
        #expect(address.description == "[::1]:0" && address.family == .ipv6)
        #expect(ListenAddress.loopback(port: 0).description == "127.0.0.1:0")
    }
}

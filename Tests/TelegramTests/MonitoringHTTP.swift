import CCurl

/// Plain HTTP requests over a libcurl easy handle, for the tests of `/healthz` and `/metrics`:
/// what a scraper or `curl` sees, status, headers and body.
enum MonitoringHTTP {
    struct Response: Sendable {
        let status: Int
        /// Header names in lower case.
        let headers: [String: String]
        let body: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private final class Collected {
        var body: [UInt8] = []
        var headers: [String: String] = [:]
    }

    /// `method` on `url` (with `body`, if any, as a form POST body); blocks up to 5 s.
    static func request(_ url: String, method: String = "GET", body: String? = nil) throws(Failure) -> Response {
        guard let raw = curl_easy_init() else { throw Failure(description: "curl_easy_init failed") }
        defer { curl_easy_cleanup(raw) }
        let h = UnsafeMutableRawPointer(raw)
        let collected = Collected()
        let code: CURLcode = withExtendedLifetime(collected) {
            let context = Unmanaged.passUnretained(collected).toOpaque()
            _ = ccurl_setopt_string(h, CURLOPT_URL, url)
            _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
            _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, 5000)
            _ = ccurl_setopt_string(h, CURLOPT_CUSTOMREQUEST, method)
            if let body { _ = ccurl_setopt_string(h, CURLOPT_COPYPOSTFIELDS, body) }
            _ = ccurl_setopt_pointer(h, CURLOPT_WRITEDATA, context)
            _ = ccurl_setopt_pointer(h, CURLOPT_HEADERDATA, context)
            _ = ccurl_setopt_write_function(h) { data, size, count, context in
                let n = size * count
                if let data { Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue().body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
                return n
            }
            _ = ccurl_setopt_header_function(h) { data, size, count, context in
                let n = size * count
                guard let data else { return n }
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: " \r\n")
                    Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue().headers[name] = value
                }
                return n
            }
            return curl_easy_perform(h)
        }
        guard code == CURLE_OK else { throw Failure(description: "\(method) \(url): \(String(cString: curl_easy_strerror(code)))") }
        var status = 0
        _ = ccurl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, headers: collected.headers, body: String(decoding: collected.body, as: UTF8.self))
    }

    /// The value of each sample line of a Prometheus exposition (`name{labels} value`), keyed
    /// by everything before the value.
    static func samples(_ exposition: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

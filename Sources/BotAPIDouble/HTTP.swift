import Foundation
import Glibc

/// One parsed HTTP/1.1 request.
struct HTTPRequest {
    /// The connection's socket (to notice a client that gave up waiting).
    var connection: Int32
    var method: String
    var path: String
    var query: String?
    var contentType: String?
    var body: [UInt8]
    var keepAlive: Bool
}

/// What the double answers; `drop` closes the connection without a response.
struct HTTPResponse {
    var status: Int
    var contentType = "application/json"
    var body: [UInt8]
    var extraHeaders: [(String, String)] = []
    var drop = false
    var close = false

    static let dropConnection = HTTPResponse(status: 0, body: [], drop: true)

    static func ok(_ resultJSON: String, description: String? = nil) -> HTTPResponse {
        var text = "{\"ok\":true,\"result\":"
        text += resultJSON
        if let description {
            text += ",\"description\":"
            appendJSONString(description, to: &text)
        }
        text += "}"
        return HTTPResponse(status: 200, body: Array(text.utf8))
    }

    static func error(_ code: Int, _ description: String, retryAfter: Int? = nil) -> HTTPResponse {
        var text = "{\"ok\":false,\"error_code\":\(code),\"description\":"
        appendJSONString(description, to: &text)
        var headers: [(String, String)] = []
        if let retryAfter {
            text += ",\"parameters\":{\"retry_after\":\(retryAfter)}"
            headers.append(("Retry-After", String(retryAfter)))
        }
        text += "}"
        return HTTPResponse(status: code, body: Array(text.utf8), extraHeaders: headers)
    }

    /// The page an nginx front end shows for a 5xx.
    static func html(_ code: Int) -> HTTPResponse {
        let title = "\(code) \(reasonPhrase(code))"
        let page = "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n"
            + "<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
        return HTTPResponse(status: code, contentType: "text/html", body: Array(page.utf8))
    }

    func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\nServer: BotAPIDouble\r\nContent-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n"
        for (name, value) in extraHeaders {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }
}

func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: return "Continue"
    case 200: return "OK"
    case 400: return "Bad Request"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "Not Found"
    case 409: return "Conflict"
    case 413: return "Payload Too Large"
    case 429: return "Too Many Requests"
    case 431: return "Request Header Fields Too Large"
    case 500: return "Internal Server Error"
    case 502: return "Bad Gateway"
    case 503: return "Service Unavailable"
    case 504: return "Gateway Timeout"
    default: return "Status \(status)"
    }
}

/// True when the peer closed (or reset) the connection; pending request bytes count as alive.
func peerHasClosed(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    let result = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
    if result > 0 { return false }
    if result == 0 { return true }
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
}

/// Writes all of `bytes`; false when the peer is gone.
func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { raw in
        var sent = 0
        while sent < raw.count {
            let result = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            sent += result
        }
        return true
    }
}

/// Reads requests off one blocking socket (keep-alive, Content-Length bodies, `Expect: 100-continue`).
struct RequestReader {
    enum Next {
        case request(HTTPRequest)
        case invalid(HTTPResponse)
        case closed
    }

    static let maximumHeaderBytes = 64 * 1024
    static let maximumBodyBytes = 16 * 1024 * 1024

    let fd: Int32
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(64 * 1024)
    }

    /// Appends what the socket has; false on end of stream or error.
    private mutating func fill() -> Bool {
        while true {
            let received = chunk.withUnsafeMutableBytes { raw in
                Glibc.recv(fd, raw.baseAddress!, raw.count, 0)
            }
            if received > 0 {
                buffer.append(contentsOf: chunk[0..<received])
                return true
            }
            if received < 0 && errno == EINTR { continue }
            return false
        }
    }

    private mutating func consume(_ count: Int) {
        if count >= buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else {
            buffer.removeSubrange(0..<count)
        }
        scanned = 0
    }

    /// Index of the "\r\n\r\n" that ends the header block.
    private mutating func headerEnd() -> Int? {
        let count = buffer.count
        guard count >= 4 else { return nil }
        var index = max(0, scanned - 3)
        while index + 3 < count {
            if buffer[index] == 0x0D && buffer[index + 1] == 0x0A && buffer[index + 2] == 0x0D && buffer[index + 3] == 0x0A {
                return index
            }
            index += 1
        }
        scanned = count
        return nil
    }

    mutating func next() -> Next {
        var end: Int
        while true {
            // Tolerate blank lines before a request line (RFC 9112 §2.2).
            while buffer.count >= 2 && buffer[0] == 0x0D && buffer[1] == 0x0A { consume(2) }
            if let found = headerEnd() {
                end = found
                break
            }
            if buffer.count > Self.maximumHeaderBytes {
                var response = HTTPResponse.error(431, "Request Header Fields Too Large")
                response.close = true
                return .invalid(response)
            }
            guard fill() else { return .closed }
        }

        // Request line and headers.
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        var index = 0
        while index < end {
            if buffer[index] == 0x0D && buffer[index + 1] == 0x0A {
                lines.append(buffer[lineStart..<index])
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        lines.append(buffer[lineStart..<end])
        let requestLine = lines[0].split(separator: 0x20, omittingEmptySubsequences: true)
        guard requestLine.count == 3 else {
            var response = HTTPResponse.error(400, "Bad Request: invalid request line")
            response.close = true
            return .invalid(response)
        }
        let method = String(decoding: requestLine[0], as: UTF8.self)
        let target = String(decoding: requestLine[1], as: UTF8.self)
        let version = String(decoding: requestLine[2], as: UTF8.self)
        var keepAlive = version != "HTTP/1.0"
        var contentLength = 0
        var contentType: String?
        var expectContinue = false
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 0x3A) else { continue }
            let name = String(decoding: line[line.startIndex..<colon].map(lowercasedASCII), as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIISpaces()
            switch name {
            case "content-length":
                guard let length = Int(value), length >= 0 else {
                    var response = HTTPResponse.error(400, "Bad Request: invalid Content-Length")
                    response.close = true
                    return .invalid(response)
                }
                contentLength = length
            case "content-type":
                contentType = value
            case "expect":
                expectContinue = value.lowercased() == "100-continue"
            case "transfer-encoding":
                if value.lowercased().contains("chunked") { chunked = true }
            case "connection":
                let tokens = value.lowercased().split(separator: ",").map { $0.trimmingScalars(in: " \t") }
                if tokens.contains("close") { keepAlive = false }
                if tokens.contains("keep-alive") { keepAlive = true }
            default:
                break
            }
        }
        if chunked {
            var response = HTTPResponse.error(400, "Bad Request: chunked request bodies are not supported")
            response.close = true
            return .invalid(response)
        }
        if contentLength > Self.maximumBodyBytes {
            var response = HTTPResponse.error(413, "Request Entity Too Large")
            response.close = true
            return .invalid(response)
        }
        let bodyStart = end + 4
        if expectContinue && contentLength > 0 && buffer.count - bodyStart < contentLength {
            guard sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return .closed }
        }
        while buffer.count - bodyStart < contentLength {
            guard fill() else { return .closed }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + contentLength)])
        consume(bodyStart + contentLength)

        var path = target
        var query: String?
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        }
        if path.hasPrefix("http://") || path.hasPrefix("https://") {  // absolute-form target
            let afterScheme = path.drop { $0 != "/" }.dropFirst(2)
            path = String(afterScheme.drop { $0 != "/" })
        }
        return .request(HTTPRequest(
            connection: fd, method: method, path: percentDecoded(path, plusIsSpace: false), query: query,
            contentType: contentType, body: body, keepAlive: keepAlive))
    }
}

extension StringProtocol {
    func trimmingASCIISpaces() -> String {
        trimmingScalars(in: " \t")
    }

    func trimmingScalars(in set: String) -> String {
        let characters = Set(set.unicodeScalars)
        let string = String(self)
        let scalars = string.unicodeScalars
        guard let first = scalars.firstIndex(where: { !characters.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !characters.contains($0) })!
        return String(scalars[first...last])
    }
}

/// Decodes `%XX` (and `+` as a space in form encoding); malformed escapes stay as they are.
func percentDecoded<S: StringProtocol>(_ text: S, plusIsSpace: Bool) -> String {
    let utf8 = Array(text.utf8)
    guard utf8.contains(0x25) || (plusIsSpace && utf8.contains(0x2B)) else { return String(text) }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count)
    var index = 0
    while index < utf8.count {
        let byte = utf8[index]
        if byte == 0x25, index + 2 < utf8.count, let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
            out.append(UInt8(high * 16 + low))
            index += 3
        } else if byte == 0x2B && plusIsSpace {
            out.append(0x20)
            index += 1
        } else {
            out.append(byte)
            index += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// `a=1&b=2` into `parameters` (later keys win).
func parseFormEncoded(_ text: String, into parameters: inout [String: String]) {
    for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
        if let equals = pair.firstIndex(of: "=") {
            parameters[percentDecoded(pair[..<equals], plusIsSpace: true)] =
                percentDecoded(pair[pair.index(after: equals)...], plusIsSpace: true)
        } else {
            parameters[percentDecoded(pair, plusIsSpace: true)] = ""
        }
    }
}

/// The text fields of a `multipart/form-data` body (files are kept as their bytes decoded as UTF-8).
func parseMultipart(_ body: [UInt8], contentType: String, into parameters: inout [String: String]) {
    guard let range = contentType.range(of: "boundary=") else { return }
    var boundary = String(contentType[range.upperBound...])
    if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
    boundary = boundary.trimmingScalars(in: " \t\"")
    let delimiter = Array(("--" + boundary).utf8)
    var parts: [ArraySlice<UInt8>] = []
    var index = 0
    var partStart: Int?
    while index + delimiter.count <= body.count {
        if body[index] == delimiter[0] && body[index..<(index + delimiter.count)].elementsEqual(delimiter) {
            if let start = partStart { parts.append(body[start..<index]) }
            index += delimiter.count
            partStart = index
        } else {
            index += 1
        }
    }
    for part in parts {
        let bytes = Array(part)
        guard let headerEnd = firstRange(of: [0x0D, 0x0A, 0x0D, 0x0A], in: bytes) else { continue }
        let headers = String(decoding: bytes[0..<headerEnd], as: UTF8.self)
        guard let nameRange = headers.range(of: "name=\"") else { continue }
        let name = headers[nameRange.upperBound...].prefix { $0 != "\"" }
        var valueEnd = bytes.count
        if valueEnd >= 2 && bytes[valueEnd - 2] == 0x0D && bytes[valueEnd - 1] == 0x0A { valueEnd -= 2 }
        let valueStart = headerEnd + 4
        parameters[String(name)] = valueStart <= valueEnd ? String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self) : ""
    }
}

private func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
        return index
    }
    return nil
}

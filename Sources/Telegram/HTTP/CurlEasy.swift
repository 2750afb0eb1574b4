import CCurl
import BaohaoSupport

/// libcurl is initialised once per process, before the first handle.
private let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// An HTTP response: status and body.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    /// The `Retry-After` header, when the server sent one.
    public let retryAfter: Int?
}

/// Why a transfer failed before a response arrived.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Could not connect: nothing reached the server.
        case connect
        /// The request may have reached the server (timeout or dropped connection after sending).
        case afterSend
        case cancelled
        case other
    }

    public let kind: Kind
    public let code: Int32
    public let message: String
    public var description: String { "curl error \(code): \(message)" }
}

/// One libcurl easy handle: a connection cache and one transfer at a time. Not thread-safe:
/// its owner (an actor on its own executor) serializes every call. The options that never
/// change are set once; each transfer sets only its URL, body, timeouts and context.
final class CurlEasy {
    private let handle: OpaquePointer
    private let headers: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// What an empty body points at: libcurl reads none of it, but needs a pointer (with
    /// none it would read the body from standard input).
    private let emptyBody: UnsafeMutablePointer<UInt8>

    init() {
        _ = curlGlobalInit
        handle = OpaquePointer(curl_easy_init())
        var list: UnsafeMutablePointer<curl_slist>? = nil
        list = curl_slist_append(list, "Content-Type: application/json")
        list = curl_slist_append(list, "Expect:")
        headers = list
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        emptyBody = .allocate(capacity: 1)
        emptyBody.initialize(to: 0)
        let h = UnsafeMutableRawPointer(handle)
        _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        _ = ccurl_setopt_long(h, CURLOPT_POST, 1)
        _ = ccurl_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
        _ = ccurl_setopt_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = ccurl_setopt_write_function(h) { data, size, count, context in
            let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
            let n = size * count
            if let data { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
            return n
        }
        _ = ccurl_setopt_header_function(h) { data, size, count, context in
            let n = size * count
            if let data, let value = CurlEasy.retryAfter(UnsafeRawBufferPointer(start: data, count: n)) {
                Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().retryAfter = value
            }
            return n
        }
        _ = ccurl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
        _ = ccurl_setopt_xferinfo_function(h) { context, _, _, _, _ in
            Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().cancel.isRaised ? 1 : 0
        }
    }

    deinit {
        curl_easy_cleanup(UnsafeMutableRawPointer(handle))
        curl_slist_free_all(headers)
        errorBuffer.deallocate()
        emptyBody.deallocate()
    }

    /// Per-transfer state the C callbacks reach through their context pointer.
    private final class Transfer {
        var body: [UInt8] = []
        var retryAfter: Int?
        let cancel: CancelFlag
        init(cancel: CancelFlag) { self.cancel = cancel }
    }

    /// The seconds of a `Retry-After:` header line (any case), or nil for any other line.
    static func retryAfter(_ line: UnsafeRawBufferPointer) -> Int? {
        let name = "retry-after:".utf8
        guard line.count > name.count else { return nil }
        for (i, expected) in name.enumerated() {
            let byte = line[i]
            guard byte == expected || (byte >= 0x41 && byte <= 0x5A && byte | 0x20 == expected) else { return nil }
        }
        var value = 0, digits = 0
        for byte in line[name.count...] where byte >= 0x30 && byte <= 0x39 && digits < 9 {
            value = value * 10 + Int(byte - 0x30)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// POSTs `body` as JSON to `url`. Blocks until the response, a timeout or cancellation.
    func postJSON(url: String, body: [UInt8], timeoutMilliseconds: Int, connectTimeoutMilliseconds: Int = 10_000, cancel: CancelFlag) throws(HTTPTransportError) -> HTTPResponse {
        if cancel.isRaised { throw HTTPTransportError(kind: .cancelled, code: Int32(CURLE_ABORTED_BY_CALLBACK.rawValue), message: "cancelled") }
        let h = UnsafeMutableRawPointer(handle)
        let transfer = Transfer(cancel: cancel)
        errorBuffer[0] = 0
        let code: CURLcode = withExtendedLifetime(transfer) {
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            _ = ccurl_setopt_string(h, CURLOPT_URL, url)
            _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
            _ = ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds)
            _ = ccurl_setopt_pointer(h, CURLOPT_WRITEDATA, context)
            _ = ccurl_setopt_pointer(h, CURLOPT_HEADERDATA, context)
            _ = ccurl_setopt_pointer(h, CURLOPT_XFERINFODATA, context)
            // The body is read from our buffer during the transfer (no copy): it outlives the call.
            return body.withUnsafeBufferPointer { bytes in
                _ = ccurl_setopt_long(h, CURLOPT_POSTFIELDSIZE, bytes.count)
                _ = ccurl_setopt_pointer(h, CURLOPT_POSTFIELDS, bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? UnsafeMutableRawPointer(emptyBody))
                let result = curl_easy_perform(h)
                _ = ccurl_setopt_pointer(h, CURLOPT_POSTFIELDS, nil)
                return result
            }
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            let kind: HTTPTransportError.Kind
            switch code {
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .connect
            case CURLE_ABORTED_BY_CALLBACK: kind = .cancelled
            case CURLE_OPERATION_TIMEDOUT, CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: kind = .afterSend
            default: kind = .other
            }
            // A timeout before the connection was made means nothing was sent.
            throw HTTPTransportError(kind: kind == .afterSend && code == CURLE_OPERATION_TIMEDOUT && !didConnect(h) ? .connect : kind, code: Int32(code.rawValue), message: message)
        }
        var status: Int = 0
        _ = ccurl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, body: transfer.body, retryAfter: transfer.retryAfter)
    }

    /// True when the transfer got as far as a connection (so the request may have been sent).
    private func didConnect(_ h: UnsafeMutableRawPointer) -> Bool {
        var seconds: Double = 0
        _ = ccurl_getinfo_double(h, CURLINFO_CONNECT_TIME, &seconds)
        return seconds > 0
    }
}

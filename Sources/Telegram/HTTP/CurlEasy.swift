import CCurl
import Storage

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
/// its owner (an actor on its own executor) serializes every call.
final class CurlEasy {
    private let handle: OpaquePointer

    init() {
        _ = curlGlobalInit
        handle = OpaquePointer(curl_easy_init())
    }

    deinit { curl_easy_cleanup(UnsafeMutableRawPointer(handle)) }

    /// Per-transfer state the C callbacks reach through their context pointer.
    private final class Transfer {
        var body: [UInt8] = []
        var retryAfter: Int?
        let cancel: CancelFlag
        init(cancel: CancelFlag) { self.cancel = cancel }
    }

    /// POSTs `body` as JSON to `url`. Blocks until the response, a timeout or cancellation.
    func postJSON(url: String, body: [UInt8], timeoutMilliseconds: Int, connectTimeoutMilliseconds: Int = 10_000, cancel: CancelFlag) throws(HTTPTransportError) -> HTTPResponse {
        if cancel.isRaised { throw HTTPTransportError(kind: .cancelled, code: Int32(CURLE_ABORTED_BY_CALLBACK.rawValue), message: "cancelled") }
        let h = UnsafeMutableRawPointer(handle)
        curl_easy_reset(h)  // keeps the connection cache
        let transfer = Transfer(cancel: cancel)
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        headers = curl_slist_append(headers, "Content-Type: application/json")
        headers = curl_slist_append(headers, "Expect:")
        defer { curl_slist_free_all(headers) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let code: CURLcode = withExtendedLifetime(transfer) {
            let context = Unmanaged.passUnretained(transfer).toOpaque()
            _ = ccurl_setopt_string(h, CURLOPT_URL, url)
            _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
            _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, timeoutMilliseconds)
            _ = ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds)
            _ = ccurl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
            _ = ccurl_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
            _ = ccurl_setopt_long(h, CURLOPT_POSTFIELDSIZE, body.count)
            body.withUnsafeBufferPointer { bytes in
                _ = ccurl_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            _ = ccurl_setopt_write_function(h) { data, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                let n = size * count
                if let data { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n)) }
                return n
            }
            _ = ccurl_setopt_pointer(h, CURLOPT_WRITEDATA, context)
            _ = ccurl_setopt_header_function(h) { data, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                let n = size * count
                if let data, n > 12 {
                    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
                    if line.lowercased().hasPrefix("retry-after:") {
                        transfer.retryAfter = Int(line.dropFirst(12).filter { $0.isNumber })
                    }
                }
                return n
            }
            _ = ccurl_setopt_pointer(h, CURLOPT_HEADERDATA, context)
            _ = ccurl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
            _ = ccurl_setopt_xferinfo_function(h) { context, _, _, _, _ in
                Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().cancel.isRaised ? 1 : 0
            }
            _ = ccurl_setopt_pointer(h, CURLOPT_XFERINFODATA, context)
            return errorBuffer.withUnsafeMutableBufferPointer { buffer in
                _ = ccurl_setopt_pointer(h, CURLOPT_ERRORBUFFER, buffer.baseAddress)
                let result = curl_easy_perform(h)
                _ = ccurl_setopt_pointer(h, CURLOPT_ERRORBUFFER, nil)
                return result
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
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

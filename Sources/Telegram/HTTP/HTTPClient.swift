import BaohaoSupport

/// An HTTP client with its own libcurl handle on its own thread: a blocking transfer never
/// runs on Swift's cooperative pool, and cancelling the calling task aborts the transfer
/// within about a second. Use one client per concurrent stream of requests (the long poll
/// and the sender each have their own).
public actor HTTPClient {
    private let executor: QueueExecutor
    private let easy = CurlEasy()

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(label: String) {
        executor = QueueExecutor(label: "baohao.http.\(label)")
    }

    /// Runs `body` on this client's thread. Requests `body` makes through this client (and
    /// through `nonisolated(nonsending)` callers such as `BotAPI`) switch no thread, so a
    /// batch of requests costs one thread switch in and one out instead of two per request.
    public func perform<T: Sendable>(_ body: @Sendable (isolated HTTPClient) async -> T) async -> T {
        await body(self)
    }

    /// POSTs a JSON body. Throws `HTTPTransportError` when no response arrived.
    public func postJSON(url: String, body: [UInt8], timeoutSeconds: Double) async throws -> HTTPResponse {
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try easy.postJSON(url: url, body: body, timeoutMilliseconds: Int(timeoutSeconds * 1000), cancel: flag)
        } onCancel: {
            flag.raise()
        }
    }
}

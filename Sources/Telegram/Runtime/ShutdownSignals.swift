@preconcurrency import Dispatch

#if canImport(Glibc)
public import Glibc
#endif

/// SIGINT and SIGTERM as an async sequence: the bot stops polling, drains and exits 0.
public enum ShutdownSignals {
    /// Keeps the signal sources alive until the stream ends.
    // @unchecked Sendable: holds the sources only to cancel them, once, when the stream ends.
    private final class Sources: @unchecked Sendable {
        var sources: [any DispatchSourceSignal] = []
        func cancel() { sources.forEach { $0.cancel() } }
    }

    public static func stream(_ signals: [Int32] = [SIGINT, SIGTERM]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            let holder = Sources()
            let queue = DispatchQueue(label: "baohao.signals")
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                holder.sources.append(source)
            }
            continuation.onTermination = { _ in holder.cancel() }
        }
    }
}

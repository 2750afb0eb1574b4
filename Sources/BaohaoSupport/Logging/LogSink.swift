#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Where finished log lines go. Implementations must be safe to call from any thread.
public protocol LogSink: Sendable {
    /// Writes one complete line (without its newline).
    func write(line: String)
}

/// Writes each line to standard error with a single `write(2)`, so lines never interleave.
public struct StandardErrorLogSink: LogSink {
    /// A sink for this process's standard error.
    public init() {}

    /// Writes `line` and a newline; stops quietly if standard error refuses the bytes.
    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(10)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

/// Keeps every line in memory, for tests that assert on what was logged.
public final class CapturingLogSink: LogSink {
    private let storage = Mutex<[String]>([])

    /// A sink holding no lines yet.
    public init() {}

    /// Appends `line`; safe from any thread.
    public func write(line: String) { storage.withLock { $0.append(line) } }

    /// The lines written so far, oldest first.
    public var lines: [String] { storage.withLock { $0 } }
}

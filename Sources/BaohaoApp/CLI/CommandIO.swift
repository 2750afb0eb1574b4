#if canImport(Glibc)
import Glibc
#endif

/// Where a command writes its output. Tests construct one that captures both streams.
public struct CommandIO: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void
    /// The next line of input without its newline, nil at the end.
    public var input: @Sendable () -> String?

    public init(
        out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
        input: @escaping @Sendable () -> String? = { readLine(strippingNewline: true) }
    ) {
        self.out = out
        self.err = err
        self.input = input
    }

    /// Standard output and standard error, a line per call.
    public static let standard = CommandIO(
        out: { text in print(text) },
        err: { text in
            var line = Array(text.utf8)
            line.append(10)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        })
}

/// Exit codes from sysexits.h, which service managers and scripts understand.
public enum ExitCode {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    /// The command line was wrong.
    public static let usage: Int32 = 64
    /// An input file was wrong.
    public static let dataError: Int32 = 65
    /// An input file could not be opened.
    public static let noInput: Int32 = 66
    /// An internal error.
    public static let software: Int32 = 70
    /// An output file cannot be created (it exists, and replacing it was not asked for).
    public static let cantCreate: Int32 = 73
    /// A file could not be read or written.
    public static let ioError: Int32 = 74
    /// Something another process holds (the database, served by another `baohao run`): try again later.
    public static let busy: Int32 = 75
    /// The configuration was wrong.
    public static let config: Int32 = 78
}

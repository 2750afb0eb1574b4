#if canImport(Glibc)
import Glibc
#endif

/// Where the running `baohao` is installed.
public enum Installation {
    /// The directory above the one holding the executable, symbolic links resolved: `/opt/baohao`
    /// for `/opt/baohao/bin/baohao` (or a link to it). `make install` puts `Config/` and
    /// `Intents/` there. Nil when the executable's path cannot be told.
    public static let directory: String? = {
        // Linux names the executable in /proc; elsewhere the path it was started by will do.
        for candidate in ["/proc/self/exe", CommandLine.arguments.first ?? ""] where !candidate.isEmpty {
            guard let resolved = realpath(candidate, nil) else { continue }
            defer { free(resolved) }
            let parts = String(cString: resolved).split(separator: "/", omittingEmptySubsequences: true)
            guard parts.count >= 2 else { return "/" }
            return "/" + parts.dropLast(2).joined(separator: "/")
        }
        return nil
    }()
}

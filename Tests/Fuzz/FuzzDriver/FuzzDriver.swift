#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import CLibFuzzer

/// The `main` of the fuzz harnesses. Built for fuzzing (`make fuzz`: `-sanitize=fuzzer` and
/// `-DFUZZING`) it hands the command line to libFuzzer, which calls `entry` with the inputs it
/// makes; built plainly (`swift build`), it calls `entry` once on each input file given on
/// the command line (a folder: every file below it), or on each file in `seeds` when none is,
/// and exits 0 when none of them trapped.
public enum FuzzDriver {
    /// libFuzzer's test function, `LLVMFuzzerTestOneInput`: the input's bytes and count.
    public typealias Entry = @convention(c) (UnsafePointer<UInt8>, Int) -> Int32

    /// Runs the harness `name` (for messages) with `entry`; never returns. `seeds` is a
    /// folder relative to the working directory, the repository root.
    public static func main(name: String, entry: Entry, seeds: String) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
        #else
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let option = arguments.first(where: { $0.hasPrefix("-") }) {
            fail("\(name): \(option): this build only replays inputs (files or folders); `make fuzz` builds the fuzzer")
        }
        var count = 0
        for path in arguments.isEmpty ? [seeds] : arguments {
            for file in inputFiles(path, name: name) {
                guard let data = FileManager.default.contents(atPath: file) else { fail("\(name): cannot read \(file)") }
                // libFuzzer never passes a null pointer, not even for an empty input.
                var bytes = Array(data)
                bytes.append(0)
                replaying = file
                _ = bytes.withUnsafeBufferPointer { entry($0.baseAddress!, $0.count - 1) }
                count += 1
            }
        }
        print("\(name): \(count) input\(count == 1 ? "" : "s") replayed, none failed")
        exit(0)
        #endif
    }

    /// The input file being replayed, for the message of a failed property (libFuzzer names its own inputs).
    nonisolated(unsafe) static var replaying: String?

    #if !FUZZING
    /// `path` if it is a file, else every file below the folder `path`, sorted.
    private static func inputFiles(_ path: String, name: String) -> [String] {
        var isFolder = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            fail("\(name): no file or folder \(path) (run from the repository root)")
        }
        guard isFolder else { return [path] }
        let below = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
        return below.sorted().map { path + "/" + $0 }.filter { file in
            var isFolder = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) && !isFolder
        }
    }

    private static func fail(_ message: String) -> Never {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
    #endif
}

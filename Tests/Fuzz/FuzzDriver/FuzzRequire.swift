#if canImport(Glibc)
import Glibc
#endif

/// A property a harness checks on every input: when it does not hold, `message` goes to standard
/// error and the process aborts, which libFuzzer reports as a crash (saving the input) and a
/// replay reports as a failure. Unlike `precondition`, the message is printed in an optimized
/// build too.
public func fuzzRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if condition() { return }
    let input = FuzzDriver.replaying.map { " (input \($0))" } ?? ""
    let line = Array(("property failed\(input): " + message() + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}

import Synchronization

/// A registry of the metrics a process exposes, and their text in the Prometheus exposition
/// format 0.0.4 (`# HELP`, `# TYPE`, one sample per line). Families come out in the order they
/// were registered, each series of a family in its order. Registering takes a lock and is meant
/// for start-up; the counters, gauges and histograms it returns are bumped without it.
/// Rendering reads each value once with relaxed atomics: it never stops the code that bumps them.
public final class Metrics: Sendable {
    /// The `Content-Type` of `exposition()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The kind of a family, as `# TYPE` names it.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    private enum Source: Sendable {
        case counter(MetricCounter)
        case gauge(MetricGauge)
        case reading(@Sendable () -> Double)
        case histogram(MetricHistogram)
    }

    private struct Series: Sendable {
        /// `{name="value",...}` or empty.
        let labels: String
        let source: Source
    }

    private struct Family: Sendable {
        let name: String
        let help: String
        let kind: Kind
        var series: [Series]
    }

    private let families = Mutex<[Family]>([])

    /// An empty registry.
    public init() {}

    /// Registers and returns a counter. Its name must end in `_total`; a name registered
    /// before gets one more series, which must have the same help and other labels.
    @discardableResult
    public func counter(_ name: String, help: String, labels: KeyValuePairs<String, String> = [:]) -> MetricCounter {
        precondition(name.hasSuffix("_total"), "a counter's name ends in _total: \(name)")
        let counter = MetricCounter()
        register(name, help: help, kind: .counter, Series(labels: Self.labels(labels), source: .counter(counter)))
        return counter
    }

    /// Registers and returns a gauge (see `counter` for names and labels).
    @discardableResult
    public func gauge(_ name: String, help: String, labels: KeyValuePairs<String, String> = [:]) -> MetricGauge {
        let gauge = MetricGauge()
        register(name, help: help, kind: .gauge, Series(labels: Self.labels(labels), source: .gauge(gauge)))
        return gauge
    }

    /// Registers a gauge whose value `read` gives at each rendering. `read` runs on the
    /// rendering thread: it must be quick and must not wait for other work.
    public func gauge(_ name: String, help: String, labels: KeyValuePairs<String, String> = [:], read: @escaping @Sendable () -> Double) {
        register(name, help: help, kind: .gauge, Series(labels: Self.labels(labels), source: .reading(read)))
    }

    /// Registers and returns a histogram of durations in seconds with these bucket bounds.
    @discardableResult
    public func histogram(_ name: String, help: String, bounds: [Double]) -> MetricHistogram {
        let histogram = MetricHistogram(bounds: bounds)
        register(name, help: help, kind: .histogram, Series(labels: "", source: .histogram(histogram)))
        return histogram
    }

    private func register(_ name: String, help: String, kind: Kind, _ series: Series) {
        precondition(Self.isValidName(name), "not a metric name: \(name)")
        families.withLock { families in
            if let index = families.firstIndex(where: { $0.name == name }) {
                precondition(families[index].kind == kind && families[index].help == help, "\(name) registered twice differently")
                precondition(!families[index].series.contains { $0.labels == series.labels }, "\(name)\(series.labels) registered twice")
                families[index].series.append(series)
            } else {
                families.append(Family(name: name, help: help, kind: kind, series: [series]))
            }
        }
    }

    /// Every family with its `# HELP` and `# TYPE` lines and its samples, each line ending
    /// in a line feed. A histogram has its cumulative `_bucket` lines (`le` up to `+Inf`),
    /// `_sum` (seconds) and `_count`.
    public func exposition() -> String {
        let families = self.families.withLock { $0 }
        var out = ""
        out.reserveCapacity(families.count * 160)
        for family in families {
            out += "# HELP \(family.name) \(Self.escapedHelp(family.help))\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            for series in family.series {
                switch series.source {
                case .counter(let counter): out += "\(family.name)\(series.labels) \(counter.value)\n"
                case .gauge(let gauge): out += "\(family.name)\(series.labels) \(Self.number(gauge.value))\n"
                case .reading(let read): out += "\(family.name)\(series.labels) \(Self.number(read()))\n"
                case .histogram(let histogram):
                    let (cumulative, count, sum) = histogram.snapshot()
                    for (bound, n) in zip(histogram.bounds, cumulative) { out += "\(family.name)_bucket{le=\"\(Self.number(bound))\"} \(n)\n" }
                    out += "\(family.name)_bucket{le=\"+Inf\"} \(count)\n\(family.name)_sum \(Self.number(sum))\n\(family.name)_count \(count)\n"
                }
            }
        }
        return out
    }

    /// A sample value: an integral value without a fraction (`3`), others as Swift prints
    /// them (`0.25`, `5e-06`, which Prometheus reads), `NaN`, `+Inf`, `-Inf`.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x3A }
    }

    /// `{name="value",...}` with `\`, `"` and line feeds escaped; empty for no labels.
    static func labels(_ pairs: KeyValuePairs<String, String>) -> String {
        guard !pairs.isEmpty else { return "" }
        let parts = pairs.map { name, value -> String in
            precondition(isValidName(name) && !name.contains(":") && name != "le" && !name.hasPrefix("__"), "not a label name: \(name)")
            var escaped = ""
            for c in value.unicodeScalars {
                switch c {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.unicodeScalars.append(c)
                }
            }
            return "\(name)=\"\(escaped)\""
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// Help text with `\` and line feeds escaped.
    static func escapedHelp(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }
}

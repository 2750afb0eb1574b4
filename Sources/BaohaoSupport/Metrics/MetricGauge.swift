import Synchronization

/// A value that goes up and down (a Prometheus gauge). Setting and reading it are single
/// relaxed atomic operations: no lock, safe from any thread.
public final class MetricGauge: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    /// A gauge at 0; register it with `Metrics.gauge` to have it exposed.
    public init() {}

    /// Replaces the value.
    public func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }

    /// The value now.
    public var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}

import Synchronization

/// A count that only goes up (a Prometheus counter), from process start. Bumping it is one
/// relaxed atomic add: no lock, safe from any thread, cheap enough for the hot path.
public final class MetricCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// A counter at 0; register it with `Metrics.counter` to have it exposed.
    public init() {}

    /// Adds `amount` (not negative).
    public func increment(by amount: Int = 1) {
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The count now.
    public var value: Int { count.load(ordering: .relaxed) }
}

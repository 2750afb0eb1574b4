import Synchronization

/// How long something took, counted in buckets (a Prometheus histogram in seconds). An
/// observation is a few comparisons and two relaxed atomic adds: no lock, safe from any
/// thread. A scrape reads the buckets and the sum one by one, so while observations go on it
/// may see one of them in the sum and not yet in a bucket (or the other way round); each
/// figure on its own is exact.
public final class MetricHistogram: Sendable {
    /// The buckets' upper bounds in seconds, ascending; a last bucket, +Inf, takes the rest.
    public let bounds: [Double]
    private let boundsNanoseconds: [Int64]
    /// One per bound plus +Inf, each counting only its own observations (not cumulative).
    private let buckets: [MetricCounter]
    private let sumNanoseconds = Atomic<Int64>(0)

    /// A histogram with these upper bounds (seconds, ascending, finite, positive).
    public init(bounds: [Double]) {
        precondition(!bounds.isEmpty && zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "bounds must ascend")
        precondition(bounds.allSatisfy { $0 > 0 && $0.isFinite }, "bounds must be positive and finite")
        self.bounds = bounds
        boundsNanoseconds = bounds.map { Int64(($0 * 1e9).rounded()) }
        buckets = (0...bounds.count).map { _ in MetricCounter() }
    }

    /// Counts one duration.
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        observe(nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Counts one duration given in nanoseconds (a negative one counts as 0).
    public func observe(nanoseconds: Int64) {
        let value = max(0, nanoseconds)
        var index = 0
        while index < boundsNanoseconds.count, value > boundsNanoseconds[index] { index += 1 }
        buckets[index].increment()
        sumNanoseconds.wrappingAdd(value, ordering: .relaxed)
    }

    /// What a scrape shows: for each bound, the observations at or below it (cumulative),
    /// then the count of all of them and their sum in seconds.
    public func snapshot() -> (cumulative: [Int], count: Int, sumSeconds: Double) {
        var running = 0
        var cumulative: [Int] = []
        cumulative.reserveCapacity(bounds.count)
        for bucket in buckets.dropLast() {
            running += bucket.value
            cumulative.append(running)
        }
        let count = running + buckets[bounds.count].value
        return (cumulative, count, Double(sumNanoseconds.load(ordering: .relaxed)) / 1e9)
    }
}

import FoundationEssentials

/// Runs `body` `runs` times and reports the median and the spread (min…max) of what it returns.
struct Sample {
    let median: Double
    let minimum: Double
    let maximum: Double
    let values: [Double]

    init(_ values: [Double]) {
        self.values = values
        let sorted = values.sorted()
        median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        minimum = sorted.first ?? 0
        maximum = sorted.last ?? 0
    }
}

func repeatRuns(_ runs: Int, _ body: () -> Double) -> Sample {
    Sample((0..<runs).map { _ in body() })
}

/// Microseconds per call of each of `inputs`, as a sorted array.
func perCallMicroseconds<T>(_ inputs: [T], _ body: (T) -> Void) -> [Double] {
    let clock = ContinuousClock()
    var result: [Double] = []
    result.reserveCapacity(inputs.count)
    for input in inputs {
        let start = clock.now
        body(input)
        let d = clock.now - start
        result.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
    }
    return result.sorted()
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
}

func milliseconds(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let d = clock.measure(body)
    return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
}

func format(_ x: Double, _ digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((x * scale).rounded())
    if digits == 0 { return String(scaled) }
    let fraction = String(abs(scaled) % Int(scale))
    return "\(scaled / Int(scale)).\(String(repeating: "0", count: digits - fraction.count))\(fraction)"
}

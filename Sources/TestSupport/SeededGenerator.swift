import Foundation

/// SplitMix64: a small deterministic generator, so property tests and random kill points
/// replay exactly from their printed seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// A generator seeded from `BAOHAO_TEST_SEED` when it is set (to replay a failure), else
    /// from `fallback`; tests print the seed they used with any failure.
    public static func fromEnvironment(fallback: UInt64) -> (generator: SeededGenerator, seed: UInt64) {
        let seed = ProcessInfo.processInfo.environment["BAOHAO_TEST_SEED"].flatMap { UInt64($0) } ?? fallback
        return (SeededGenerator(seed: seed), seed)
    }
}

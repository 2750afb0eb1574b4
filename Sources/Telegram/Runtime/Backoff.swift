/// A wait that doubles after each failure up to a maximum and starts over after a success.
/// Pure: the caller sleeps.
struct Backoff: Sendable, Equatable {
    let initial: Double
    let maximum: Double
    /// The wait the next failure gets.
    private(set) var seconds: Double

    init(initial: Double, maximum: Double) {
        self.initial = initial
        self.maximum = maximum
        seconds = min(initial, maximum)
    }

    /// A failure: the wait to use now (the next one doubles, up to the maximum).
    mutating func next() -> Double {
        let wait = seconds
        seconds = min(maximum, seconds * 2)
        return wait
    }

    /// The next failure waits at least `floor` (even beyond the maximum).
    mutating func raise(toAtLeast floor: Double) {
        seconds = max(seconds, floor)
    }

    /// A success: the next failure waits `initial` again.
    mutating func reset() {
        seconds = min(initial, maximum)
    }
}

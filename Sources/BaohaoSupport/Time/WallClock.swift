import FoundationEssentials
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch (negative: before it).
    public let millisecondsSinceEpoch: Int64

    /// The instant `millisecondsSinceEpoch` after the epoch.
    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }
    /// The instant `secondsSinceEpoch` whole seconds after the epoch.
    public init(secondsSinceEpoch: Int64) { millisecondsSinceEpoch = secondsSinceEpoch * 1000 }

    /// The instant `seconds` later (earlier when negative).
    public func adding(seconds: Int64) -> Instant { Instant(millisecondsSinceEpoch: millisecondsSinceEpoch + seconds * 1000) }

    /// ISO-8601 UTC with milliseconds, as stored in the database.
    public var description: String { UTCTimestamp.format(millisecondsSinceEpoch: millisecondsSinceEpoch) }

    /// Earlier instants sort first.
    public static func < (a: Instant, b: Instant) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    /// The calendar date at this instant in the time zone `identifier` (IANA, e.g.
    /// `Asia/Hong_Kong`); nil when the zone is unknown.
    public func date(inTimeZone identifier: String) -> CivilDate? {
        guard let zone = ZoneInfo.named(identifier) else { return nil }
        let seconds = millisecondsSinceEpoch >= 0 ? millisecondsSinceEpoch / 1000 : (millisecondsSinceEpoch - 999) / 1000
        let offset = Int64(zone.offset(at: seconds))
        let local = seconds + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return CivilDate(daysSinceEpoch: days)
    }

    /// Parses the stored form (`2026-11-22T00:31:02.123Z`).
    public init?(iso text: String) {
        let u = Array(text.utf8)
        guard u.count == 24, u[10] == 0x54, u[23] == 0x5A, u[19] == 0x2E, let date = CivilDate(iso: text.prefix(10)) else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for i in range {
                guard u[i] >= 0x30, u[i] <= 0x39 else { return nil }
                value = value * 10 + Int64(u[i] - 0x30)
            }
            return value
        }
        guard let h = number(11..<13), let m = number(14..<16), let s = number(17..<19), let ms = number(20..<23), h < 24, m < 60, s < 60 else { return nil }
        millisecondsSinceEpoch = ((date.daysSinceEpoch * 86_400 + h * 3600 + m * 60 + s) * 1000) + ms
    }
}

/// Where "now" comes from. Services take one so that tests can stand at any instant.
public protocol WallClock: Sendable {
    /// The current instant; safe to call from any thread.
    func now() -> Instant
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    /// The system clock.
    public init() {}
    /// `CLOCK_REALTIME`, truncated to the millisecond; it can jump when the system time is set.
    public func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}

/// The system clock moved to start at a given instant and run on at its pace: what a
/// command run "as of" another time (`--now`) uses for everything it stamps.
public struct ShiftedWallClock: WallClock {
    private let offsetMilliseconds: Int64

    /// A clock that says `start` now.
    public init(startingAt start: Instant) {
        offsetMilliseconds = start.millisecondsSinceEpoch - SystemWallClock().now().millisecondsSinceEpoch
    }

    public func now() -> Instant { Instant(millisecondsSinceEpoch: SystemWallClock().now().millisecondsSinceEpoch + offsetMilliseconds) }
}

/// A clock that says what it is told: for tests.
public final class ManualWallClock: WallClock, Sendable {
    private let current: Mutex<Instant>

    /// A clock standing at `start` until it is set or advanced.
    public init(_ start: Instant) { current = Mutex(start) }

    /// Starts at noon UTC of `date` (`YYYY-MM-DD`), offset by `hours`.
    public convenience init(_ date: String, hour: Int = 12) {
        let day = CivilDate(iso: date)!
        self.init(Instant(secondsSinceEpoch: day.daysSinceEpoch * 86_400 + Int64(hour) * 3600))
    }

    /// The instant it was last set to.
    public func now() -> Instant { current.withLock { $0 } }
    /// Stands the clock at `instant` (which may be earlier than now).
    public func set(_ instant: Instant) { current.withLock { $0 = instant } }
    /// Moves the clock `seconds` on (back when negative).
    public func advance(seconds: Int64) { current.withLock { $0 = $0.adding(seconds: seconds) } }
}

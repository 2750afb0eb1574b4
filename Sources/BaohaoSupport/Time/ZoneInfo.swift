import FoundationEssentials
import Synchronization

/// The UTC offsets of an IANA time zone, read from the system's tz database (TZif files
/// under /usr/share/zoneinfo, or TZDIR). No ICU: the bot keeps to FoundationEssentials.
/// Instants after the file's last transition (2037 in the files Debian ships) keep the last
/// offset.
public final class ZoneInfo: Sendable {
    /// The IANA name the zone was loaded by (`Asia/Hong_Kong`).
    public let identifier: String
    private let transitions: [Int64]
    private let offsetAfter: [Int32]
    private let initialOffset: Int32

    private static let cache = Mutex<[String: ZoneInfo?]>([:])
    static let directory: String = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"

    /// The zone, or nil when the identifier is not a zone of the database.
    public static func named(_ identifier: String) -> ZoneInfo? {
        if let cached = cache.withLock({ $0[identifier] }) { return cached }
        let zone = load(identifier)
        cache.withLock { $0[identifier] = zone }
        return zone
    }

    /// Seconds east of UTC at `secondsSinceEpoch`.
    public func offset(at secondsSinceEpoch: Int64) -> Int32 {
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= secondsSinceEpoch { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? initialOffset : offsetAfter[low - 1]
    }

    private init(identifier: String, transitions: [Int64], offsetAfter: [Int32], initialOffset: Int32) {
        self.identifier = identifier
        self.transitions = transitions
        self.offsetAfter = offsetAfter
        self.initialOffset = initialOffset
    }

    private static func load(_ identifier: String) -> ZoneInfo? {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/".utf8)
        guard !identifier.isEmpty, identifier.utf8.allSatisfy(allowed.contains), !identifier.contains(".."), !identifier.hasPrefix("/"),
            let data = FileManager.default.contents(atPath: directory + "/" + identifier)
        else { return nil }
        return parse(Array(data), identifier: identifier)
    }

    /// Parses a TZif file (RFC 8536), using the 64-bit data of version 2 and later.
    static func parse(_ bytes: [UInt8], identifier: String) -> ZoneInfo? {
        func be32(_ at: Int) -> Int? {
            guard at + 4 <= bytes.count else { return nil }
            return Int(Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])))
        }
        func be64(_ at: Int) -> Int64? {
            guard at + 8 <= bytes.count else { return nil }
            var v: UInt64 = 0
            for i in 0..<8 { v = v << 8 | UInt64(bytes[at + i]) }
            return Int64(bitPattern: v)
        }
        struct Header {
            let isut, isstd, leap, time, type, char: Int
        }
        func header(_ at: Int) -> Header? {
            guard bytes.count >= at + 44, bytes[at] == 0x54, bytes[at + 1] == 0x5A, bytes[at + 2] == 0x69, bytes[at + 3] == 0x66,
                let isut = be32(at + 20), let isstd = be32(at + 24), let leap = be32(at + 28), let time = be32(at + 32), let type = be32(at + 36),
                let char = be32(at + 40), [isut, isstd, leap, time, type, char].allSatisfy({ $0 >= 0 }), type > 0
            else { return nil }
            return Header(isut: isut, isstd: isstd, leap: leap, time: time, type: type, char: char)
        }
        guard let first = header(0) else { return nil }
        var start = 44
        var h = first
        var timeSize = 4
        if bytes[4] >= 0x32 {  // version 2+: skip the 32-bit block
            start += first.time * 4 + first.time + first.type * 6 + first.char + first.leap * 8 + first.isstd + first.isut
            guard let second = header(start) else { return nil }
            h = second
            start += 44
            timeSize = 8
        }
        let timesAt = start, indicesAt = timesAt + h.time * timeSize, typesAt = indicesAt + h.time
        guard typesAt + h.type * 6 <= bytes.count else { return nil }
        var offsets: [Int32] = []
        for t in 0..<h.type {
            guard let off = be32(typesAt + t * 6) else { return nil }
            offsets.append(Int32(off))
        }
        var transitions: [Int64] = [], after: [Int32] = []
        for i in 0..<h.time {
            let at = timeSize == 8 ? be64(timesAt + i * 8) : be32(timesAt + i * 4).map(Int64.init)
            guard let at, Int(bytes[indicesAt + i]) < offsets.count else { return nil }
            transitions.append(at)
            after.append(offsets[Int(bytes[indicesAt + i])])
        }
        // RFC 8536: before the first transition, the first non-DST type (usually type 0).
        return ZoneInfo(identifier: identifier, transitions: transitions, offsetAfter: after, initialOffset: offsets[0])
    }
}

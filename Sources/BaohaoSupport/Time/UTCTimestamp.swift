/// Civil-calendar arithmetic on the proleptic Gregorian calendar, independent of any
/// time-zone database: days since 1970-01-01 to and from year, month and day.
public enum CivilCalendar {
    /// The (year, month, day) of the `days`-th day after 1970-01-01 (negative: before).
    public static func date(fromDaysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    /// Days since 1970-01-01 of a (year, month, day); month 1...12, day 1...31.
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Formats instants as ISO-8601 UTC timestamps with milliseconds: `2026-11-22T00:31:02.123Z`.
public enum UTCTimestamp {
    /// The timestamp for `secondsSinceEpoch` (Unix time, fractional seconds allowed).
    public static func format(secondsSinceEpoch: Double) -> String {
        format(millisecondsSinceEpoch: Int64((secondsSinceEpoch * 1000).rounded(.down)))
    }

    /// The timestamp for `totalMilliseconds` since the epoch, exactly.
    public static func format(millisecondsSinceEpoch totalMilliseconds: Int64) -> String {
        let (seconds, millis) = totalMilliseconds.quotientAndRemainder(dividingBy: 1000)
        let adjustedSeconds = millis < 0 ? seconds - 1 : seconds
        let ms = millis < 0 ? millis + 1000 : millis
        let (days, secondOfDay) = adjustedSeconds.quotientAndRemainder(dividingBy: 86_400)
        let (d, s) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        let date = CivilCalendar.date(fromDaysSinceEpoch: d)
        guard (0...9999).contains(date.year) else {
            return pad(date.year, 4) + "-" + pad(date.month, 2) + "-" + pad(date.day, 2) + "T"
                + pad(Int(s / 3600), 2) + ":" + pad(Int(s / 60 % 60), 2) + ":" + pad(Int(s % 60), 2)
                + "." + pad(Int(ms), 3) + "Z"
        }
        // The common case written into one fixed-size buffer: this runs several times per message.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var v = value
                for i in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[i] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
            }
            put(date.year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(date.month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(date.day, 2, at: 8)
            buffer[10] = UInt8(ascii: "T")
            put(Int(s / 3600), 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(Int(s / 60 % 60), 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(Int(s % 60), 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(Int(ms), 3, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

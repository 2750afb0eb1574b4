public import Storage
public import BaohaoSupport

/// Per-day counters (UTC days) behind /stats: messages, misses, clarifying questions,
/// labelled examples and alerts. One upsert per event, in the event's transaction.
public enum DailyCounts {
    public enum Metric: String, Sendable, CaseIterable {
        case messages, misses, clarify, labels, alerts
    }

    public static func increment(_ db: any Connection, _ metric: Metric, at now: Instant, by amount: Int = 1) throws {
        try db.execute(
            "INSERT INTO daily_counts (day, metric, count) VALUES (?, ?, ?) ON CONFLICT (day, metric) DO UPDATE SET count = daily_counts.count + excluded.count",
            String(now.description.prefix(10)), metric.rawValue, Int64(amount))
    }

    /// The counts of the `days` days ending with `now`'s day, oldest first.
    public static func series(_ db: any Connection, _ metric: Metric, days: Int, endingAt now: Instant) throws -> [Int] {
        let today = CivilDate(iso: now.description.prefix(10)) ?? CivilDate(daysSinceEpoch: 0)
        let first = today.adding(days: -(days - 1))
        var counts = [Int](repeating: 0, count: days)
        for (day, count) in try db.query(
            "SELECT day, count FROM daily_counts WHERE metric = ? AND day >= ? AND day <= ?", metric.rawValue, first.description, today.description,
            map: { ($0.string(0), Int($0.int64(1))) })
        {
            if let date = CivilDate(iso: day) {
                let index = Int(date.daysSinceEpoch - first.daysSinceEpoch)
                if counts.indices.contains(index) { counts[index] = count }
            }
        }
        return counts
    }

    /// `▁▂▅█` bars scaled to the largest value (all `▁` when everything is 0).
    public static func sparkline(_ values: [Int]) -> String {
        let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let top = values.max() ?? 0
        return String(values.map { top == 0 ? bars[0] : bars[min(7, ($0 * 7 + top / 2) / top)] })
    }
}

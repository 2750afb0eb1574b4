import BaohaoSupport

/// `/healthz`'s verdict: each check with the figures it judged, healthy only when every
/// check passes (`HealthThresholds` says when one fails). Pure: made from the facts the
/// services published and the time now.
public struct HealthReport: Sendable, Equatable {
    /// One figure of a check: a number of seconds, a count, a text or a flag; nil is `null`
    /// ("not yet", "none").
    public enum Value: Sendable, Equatable {
        case seconds(Double?)
        case count(Int?)
        case text(String?)
        case flag(Bool)
    }

    /// One thing judged.
    public struct Check: Sendable, Equatable {
        /// `poll_loop`, `get_updates`, `database`, `telegram_api` or `outbox`.
        public let name: String
        public let ok: Bool
        /// The figures, in the order they are shown.
        public let figures: [Figure]

        init(name: String, ok: Bool, figures: KeyValuePairs<String, Value>) {
            self.name = name
            self.ok = ok
            self.figures = figures.map { Figure(name: $0.key, value: $0.value) }
        }
    }

    /// A named figure of a check.
    public struct Figure: Sendable, Equatable {
        public let name: String
        public let value: Value
    }

    public let uptimeSeconds: Double
    public let checks: [Check]

    /// True when every check passes: `/healthz` answers 200, otherwise 503.
    public var healthy: Bool { checks.allSatisfy(\.ok) }
    /// The names of the checks that fail.
    public var failing: [String] { checks.filter { !$0.ok }.map(\.name) }

    /// Judges `facts` at `now` (monotonic seconds since the monitor started, so also the uptime).
    init(facts f: HealthFacts, now: Double, thresholds t: HealthThresholds) {
        uptimeSeconds = now
        /// Seconds since `at`; nil when it never happened.
        func age(_ at: Double?) -> Double? { at.map { max(0, now - $0) } }
        /// Whether what happened at `at` (or, if never, the start) is recent enough.
        func fresh(_ at: Double?, within limit: Double) -> Bool { (age(at) ?? now) <= limit }

        let outboxAge = f.oldestPendingAge(at: now)
        checks = [
            Check(name: "poll_loop", ok: fresh(f.pollIterationAt, within: t.pollLoopStallSeconds), figures: [
                "last_iteration_age_seconds": .seconds(age(f.pollIterationAt)), "limit_seconds": .seconds(t.pollLoopStallSeconds),
            ]),
            Check(name: "get_updates", ok: fresh(f.getUpdatesSuccessAt, within: t.getUpdatesStaleSeconds), figures: [
                "last_success_age_seconds": .seconds(age(f.getUpdatesSuccessAt)), "limit_seconds": .seconds(t.getUpdatesStaleSeconds),
            ]),
            Check(name: "database", ok: f.probeError == nil && fresh(f.probeSuccessAt, within: t.databaseStaleSeconds), figures: [
                "writable": .flag(f.probeError == nil && f.probeSuccessAt != nil), "last_write_probe_age_seconds": .seconds(age(f.probeSuccessAt)),
                "limit_seconds": .seconds(t.databaseStaleSeconds), "last_error": .text(f.probeError),
            ]),
            Check(name: "telegram_api", ok: f.apiConsecutiveFailures < t.apiFailureLimit, figures: [
                "reachable": .flag(f.apiConsecutiveFailures < t.apiFailureLimit), "consecutive_failures": .count(f.apiConsecutiveFailures),
                "failure_limit": .count(t.apiFailureLimit), "last_answer_age_seconds": .seconds(age(f.apiAnsweredAt)), "last_error": .text(f.apiLastError),
            ]),
            Check(name: "outbox", ok: (outboxAge ?? 0) <= t.outboxStaleSeconds, figures: [
                "pending": .count(f.figures?.outboxPending), "oldest_pending_age_seconds": .seconds(outboxAge),
                "limit_seconds": .seconds(t.outboxStaleSeconds), "read_age_seconds": .seconds(age(f.figures?.at)),
            ]),
        ]
    }

    /// The report as a JSON object, one check per line:
    /// `{"status": "ok" | "unhealthy", "uptime_seconds", "failing": [...], "checks": {...}}`.
    /// Seconds have millisecond precision.
    public var json: String {
        func render(_ value: Value) -> String {
            switch value {
            case .seconds(let s): s.map { Metrics.number(($0 * 1000).rounded() / 1000) } ?? "null"
            case .count(let n): n.map(String.init) ?? "null"
            case .text(let t): t.map(JSONText.quoted) ?? "null"
            case .flag(let b): String(b)
            }
        }
        let lines = checks.map { check in
            let figures = [("ok", render(.flag(check.ok)))] + check.figures.map { ($0.name, render($0.value)) }
            return "    \(JSONText.quoted(check.name)): {" + figures.map { "\(JSONText.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        return """
            {
              "status": \(healthy ? "\"ok\"" : "\"unhealthy\""),
              "uptime_seconds": \(render(.seconds(uptimeSeconds))),
              "failing": [\(failing.map(JSONText.quoted).joined(separator: ", "))],
              "checks": {
            \(lines.joined(separator: ",\n"))
              }
            }

            """
    }
}

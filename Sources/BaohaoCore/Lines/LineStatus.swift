public import BaohaoSupport

/// Where a line stands. Derived from its expiry date and its carrier's policy at an
/// instant, except `cancelled` and `porting_out`, which come from requests.
public enum LineStatus: String, Sendable, CaseIterable, Codable {
    case active
    /// Inside the carrier's first alert lead time before expiry.
    case expiringSoon = "expiring_soon"
    /// Past expiry; a normal top-up still restores the number.
    case grace
    /// Past the grace period; restoring needs the carrier's support, if it is possible at all.
    case suspended
    /// The number is gone (terminal).
    case recycled
    /// Ended at the customer's request (terminal).
    case cancelled
    /// A port-out is in flight.
    case portingOut = "porting_out"

    /// No renewal can bring the line back.
    public var isTerminal: Bool { self == .recycled || self == .cancelled }
}

/// A request that overrides the derived status.
public enum LineRequestState: String, Sendable, Codable {
    case cancelPending = "cancel_pending"
    case cancelled
    case portingOut = "porting_out"
}

/// The status rule: a pure function of dates and policy.
public enum LineStatusRule {
    /// The status on `today` (a date in the carrier's time zone) of a line valid through
    /// `expiresOn`. Day k after expiry (k = 1 is the day after) is `grace` for
    /// 1 ≤ k ≤ graceDays, `suspended` up to recycleAfterDays, then `recycled`.
    public static func status(
        expiresOn: CivilDate, today: CivilDate, graceDays: Int, recycleAfterDays: Int, firstLeadDays: Int,
        request: LineRequestState?
    ) -> LineStatus {
        switch request {
        case .cancelled?: return .cancelled
        case .portingOut?: return .portingOut
        case .cancelPending?, nil: break
        }
        let daysLeft = today.days(until: expiresOn)
        if daysLeft >= 0 { return daysLeft <= firstLeadDays ? .expiringSoon : .active }
        let past = -daysLeft
        if past <= graceDays { return .grace }
        if past <= recycleAfterDays { return .suspended }
        return .recycled
    }

    /// `status(...)` for a carrier at an instant.
    public static func status(expiresOn: CivilDate, carrier: Carrier, at instant: Instant, request: LineRequestState?) -> LineStatus {
        let today = instant.date(inTimeZone: carrier.timeZone) ?? CivilDate(daysSinceEpoch: instant.millisecondsSinceEpoch / 86_400_000)
        return status(
            expiresOn: expiresOn, today: today, graceDays: carrier.graceDays, recycleAfterDays: carrier.recycleAfterDays,
            firstLeadDays: carrier.alertLeadDays.first ?? 0, request: request)
    }
}

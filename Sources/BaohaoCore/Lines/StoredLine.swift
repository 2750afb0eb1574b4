import Storage
import Understanding
import BaohaoSupport

extension LineActor {
    var isChat: Bool { if case .chat = self { true } else { false } }
}

/// A line's row.
struct StoredLine: Sendable {
    let id: Int64
    let number: String
    let carrier: String
    let plan: String
    let balanceMinor: Int64
    let currency: String
    let expiresOn: CivilDate
    let autoRenew: Bool
    let note: String
    let request: LineRequestState?

    static func columns(_ alias: String) -> String {
        ["id", "number", "carrier", "plan", "balance_minor", "currency", "expires_on", "auto_renew", "note", "request"]
            .map { "\(alias).\($0)" }.joined(separator: ", ")
    }

    init(row: Row) {
        id = row.int64(0)
        number = row.string(1)
        carrier = row.string(2)
        plan = row.string(3)
        balanceMinor = row.int64(4)
        currency = row.string(5)
        expiresOn = CivilDate(iso: row.string(6)) ?? CivilDate(daysSinceEpoch: 0)
        autoRenew = row.bool(7)
        note = row.string(8)
        request = row.optionalString(9).flatMap(LineRequestState.init(rawValue:))
    }

    var balance: Money { Money(minorUnits: balanceMinor, currency: currency) }

    func status(at now: Instant, carrier: Carrier) -> LineStatus {
        LineStatusRule.status(expiresOn: expiresOn, carrier: carrier, at: now, request: request)
    }

    func view(at now: Instant, catalogue: CarrierCatalogue) -> LineView {
        let known = catalogue.carrier(carrier)
        let today = known.flatMap { now.date(inTimeZone: $0.timeZone) } ?? CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000)
        let status =
            known.map { LineStatusRule.status(expiresOn: expiresOn, carrier: $0, at: now, request: request) }
            ?? LineStatusRule.status(expiresOn: expiresOn, today: today, graceDays: 0, recycleAfterDays: 0, firstLeadDays: 0, request: request)
        return LineView(
            number: PhoneNumber(stored: number), carrier: carrier, plan: plan, balanceMinor: balanceMinor,
            currency: currency, expiresOn: expiresOn, autoRenew: autoRenew, status: status, request: request, daysLeft: today.days(until: expiresOn),
            note: note)
    }
}

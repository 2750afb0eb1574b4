import Understanding
import BaohaoSupport

/// How a line reads in a reply: its card (number masked, carrier, balance, expiry, days
/// left, status), the buttons that pick one, and its carrier's payment methods.
extension TurnContext {
    func daysText(_ days: Int) -> String {
        switch days {
        case 0: t(.daysToday)
        case 1: t(.daysOneLeft)
        case 2...: t(.daysLeft, ["n": String(days)])
        default: t(.daysAgo, ["n": String(-days)])
        }
    }

    func statusText(_ line: LineView) -> String {
        label(Self.statusKey(line.status)) + (line.request == .cancelPending ? " " + label(.statusCancelPending) : "")
    }

    /// The label a line's status reads as (the customer's card and the operators' ticket card).
    static func statusKey(_ status: LineStatus) -> ReplyKey {
        switch status {
        case .active: .statusActive
        case .expiringSoon: .statusExpiringSoon
        case .grace: .statusGrace
        case .suspended: .statusSuspended
        case .recycled: .statusRecycled
        case .cancelled: .statusCancelled
        case .portingOut: .statusPortingOut
        }
    }

    func card(_ line: LineView) -> String {
        t(.balanceCard, [
            "number": line.number.maskedForDisplay, "carrier": carrierName(line.carrier), "balance": line.balance.display,
            "expires": line.expiresOn.description, "days": daysText(line.daysLeft), "status": statusText(line),
        ])
    }

    /// One button per line (at most 8) for `purpose`, and "all of them" when `all`.
    func linePicker(_ lines: [LineView], for purpose: LinePurpose, all: Bool) -> [[OutboundButton]] {
        var rows = lines.prefix(8).map { [OutboundButton("\($0.number.maskedForDisplay) · \(carrierName($0.carrier))", .line(purpose, .number($0.number)))] }
        if all { rows.append([OutboundButton(label(.balanceAll), .line(purpose, .all))]) }
        return rows
    }

    /// A carrier's payment methods by name.
    func paymentMethodNames(_ carrier: Carrier) -> String {
        listed(carrier.paymentMethods.map { label(ReplyKey(rawValue: "method.\($0)") ?? .methodCard) })
    }
}

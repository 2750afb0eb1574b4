import BaohaoCore
import BaohaoSupport

/// The operators' table of lines.
enum LinesTable {
    static func render(_ lines: [LineView]) -> String {
        var rows = [["NUMBER", "CARRIER", "PLAN", "BALANCE", "EXPIRES", "DAYS", "STATUS", "AUTO"]]
        for l in lines {
            rows.append([
                l.number.e164, l.carrier, l.plan, l.balance.display, l.expiresOn.description, String(l.daysLeft),
                l.status.rawValue + (l.request == .cancelPending ? "*" : ""), l.autoRenew ? "on" : "off",
            ])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func days(_ left: Int) -> String {
        switch left {
        case 0: "expires today"
        case 1...: "\(left) day\(left == 1 ? "" : "s") left"
        default: "expired \(-left) day\(left == -1 ? "" : "s") ago"
        }
    }
}

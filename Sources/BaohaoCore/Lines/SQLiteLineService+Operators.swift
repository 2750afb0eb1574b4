import Storage
import Understanding
import BaohaoSupport

/// What an import did.
public struct LineImportSummary: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
}

/// Which lines an operator lists.
public struct LineFilter: Sendable, Equatable {
    public var status: LineStatus?
    /// Only lines whose expiry is at most this many days away (including expired ones).
    public var expiringWithinDays: Int?

    public init(status: LineStatus? = nil, expiringWithinDays: Int? = nil) {
        self.status = status
        self.expiringWithinDays = expiringWithinDays
    }
}

extension SQLiteLineService {
    /// Creates or updates (by number) every row, in one transaction: all rows land or none.
    /// Each created or changed line gets its ledger row; `progress(done, total)` is called
    /// every `progressEvery` rows.
    public func importLines(
        _ rows: [LineImportRow], by actor: LineActor, progressEvery: Int = 1000, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> LineImportSummary {
        try await writing { try $0.importLines(rows, by: actor, progressEvery: progressEvery, progress: progress) }
    }

    /// Lines matching `filter`, with status now, ordered by expiry.
    public func list(_ filter: LineFilter = LineFilter()) async throws -> [LineView] {
        try await reading { try $0.lines(matching: filter) }
    }
}

extension LineSession {
    /// `SQLiteLineService.importLines` in the caller's transaction.
    func importLines(_ rows: [LineImportRow], by actor: LineActor, progressEvery: Int, progress: (Int, Int) -> Void) throws -> LineImportSummary {
        var summary = LineImportSummary()
        for (i, row) in rows.enumerated() {
            if i > 0, i % progressEvery == 0 { progress(i, rows.count) }
            let existing = try db.queryFirst(
                "SELECT \(StoredLine.columns("l")) FROM lines l WHERE l.number = ?", row.number.e164, map: StoredLine.init)
            guard let existing else {
                let lineID = try db.queryFirst(
                    """
                    INSERT INTO lines (number, carrier, plan, balance_minor, currency, expires_on, auto_renew, note, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    RETURNING id
                    """,
                    row.number.e164, row.carrier, row.plan, row.balance.minorUnits, row.balance.currency, row.expiresOn.description,
                    row.autoRenew, row.note, now.description, now.description, map: { $0.int64(0) })!
                try appendLedger(
                    line: nil, lineID: lineID, actor: actor, reason: "imported", reference: nil,
                    delta: row.balance.minorUnits, balanceAfter: row.balance.minorUnits, currency: row.balance.currency,
                    expiresAfter: row.expiresOn, requestAfter: nil, detail: "created from line \(row.line) of the import")
                summary.created += 1
                continue
            }
            var changes: [String] = []
            if existing.carrier != row.carrier { changes.append("carrier \(existing.carrier)→\(row.carrier)") }
            if existing.plan != row.plan { changes.append("plan \(existing.plan)→\(row.plan)") }
            if existing.balanceMinor != row.balance.minorUnits || existing.currency != row.balance.currency {
                changes.append("balance \(existing.balance.decimalString) \(existing.currency)→\(row.balance.decimalString) \(row.balance.currency)")
            }
            if existing.expiresOn != row.expiresOn { changes.append("expiry \(existing.expiresOn)→\(row.expiresOn)") }
            if existing.autoRenew != row.autoRenew { changes.append("auto-renew \(existing.autoRenew ? "on" : "off")→\(row.autoRenew ? "on" : "off")") }
            if existing.note != row.note { changes.append("note") }
            guard !changes.isEmpty else { summary.unchanged += 1; continue }
            try db.execute(
                """
                UPDATE lines SET carrier = ?, plan = ?, balance_minor = ?, currency = ?, expires_on = ?, auto_renew = ?, note = ?, updated_at = ?
                WHERE id = ?
                """,
                row.carrier, row.plan, row.balance.minorUnits, row.balance.currency, row.expiresOn.description, row.autoRenew, row.note,
                now.description, existing.id)
            let delta = existing.currency == row.balance.currency ? row.balance.minorUnits - existing.balanceMinor : row.balance.minorUnits
            try appendLedger(
                line: existing, actor: actor, reason: "import_update", reference: nil, delta: delta,
                balanceAfter: row.balance.minorUnits, currency: row.balance.currency, expiresAfter: row.expiresOn,
                requestAfter: existing.request, detail: "line \(row.line) of the import: " + changes.joined(separator: ", "))
            summary.updated += 1
        }
        progress(rows.count, rows.count)
        return summary
    }

    /// Lines matching `filter`, with status now, ordered by expiry.
    func lines(matching filter: LineFilter) throws -> [LineView] {
        var sql = "SELECT \(StoredLine.columns("l")) FROM lines l"
        var arguments: [any DatabaseValueConvertible] = []
        if let days = filter.expiringWithinDays {
            // Carrier zones are at most a day apart from UTC: narrow in SQL, decide per line.
            let latest = CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000).adding(days: days + 1)
            sql += " WHERE l.expires_on <= ?"
            arguments.append(latest.description)
        }
        sql += " ORDER BY l.expires_on, l.number"
        return try db.query(sql, arguments: arguments, map: StoredLine.init)
            .map { $0.view(at: now, catalogue: catalogue) }
            .filter { view in
                if let status = filter.status, view.status != status { return false }
                if let days = filter.expiringWithinDays, view.daysLeft > days || view.status.isTerminal { return false }
                return true
            }
    }
}

import Understanding

/// `/stats` (day and week counts, clarify rate, 14-day sparklines) and `/op` (who else is an operator).
extension OperatorConsole {
    func stats() throws -> Reply {
        let c = context
        func total(_ metric: DailyCounts.Metric, _ days: Int) throws -> Int { try DailyCounts.series(c.db, metric, days: days, endingAt: c.now).reduce(0, +) }
        var rows: [String] = []
        for days in [1, 7] {
            let messages = try total(.messages, days), clarify = try total(.clarify, days)
            let rate = messages == 0 ? "—" : String(Int((Double(clarify) / Double(messages) * 100).rounded())) + "%"
            rows.append(
                c.t(.adminStatsRow, [
                    "days": String(days), "messages": String(messages), "labels": String(try total(.labels, days)), "misses": String(try total(.misses, days)),
                    "clarify": rate, "alerts": String(try total(.alerts, days)),
                ]))
        }
        let messages = try DailyCounts.series(c.db, .messages, days: 14, endingAt: c.now), misses = try DailyCounts.series(c.db, .misses, days: 14, endingAt: c.now)
        return Reply(
            html: c.t(.adminStats, [
                "rows": rows.joined(separator: "\n"), "messages": DailyCounts.sparkline(messages), "misses": DailyCounts.sparkline(misses),
            ], html: ["rows"]))
    }

    func operators(_ argument: String) throws -> Reply {
        let c = context
        let words = argument.split(separator: " ").map(String.init)
        let configured = c.settings.operators
        switch (words.first?.lowercased(), words.count > 1 ? Int64(words[1]) : nil) {
        case ("add", let user?):
            if try OperatorRoles.add(c.db, user: user, by: c.author, at: c.now) {
                try OperatorRoles.audit(c.db, actor: c.author, action: "op.add", detail: String(user), at: c.now)
            }
            return Reply(html: c.t(.adminOpAdded, ["user": String(user)]))
        case ("remove", let user?):
            if configured.contains(user) { return Reply(html: c.t(.adminOpConfigured, ["user": String(user)])) }
            if try OperatorRoles.remove(c.db, user: user) {
                try OperatorRoles.audit(c.db, actor: c.author, action: "op.remove", detail: String(user), at: c.now)
            }
            return Reply(html: c.t(.adminOpRemoved, ["user": String(user)]))
        default:
            let stored = try OperatorRoles.stored(c.db).map { "\($0.user) (\($0.addedBy))" }
            let all = configured.sorted().map { "\($0) (config)" } + stored
            return Reply(html: c.t(.adminOpList, ["body": all.joined(separator: "\n")]))
        }
    }
}

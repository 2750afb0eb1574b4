import FoundationEssentials
public import Storage
import Understanding
public import BaohaoSupport

/// The line operations on one database connection, inside the caller's transaction, at
/// one instant. The assistant uses it so that a customer's message, the line changes it
/// causes and the replies it produces commit together; `SQLiteLineService` wraps each
/// call in a transaction of its own.
public struct LineSession {
    public let db: any Connection
    public let catalogue: CarrierCatalogue
    public let now: Instant

    public init(db: any Connection, catalogue: CarrierCatalogue, now: Instant) {
        self.db = db
        self.catalogue = catalogue
        self.now = now
    }

    // MARK: - Reading

    /// The lines `actor` may see (a chat: the ones it has bound), with their status now.
    public func lines(visibleTo actor: LineActor) throws -> [LineView] {
        let rows: [StoredLine]
        switch actor {
        case .chat(let chat):
            rows = try db.query(
                "SELECT \(StoredLine.columns("l")) FROM lines l JOIN bindings b ON b.line_id = l.id WHERE b.chat_id = ? ORDER BY l.number", chat,
                map: StoredLine.init)
        case .operator, .system:
            rows = try db.query("SELECT \(StoredLine.columns("l")) FROM lines l ORDER BY l.number", map: StoredLine.init)
        }
        return rows.map { $0.view(at: now, catalogue: catalogue) }
    }

    /// One line, if `actor` may see it.
    public func line(_ number: PhoneNumber, visibleTo actor: LineActor) throws -> LineView {
        try visibleLine(number, actor).view(at: now, catalogue: catalogue)
    }

    /// The line's ledger, oldest first.
    public func ledger(_ number: PhoneNumber, visibleTo actor: LineActor) throws -> [LedgerEntry] {
        let line = try visibleLine(number, actor)
        return try db.query(
            """
            SELECT at, actor, reason, reference, balance_delta_minor, balance_after_minor, currency, expires_before,
                   expires_after, request_before, request_after, detail
            FROM ledger WHERE line_id = ? ORDER BY id
            """, line.id
        ) { row in
            LedgerEntry(
                at: Instant(iso: row.string(0)) ?? Instant(millisecondsSinceEpoch: 0), actor: row.string(1), reason: row.string(2),
                reference: row.optionalString(3), balanceDeltaMinor: row.int64(4), balanceAfterMinor: row.int64(5),
                currency: row.string(6), expiresBefore: row.optionalString(7).flatMap { CivilDate(iso: $0) },
                expiresAfter: CivilDate(iso: row.string(8)) ?? CivilDate(daysSinceEpoch: 0), requestBefore: row.optionalString(9),
                requestAfter: row.optionalString(10), detail: row.string(11))
        }
    }

    /// The prices and resulting expiry of each way to renew.
    public func quote(_ number: PhoneNumber, visibleTo actor: LineActor) throws -> [RenewalQuote] {
        let line = try visibleLine(number, actor)
        let (carrier, plan) = try policy(line)
        guard let today = now.date(inTimeZone: carrier.timeZone) else { throw LineError.unknownCarrier(carrier.id) }
        return RenewalRule.quote(carrier: carrier, plan: plan, expiresOn: line.expiresOn, today: today)
    }

    /// The chats a line is bound to.
    public func chats(boundTo number: PhoneNumber) throws -> [Int64] {
        try db.query(
            "SELECT b.chat_id FROM bindings b JOIN lines l ON l.id = b.line_id WHERE l.number = ? ORDER BY b.chat_id", number.e164
        ) { $0.int64(0) }
    }

    /// Lines that expired yesterday (UTC) on a carrier with a grace period, and so entered it
    /// in the last day; lines with a pending request are left out.
    public func countEnteredGraceYesterday() throws -> Int {
        let yesterday = CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000).adding(days: -1)
        return try catalogue.carriers.filter { $0.graceDays > 0 }.reduce(0) { total, carrier in
            total + (try db.queryFirst(
                "SELECT count(*) FROM lines WHERE carrier = ? AND expires_on = ? AND request IS NULL", carrier.id, yesterday.description
            ) { $0.int(0) } ?? 0)
        }
    }

    /// Expired lines (no pending request) that their carrier recycles within `days` days (UTC):
    /// a line is recycled on day `recycle_after + 1` after its expiry.
    public func countNearRecycling(withinDays days: Int) throws -> Int {
        let today = CivilDate(daysSinceEpoch: now.millisecondsSinceEpoch / 86_400_000)
        return try catalogue.carriers.reduce(0) { total, carrier in
            let earliest = today.adding(days: -(carrier.recycleAfterDays + 1)), latest = earliest.adding(days: days)
            return total + (try db.queryFirst(
                "SELECT count(*) FROM lines WHERE carrier = ? AND expires_on > ? AND expires_on <= ? AND expires_on < ? AND request IS NULL", carrier.id,
                earliest.description, latest.description, today.description
            ) { $0.int(0) } ?? 0)
        }
    }

    // MARK: - Changing

    /// `paymentNote`: how it was paid (the charge ids of a payment in the chat), kept in the ledger row.
    public func renew(_ number: PhoneNumber, _ choice: RenewalChoice, reference: String, by actor: LineActor, paymentNote: String? = nil) throws -> RenewalReceipt {
        try once(reference: reference, kind: "renew", fingerprint: "renew|\(number)|\(choice)") {
            let line = try visibleLine(number, actor)
            let (carrier, plan) = try policy(line)
            try requireChangeable(line, carrier: carrier)
            let today = now.date(inTimeZone: carrier.timeZone)!
            let effect: RenewalEffect
            do throws(RenewalRefusal) { effect = try RenewalRule.effect(of: choice, carrier: carrier, plan: plan, expiresOn: line.expiresOn, today: today) } catch {
                throw LineError.refused(error)
            }
            guard let balance = line.balance.adding(effect.balanceDelta) else {
                throw LineError.refused(.wrongCurrency(effect.balanceDelta, expected: line.currency))
            }
            try db.execute(
                "UPDATE lines SET balance_minor = ?, expires_on = ?, updated_at = ? WHERE id = ?",
                balance.minorUnits, effect.newExpiry.description, now.description, line.id)
            if effect.newExpiry != line.expiresOn {
                // Reminders about the old expiry that have not gone out yet are moot now.
                try AlertScheduler.cancelQueued(db, line: line.id, keepingExpiry: effect.newExpiry)
            }
            let reason = if case .option = choice { "renewal" } else { "top_up" }
            try appendLedger(
                line: line, actor: actor, reason: reason, reference: reference, delta: effect.balanceDelta.minorUnits,
                balanceAfter: balance.minorUnits, expiresAfter: effect.newExpiry, requestAfter: line.request,
                detail: "\(choice), paid \(effect.price.display): \(effect.explanation)" + (paymentNote.map { "; " + $0 } ?? ""))
            return RenewalReceipt(
                reference: reference, number: number, choice: choice, priceMinor: effect.price.minorUnits, currency: effect.price.currency,
                previousExpiry: line.expiresOn, newExpiry: effect.newExpiry, balanceAfterMinor: balance.minorUnits,
                explanation: effect.explanation)
        }
    }

    /// Records the refund of a payment for `number` (a ledger row; the balance and expiry are
    /// left as they are: taking back a renewal is the operators' call). Once per reference.
    public func recordRefund(_ number: PhoneNumber, reference: String, detail: String, by actor: LineActor) throws -> LedgerEntry {
        try once(reference: reference, kind: "refund", fingerprint: "refund|\(number)") {
            let line = try db.queryFirst("SELECT \(StoredLine.columns("l")) FROM lines l WHERE l.number = ?", number.e164, map: StoredLine.init)
            guard let line else { throw LineError.notFound(number.e164) }
            try appendLedger(
                line: line, actor: actor, reason: "refund", reference: reference, delta: 0, balanceAfter: line.balanceMinor, expiresAfter: line.expiresOn,
                requestAfter: line.request, detail: String(detail.prefix(500)))
            return LedgerEntry(
                at: now, actor: actor.description, reason: "refund", reference: reference, balanceDeltaMinor: 0, balanceAfterMinor: line.balanceMinor,
                currency: line.currency, expiresBefore: line.expiresOn, expiresAfter: line.expiresOn, requestBefore: line.request?.rawValue,
                requestAfter: line.request?.rawValue, detail: String(detail.prefix(500)))
        }
    }

    /// Records that an automatic renewal charge failed (from an operator or a payment hook):
    /// a ledger row, which the alert scheduler turns into an immediate reminder.
    public func recordAutoRenewFailure(_ number: PhoneNumber, reason: String, reference: String, by actor: LineActor) throws -> LedgerEntry {
        try once(reference: reference, kind: "auto-renew-failed", fingerprint: "auto-renew-failed|\(number)|\(reason)") {
            let line = try visibleLine(number, actor)
            try appendLedger(
                line: line, actor: actor, reason: "auto_renew_failed", reference: reference, delta: 0, balanceAfter: line.balanceMinor,
                expiresAfter: line.expiresOn, requestAfter: line.request, detail: String(reason.prefix(200)))
            return LedgerEntry(
                at: now, actor: actor.description, reason: "auto_renew_failed", reference: reference, balanceDeltaMinor: 0, balanceAfterMinor: line.balanceMinor,
                currency: line.currency, expiresBefore: line.expiresOn, expiresAfter: line.expiresOn, requestBefore: line.request?.rawValue,
                requestAfter: line.request?.rawValue, detail: String(reason.prefix(200)))
        }
    }

    /// Records a cancellation request (pending until an operator confirms it).
    public func requestCancellation(_ number: PhoneNumber, reference: String, by actor: LineActor) throws -> CancellationReceipt {
        try once(reference: reference, kind: "cancel", fingerprint: "cancel|\(number)") {
            let line = try visibleLine(number, actor)
            let (carrier, _) = try policy(line)
            if line.request != .cancelPending {
                try requireChangeable(line, carrier: carrier)
                try setRequest(line, .cancelPending, actor: actor, reason: "cancel_requested", reference: reference,
                    detail: "the carrier's refund rule was stated with the request")
            }
            return CancellationReceipt(
                reference: reference, number: number, state: .pending, refundRule: carrier.refundRule,
                balanceMinor: line.balanceMinor, currency: line.currency)
        }
    }

    /// An operator confirms a pending cancellation.
    public func confirmCancellation(_ number: PhoneNumber, reference: String, by actor: LineActor) throws -> CancellationReceipt {
        guard case .operator = actor else { throw LineError.operatorsOnly("confirm a cancellation") }
        return try once(reference: reference, kind: "cancel-confirm", fingerprint: "cancel-confirm|\(number)") {
            let line = try visibleLine(number, actor)
            let (carrier, _) = try policy(line)
            guard line.request == .cancelPending else { throw LineError.noPendingCancellation(number.e164) }
            try setRequest(line, .cancelled, actor: actor, reason: "cancelled", reference: reference, detail: "cancellation confirmed")
            return CancellationReceipt(
                reference: reference, number: number, state: .cancelled, refundRule: carrier.refundRule,
                balanceMinor: line.balanceMinor, currency: line.currency)
        }
    }

    public func requestPortOut(_ number: PhoneNumber, reference: String, by actor: LineActor) throws -> PortOutReceipt {
        try once(reference: reference, kind: "port-out", fingerprint: "port-out|\(number)") {
            let line = try visibleLine(number, actor)
            let (carrier, _) = try policy(line)
            if line.request != .portingOut {
                try requireChangeable(line, carrier: carrier)
                try setRequest(line, .portingOut, actor: actor, reason: "port_out_requested", reference: reference,
                    detail: "credential: \(carrier.portOutCredential.rawValue)")
            }
            return PortOutReceipt(reference: reference, number: number, credential: carrier.portOutCredential.rawValue, instructions: carrier.portOutText)
        }
    }

    /// An operator records how a port-out ended: done (the line is cancelled, ported out)
    /// or failed (the line is back to its dates' status).
    public func finishPortOut(_ number: PhoneNumber, succeeded: Bool, reference: String, by actor: LineActor) throws -> LineView {
        guard case .operator = actor else { throw LineError.operatorsOnly("record how a port-out ended") }
        return try once(reference: reference, kind: "port-out-finish", fingerprint: "port-out-finish|\(number)|\(succeeded)") {
            let line = try visibleLine(number, actor)
            guard line.request == .portingOut else { throw LineError.notPortingOut(number.e164) }
            try setRequest(line, succeeded ? .cancelled : nil, actor: actor, reason: succeeded ? "ported_out" : "port_out_failed", reference: reference, detail: "")
            return try visibleLine(number, actor).view(at: now, catalogue: catalogue)
        }
    }

    // MARK: - Shared steps

    /// The line, if it exists and `actor` may see it; otherwise `notFound`, whichever it was.
    func visibleLine(_ number: PhoneNumber, _ actor: LineActor) throws -> StoredLine {
        let line: StoredLine?
        switch actor {
        case .chat(let chat):
            line = try db.queryFirst(
                "SELECT \(StoredLine.columns("l")) FROM lines l JOIN bindings b ON b.line_id = l.id WHERE l.number = ? AND b.chat_id = ?",
                number.e164, chat, map: StoredLine.init)
        case .operator, .system:
            line = try db.queryFirst("SELECT \(StoredLine.columns("l")) FROM lines l WHERE l.number = ?", number.e164, map: StoredLine.init)
        }
        guard let line else { throw LineError.notFound(actor.isChat ? number.masked : number.e164) }
        return line
    }

    func policy(_ line: StoredLine) throws -> (Carrier, Plan) {
        guard let carrier = catalogue.carrier(line.carrier) else { throw LineError.unknownCarrier(line.carrier) }
        guard let plan = carrier.plan(line.plan) else { throw LineError.unknownPlan(carrier: line.carrier, plan: line.plan) }
        return (carrier, plan)
    }

    func requireChangeable(_ line: StoredLine, carrier: Carrier) throws {
        let status = line.status(at: now, carrier: carrier)
        if status.isTerminal { throw LineError.terminal(line.number, status) }
        if status == .portingOut { throw LineError.portingOut(line.number) }
    }

    func setRequest(_ line: StoredLine, _ request: LineRequestState?, actor: LineActor, reason: String, reference: String?, detail: String) throws {
        try db.execute("UPDATE lines SET request = ?, updated_at = ? WHERE id = ?", request?.rawValue, now.description, line.id)
        try appendLedger(
            line: line, actor: actor, reason: reason, reference: reference, delta: 0, balanceAfter: line.balanceMinor,
            expiresAfter: line.expiresOn, requestAfter: request, detail: detail)
    }

    func appendLedger(
        line: StoredLine?, lineID: Int64? = nil, actor: LineActor, reason: String, reference: String?, delta: Int64, balanceAfter: Int64,
        currency: String? = nil, expiresAfter: CivilDate, requestAfter: LineRequestState?, detail: String
    ) throws {
        try db.execute(
            """
            INSERT INTO ledger (line_id, at, actor, reason, reference, balance_delta_minor, balance_after_minor, currency,
                                expires_before, expires_after, request_before, request_after, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            lineID ?? line!.id, now.description, actor.description, reason, reference, delta, balanceAfter, currency ?? line!.currency,
            line?.expiresOn.description, expiresAfter.description, line?.request?.rawValue, requestAfter?.rawValue, detail)
    }

    /// Runs `body` once per reference, in a savepoint: a retry with the same request returns
    /// the stored result and changes nothing; the same reference for another request is refused.
    func once<R: Codable>(reference: String, kind: String, fingerprint: String, _ body: () throws -> R) throws -> R {
        guard !reference.trimmingSpaces.isEmpty else { throw LineError.emptyReference }
        return try db.transaction {
            if let stored = try db.queryFirst("SELECT fingerprint, result FROM operations WHERE reference = ?", reference, map: { ($0.string(0), $0.string(1)) }) {
                guard stored.0 == fingerprint else { throw LineError.referenceReused(reference, firstUse: stored.0) }
                return try JSONDecoder().decode(R.self, from: Data(stored.1.utf8))
            }
            let result = try body()
            let encoded = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
            try db.execute(
                "INSERT INTO operations (reference, kind, fingerprint, result, at) VALUES (?, ?, ?, ?, ?)", reference, kind, fingerprint, encoded,
                now.description)
            return result
        }
    }
}

import FoundationEssentials
import Storage
import Understanding

/// The embedded line store: lines, their ledger, operation references and bindings in the
/// bot's SQLite database. Each call is one transaction on the database's serial owner.
public final class SQLiteLineService: LineService {
    public let database: Database
    public let catalogue: CarrierCatalogue
    let clock: any WallClock

    /// Failed code attempts allowed per chat within `lockoutWindowSeconds` before a lockout.
    public static let maximumFailures = 5
    public static let lockoutWindowSeconds: Int64 = 3600
    public static let lockoutSeconds: Int64 = 3600

    public init(database: Database, catalogue: CarrierCatalogue, clock: any WallClock = SystemWallClock()) {
        self.database = database
        self.catalogue = catalogue
        self.clock = clock
    }

    // MARK: - Reading

    public func lines(visibleTo actor: LineActor) async throws -> [LineView] {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.read { db in
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
    }

    public func line(_ number: PhoneNumber, visibleTo actor: LineActor) async throws -> LineView {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.read { db in
            try Self.visibleLine(db, number, actor).view(at: now, catalogue: catalogue)
        }
    }

    public func ledger(_ number: PhoneNumber, visibleTo actor: LineActor) async throws -> [LedgerEntry] {
        try await database.read { db in
            let line = try Self.visibleLine(db, number, actor)
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
    }

    public func quote(_ number: PhoneNumber, visibleTo actor: LineActor) async throws -> [RenewalQuote] {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.read { db in
            let line = try Self.visibleLine(db, number, actor)
            let (carrier, plan) = try Self.policy(line, catalogue)
            guard let today = now.date(inTimeZone: carrier.timeZone) else { throw LineError.unknownCarrier(carrier.id) }
            return RenewalRule.quote(carrier: carrier, plan: plan, expiresOn: line.expiresOn, today: today)
        }
    }

    // MARK: - Changing

    public func renew(_ number: PhoneNumber, _ choice: RenewalChoice, reference: String, by actor: LineActor) async throws -> RenewalReceipt {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.write { db in
            try db.transaction {
                try Self.once(db, reference: reference, kind: "renew", fingerprint: "renew|\(number)|\(choice)", at: now) {
                    let line = try Self.visibleLine(db, number, actor)
                    let (carrier, plan) = try Self.policy(line, catalogue)
                    try Self.requireChangeable(line, carrier: carrier, at: now)
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
                    let reason = if case .option = choice { "renewal" } else { "top_up" }
                    try Self.appendLedger(
                        db, line: line, at: now, actor: actor, reason: reason, reference: reference, delta: effect.balanceDelta.minorUnits,
                        balanceAfter: balance.minorUnits, expiresAfter: effect.newExpiry, requestAfter: line.request,
                        detail: "\(choice), paid \(effect.price.display): \(effect.explanation)")
                    return RenewalReceipt(
                        reference: reference, number: number, choice: choice, priceMinor: effect.price.minorUnits, currency: effect.price.currency,
                        previousExpiry: line.expiresOn, newExpiry: effect.newExpiry, balanceAfterMinor: balance.minorUnits,
                        explanation: effect.explanation)
                }
            }
        }
    }

    public func requestCancellation(_ number: PhoneNumber, reference: String, by actor: LineActor) async throws -> CancellationReceipt {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.write { db in
            try db.transaction {
                try Self.once(db, reference: reference, kind: "cancel", fingerprint: "cancel|\(number)", at: now) {
                    let line = try Self.visibleLine(db, number, actor)
                    let (carrier, _) = try Self.policy(line, catalogue)
                    if line.request != .cancelPending {
                        try Self.requireChangeable(line, carrier: carrier, at: now)
                        try Self.setRequest(db, line, .cancelPending, at: now, actor: actor, reason: "cancel_requested", reference: reference,
                            detail: "the carrier's refund rule was stated with the request")
                    }
                    return CancellationReceipt(
                        reference: reference, number: number, state: .pending, refundRule: carrier.refundRule,
                        balanceMinor: line.balanceMinor, currency: line.currency)
                }
            }
        }
    }

    public func confirmCancellation(_ number: PhoneNumber, reference: String, by actor: LineActor) async throws -> CancellationReceipt {
        guard case .operator = actor else { throw LineError.operatorsOnly("confirm a cancellation") }
        let now = clock.now(), catalogue = self.catalogue
        return try await database.write { db in
            try db.transaction {
                try Self.once(db, reference: reference, kind: "cancel-confirm", fingerprint: "cancel-confirm|\(number)", at: now) {
                    let line = try Self.visibleLine(db, number, actor)
                    let (carrier, _) = try Self.policy(line, catalogue)
                    guard line.request == .cancelPending else { throw LineError.noPendingCancellation(number.e164) }
                    try Self.setRequest(db, line, .cancelled, at: now, actor: actor, reason: "cancelled", reference: reference, detail: "cancellation confirmed")
                    return CancellationReceipt(
                        reference: reference, number: number, state: .cancelled, refundRule: carrier.refundRule,
                        balanceMinor: line.balanceMinor, currency: line.currency)
                }
            }
        }
    }

    public func requestPortOut(_ number: PhoneNumber, reference: String, by actor: LineActor) async throws -> PortOutReceipt {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.write { db in
            try db.transaction {
                try Self.once(db, reference: reference, kind: "port-out", fingerprint: "port-out|\(number)", at: now) {
                    let line = try Self.visibleLine(db, number, actor)
                    let (carrier, _) = try Self.policy(line, catalogue)
                    if line.request != .portingOut {
                        try Self.requireChangeable(line, carrier: carrier, at: now)
                        try Self.setRequest(db, line, .portingOut, at: now, actor: actor, reason: "port_out_requested", reference: reference,
                            detail: "credential: \(carrier.portOutCredential.rawValue)")
                    }
                    return PortOutReceipt(reference: reference, number: number, credential: carrier.portOutCredential.rawValue, instructions: carrier.portOutText)
                }
            }
        }
    }

    public func finishPortOut(_ number: PhoneNumber, succeeded: Bool, reference: String, by actor: LineActor) async throws -> LineView {
        guard case .operator = actor else { throw LineError.operatorsOnly("record how a port-out ended") }
        let now = clock.now(), catalogue = self.catalogue
        return try await database.write { db in
            try db.transaction {
                try Self.once(db, reference: reference, kind: "port-out-finish", fingerprint: "port-out-finish|\(number)|\(succeeded)", at: now) {
                    let line = try Self.visibleLine(db, number, actor)
                    guard line.request == .portingOut else { throw LineError.notPortingOut(number.e164) }
                    let after: LineRequestState? = succeeded ? .cancelled : nil
                    try Self.setRequest(db, line, after, at: now, actor: actor, reason: succeeded ? "ported_out" : "port_out_failed", reference: reference, detail: "")
                    return try Self.visibleLine(db, number, actor).view(at: now, catalogue: catalogue)
                }
            }
        }
    }

    // MARK: - Binding

    public func issueBindingCode(for number: PhoneNumber, by actor: LineActor) async throws -> IssuedBindingCode {
        guard case .operator = actor else { throw LineError.operatorsOnly("issue binding codes") }
        let now = clock.now(), catalogue = self.catalogue
        var generator = SystemRandomNumberGenerator()
        let code = BindingCode.generate(using: &generator)
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let expires = now.adding(seconds: BindingCode.validitySeconds)
        return try await database.write { db in
            try db.transaction {
                let line = try Self.visibleLine(db, number, actor)
                let (carrier, _) = try Self.policy(line, catalogue)
                let status = line.status(at: now, carrier: carrier)
                if status.isTerminal { throw LineError.terminal(number.e164, status) }
                // A new code replaces any unused one for this line.
                try db.execute("UPDATE binding_codes SET used_at = ? WHERE line_id = ? AND used_at IS NULL", now.description, line.id)
                try db.execute(
                    "INSERT INTO binding_codes (line_id, salt, hash, issued_by, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    line.id, salt, BindingCode.hash(code: code, salt: salt), actor.description, now.description, expires.description)
                return IssuedBindingCode(code: code, number: number, expiresAt: expires)
            }
        }
    }

    public func redeemBindingCode(_ typed: String, chat: Int64) async throws -> BindingOutcome {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.write { db in
            try db.transaction {
                let lockedUntil = try db.queryFirst("SELECT until FROM binding_lockouts WHERE chat_id = ?", chat) { Instant(iso: $0.string(0)) } ?? nil
                if let lockedUntil, lockedUntil > now { return .lockedOut(until: lockedUntil) }
                var match: (code: Int64, line: Int64)?
                if let code = BindingCode.canonical(typed) {
                    let open = try db.query(
                        "SELECT id, line_id, salt, hash FROM binding_codes WHERE used_at IS NULL AND expires_at > ?", now.description
                    ) { row in (id: row.int64(0), line: row.int64(1), salt: row.blob(2), hash: row.blob(3)) }
                    for candidate in open where SHA256.constantTimeEqual(BindingCode.hash(code: code, salt: candidate.salt), candidate.hash) {
                        match = (candidate.id, candidate.line)
                    }
                }
                guard let match else {
                    try db.execute("INSERT INTO binding_failures (chat_id, at) VALUES (?, ?)", chat, now.description)
                    var windowStart = now.adding(seconds: -Self.lockoutWindowSeconds)
                    if let lockedUntil, lockedUntil > windowStart { windowStart = lockedUntil }
                    let failures = try db.queryFirst(
                        "SELECT count(*) FROM binding_failures WHERE chat_id = ? AND at > ?", chat, windowStart.description
                    ) { $0.int(0) } ?? 0
                    if failures >= Self.maximumFailures {
                        let until = now.adding(seconds: Self.lockoutSeconds)
                        try db.execute("INSERT OR REPLACE INTO binding_lockouts (chat_id, until) VALUES (?, ?)", chat, until.description)
                        return .lockedOut(until: until)
                    }
                    return .rejected(attemptsLeft: Self.maximumFailures - failures)
                }
                try db.execute("UPDATE binding_codes SET used_at = ?, used_by_chat = ? WHERE id = ?", now.description, chat, match.code)
                try db.execute("INSERT OR IGNORE INTO bindings (chat_id, line_id, bound_at) VALUES (?, ?, ?)", chat, match.line, now.description)
                let newlyBound = db.changes > 0
                guard let line = try db.queryFirst("SELECT \(StoredLine.columns("l")) FROM lines l WHERE l.id = ?", match.line, map: StoredLine.init) else {
                    throw LineError.notFound("?")
                }
                let view = line.view(at: now, catalogue: catalogue)
                return newlyBound ? .bound(view) : .alreadyBound(view)
            }
        }
    }

    public func unbind(_ number: PhoneNumber, chat: Int64) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                "DELETE FROM bindings WHERE chat_id = ? AND line_id = (SELECT id FROM lines WHERE number = ?)", chat, number.e164)
            return db.changes > 0
        }
    }

    /// The chats a line is bound to (for alerts and operators).
    public func chats(boundTo number: PhoneNumber) async throws -> [Int64] {
        try await database.read { db in
            try db.query(
                "SELECT b.chat_id FROM bindings b JOIN lines l ON l.id = b.line_id WHERE l.number = ? ORDER BY b.chat_id", number.e164
            ) { $0.int64(0) }
        }
    }

    // MARK: - Shared steps (run inside a transaction on the database's connection)

    /// The line, if it exists and `actor` may see it; otherwise `notFound`, whichever it was.
    static func visibleLine(_ db: Connection, _ number: PhoneNumber, _ actor: LineActor) throws -> StoredLine {
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

    static func policy(_ line: StoredLine, _ catalogue: CarrierCatalogue) throws -> (Carrier, Plan) {
        guard let carrier = catalogue.carrier(line.carrier) else { throw LineError.unknownCarrier(line.carrier) }
        guard let plan = carrier.plan(line.plan) else { throw LineError.unknownPlan(carrier: line.carrier, plan: line.plan) }
        return (carrier, plan)
    }

    static func requireChangeable(_ line: StoredLine, carrier: Carrier, at now: Instant) throws {
        let status = line.status(at: now, carrier: carrier)
        if status.isTerminal { throw LineError.terminal(line.number, status) }
        if status == .portingOut { throw LineError.portingOut(line.number) }
    }

    static func setRequest(
        _ db: Connection, _ line: StoredLine, _ request: LineRequestState?, at now: Instant, actor: LineActor, reason: String,
        reference: String?, detail: String
    ) throws {
        try db.execute("UPDATE lines SET request = ?, updated_at = ? WHERE id = ?", request?.rawValue, now.description, line.id)
        try appendLedger(
            db, line: line, at: now, actor: actor, reason: reason, reference: reference, delta: 0, balanceAfter: line.balanceMinor,
            expiresAfter: line.expiresOn, requestAfter: request, detail: detail)
    }

    static func appendLedger(
        _ db: Connection, line: StoredLine?, lineID: Int64? = nil, at now: Instant, actor: LineActor, reason: String, reference: String?,
        delta: Int64, balanceAfter: Int64, currency: String? = nil, expiresAfter: CivilDate, requestAfter: LineRequestState?, detail: String
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

    /// Runs `body` once per reference: a retry with the same request returns the stored
    /// result and changes nothing; the same reference for another request is refused.
    static func once<R: Codable>(
        _ db: Connection, reference: String, kind: String, fingerprint: String, at now: Instant, _ body: () throws -> R
    ) throws -> R {
        guard !reference.trimmingSpaces.isEmpty else { throw LineError.emptyReference }
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
            number: PhoneNumber(e164: number) ?? PhoneNumber(e164: "+12025550100")!, carrier: carrier, plan: plan, balanceMinor: balanceMinor,
            currency: currency, expiresOn: expiresOn, autoRenew: autoRenew, status: status, request: request, daysLeft: today.days(until: expiresOn),
            note: note)
    }
}

import Storage
import BaohaoSupport

extension LineSession {
    /// Failed code attempts allowed per chat within `lockoutWindowSeconds` before a lockout.
    public static let maximumFailures = 5
    public static let lockoutWindowSeconds: Int64 = 3600
    public static let lockoutSeconds: Int64 = 3600

    /// An operator issues a one-time code for the line; older unused codes stop working.
    public func issueBindingCode(for number: PhoneNumber, by actor: LineActor) throws -> IssuedBindingCode {
        guard case .operator = actor else { throw LineError.operatorsOnly("issue binding codes") }
        var generator = SystemRandomNumberGenerator()
        let code = BindingCode.generate(using: &generator)
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let expires = now.adding(seconds: BindingCode.validitySeconds)
        return try db.transaction {
            let line = try visibleLine(number, actor)
            let (carrier, _) = try policy(line)
            let status = line.status(at: now, carrier: carrier)
            if status.isTerminal { throw LineError.terminal(number.e164, status) }
            try db.execute("UPDATE binding_codes SET used_at = ? WHERE line_id = ? AND used_at IS NULL", now.description, line.id)
            try db.execute(
                "INSERT INTO binding_codes (line_id, salt, hash, issued_by, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                line.id, salt, BindingCode.hash(code: code, salt: salt), actor.description, now.description, expires.description)
            return IssuedBindingCode(code: code, number: number, expiresAt: expires)
        }
    }

    /// A chat redeems a code. Wrong, expired and used codes count as failures; five within an
    /// hour lock the chat out of binding for an hour.
    public func redeemBindingCode(_ typed: String, chat: Int64) throws -> BindingOutcome {
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
                    try db.execute(
                        "INSERT INTO binding_lockouts (chat_id, until) VALUES (?, ?) ON CONFLICT (chat_id) DO UPDATE SET until = excluded.until", chat,
                        until.description)
                    return .lockedOut(until: until)
                }
                return .rejected(attemptsLeft: Self.maximumFailures - failures)
            }
            try db.execute("UPDATE binding_codes SET used_at = ?, used_by_chat = ? WHERE id = ?", now.description, chat, match.code)
            try db.execute("INSERT INTO bindings (chat_id, line_id, bound_at) VALUES (?, ?, ?) ON CONFLICT (chat_id, line_id) DO NOTHING", chat, match.line, now.description)
            let newlyBound = db.changes > 0
            guard let line = try db.queryFirst("SELECT \(StoredLine.columns("l")) FROM lines l WHERE l.id = ?", match.line, map: StoredLine.init) else {
                throw LineError.notFound("?")
            }
            let view = line.view(at: now, catalogue: catalogue)
            return newlyBound ? .bound(view) : .alreadyBound(view)
        }
    }

    /// The chat lets go of a line; false when it was not bound.
    public func unbind(_ number: PhoneNumber, chat: Int64) throws -> Bool {
        try db.execute("DELETE FROM bindings WHERE chat_id = ? AND line_id = (SELECT id FROM lines WHERE number = ?)", chat, number.e164)
        return db.changes > 0
    }

    /// The number of line `lineID` when `chat` has it bound (a reminder's buttons carry the id); nil otherwise.
    public func boundNumber(lineID: Int64, chat: Int64) throws -> PhoneNumber? {
        try db.queryFirst(
            "SELECT l.number FROM lines l JOIN bindings b ON b.line_id = l.id WHERE l.id = ? AND b.chat_id = ?", lineID, chat
        ) { PhoneNumber(e164: $0.string(0)) } ?? nil
    }
}

public import Storage
import Understanding
public import BaohaoSupport

/// The embedded line store: lines, their ledger, operation references and bindings in the
/// bot's SQLite database. Each call is one transaction on the database's serial owner (the
/// operators' `lines` commands, the demo database); `LineSession` offers the same operations
/// inside a caller's transaction (the assistant: a message, the line changes it causes and
/// its replies commit together). Every change comes with its ledger rows; operations with a
/// reference are idempotent (a retry returns the first result and changes nothing).
public final class SQLiteLineService: Sendable {
    public let database: Database
    public let catalogue: CarrierCatalogue
    let clock: any WallClock

    public init(database: Database, catalogue: CarrierCatalogue, clock: any WallClock = SystemWallClock()) {
        self.database = database
        self.catalogue = catalogue
        self.clock = clock
    }

    /// Runs `body` on a session in one read transaction.
    func reading<T: Sendable>(_ body: @escaping @Sendable (LineSession) throws -> T) async throws -> T {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.read { db in try db.transaction(.deferred) { try body(LineSession(db: db, catalogue: catalogue, now: now)) } }
    }

    /// Runs `body` on a session in one write transaction.
    public func writing<T: Sendable>(_ body: @escaping @Sendable (LineSession) throws -> T) async throws -> T {
        let now = clock.now(), catalogue = self.catalogue
        return try await database.write { db in try db.transaction { try body(LineSession(db: db, catalogue: catalogue, now: now)) } }
    }

    public func lines(visibleTo actor: LineActor) async throws -> [LineView] { try await reading { try $0.lines(visibleTo: actor) } }

    public func line(_ number: PhoneNumber, visibleTo actor: LineActor) async throws -> LineView {
        try await reading { try $0.line(number, visibleTo: actor) }
    }

    public func ledger(_ number: PhoneNumber, visibleTo actor: LineActor) async throws -> [LedgerEntry] {
        try await reading { try $0.ledger(number, visibleTo: actor) }
    }

    public func quote(_ number: PhoneNumber, visibleTo actor: LineActor) async throws -> [RenewalQuote] {
        try await reading { try $0.quote(number, visibleTo: actor) }
    }

    public func renew(_ number: PhoneNumber, _ choice: RenewalChoice, reference: String, by actor: LineActor) async throws -> RenewalReceipt {
        try await writing { try $0.renew(number, choice, reference: reference, by: actor) }
    }

    public func requestCancellation(_ number: PhoneNumber, reference: String, by actor: LineActor) async throws -> CancellationReceipt {
        try await writing { try $0.requestCancellation(number, reference: reference, by: actor) }
    }

    public func confirmCancellation(_ number: PhoneNumber, reference: String, by actor: LineActor) async throws -> CancellationReceipt {
        try await writing { try $0.confirmCancellation(number, reference: reference, by: actor) }
    }

    public func requestPortOut(_ number: PhoneNumber, reference: String, by actor: LineActor) async throws -> PortOutReceipt {
        try await writing { try $0.requestPortOut(number, reference: reference, by: actor) }
    }

    public func finishPortOut(_ number: PhoneNumber, succeeded: Bool, reference: String, by actor: LineActor) async throws -> LineView {
        try await writing { try $0.finishPortOut(number, succeeded: succeeded, reference: reference, by: actor) }
    }

    public func issueBindingCode(for number: PhoneNumber, by actor: LineActor) async throws -> IssuedBindingCode {
        try await writing { try $0.issueBindingCode(for: number, by: actor) }
    }

    public func redeemBindingCode(_ typed: String, chat: Int64) async throws -> BindingOutcome {
        try await writing { try $0.redeemBindingCode(typed, chat: chat) }
    }

    public func unbind(_ number: PhoneNumber, chat: Int64) async throws -> Bool {
        try await writing { try $0.unbind(number, chat: chat) }
    }

    /// The chats a line is bound to (for alerts and operators).
    public func chats(boundTo number: PhoneNumber) async throws -> [Int64] {
        try await reading { try $0.chats(boundTo: number) }
    }
}

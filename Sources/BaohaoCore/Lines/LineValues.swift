public import Understanding
public import BaohaoSupport

/// Who asks for or makes a change: recorded in the ledger. A chat sees only the lines it
/// has bound; an operator sees every line.
public enum LineActor: Sendable, Equatable, CustomStringConvertible {
    case chat(Int64)
    case `operator`(String)
    case system(String)

    public var description: String {
        switch self {
        case .chat(let id): "chat:\(id)"
        case .operator(let name): "operator:\(name)"
        case .system(let what): "system:\(what)"
        }
    }
}

/// A line as a caller may see it, with its status at the instant it was read.
public struct LineView: Sendable, Equatable, Codable {
    public let number: PhoneNumber
    public let carrier: String
    public let plan: String
    public let balanceMinor: Int64
    public let currency: String
    /// Valid through this day, in the carrier's time zone.
    public let expiresOn: CivilDate
    public let autoRenew: Bool
    public let status: LineStatus
    public let request: LineRequestState?
    /// Days from today (carrier's zone) to expiry; negative once expired.
    public let daysLeft: Int
    public let note: String

    public var balance: Money { Money(minorUnits: balanceMinor, currency: currency) }
}

/// One row of a line's ledger: every change to balance, expiry or status has one.
public struct LedgerEntry: Sendable, Equatable, Codable {
    public let at: Instant
    public let actor: String
    public let reason: String
    public let reference: String?
    public let balanceDeltaMinor: Int64
    public let balanceAfterMinor: Int64
    public let currency: String
    public let expiresBefore: CivilDate?
    public let expiresAfter: CivilDate
    public let requestBefore: String?
    public let requestAfter: String?
    public let detail: String
}

/// The outcome of a renewal or top-up (returned again, unchanged, for a retried reference).
public struct RenewalReceipt: Sendable, Equatable, Codable {
    public let reference: String
    public let number: PhoneNumber
    public let choice: RenewalChoice
    public let priceMinor: Int64
    public let currency: String
    public let previousExpiry: CivilDate
    public let newExpiry: CivilDate
    public let balanceAfterMinor: Int64
    public let explanation: String
}

/// The state of a cancellation, and the carrier's refund rule stated as it is.
public struct CancellationReceipt: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable { case pending, cancelled }
    public let reference: String
    public let number: PhoneNumber
    public let state: State
    public let refundRule: LocalizedText
    public let balanceMinor: Int64
    public let currency: String
}

/// A recorded port-out request, with what the carrier needs.
public struct PortOutReceipt: Sendable, Equatable, Codable {
    public let reference: String
    public let number: PhoneNumber
    public let credential: String
    public let instructions: LocalizedText
}

/// A freshly issued binding code. The code itself is shown once and never stored.
public struct IssuedBindingCode: Sendable, Equatable {
    public let code: String
    public let number: PhoneNumber
    public let expiresAt: Instant
}

/// The outcome of a chat's attempt to redeem a code.
public enum BindingOutcome: Sendable, Equatable {
    case bound(LineView)
    /// Already bound to this chat: nothing changed.
    case alreadyBound(LineView)
    /// Wrong, expired or used code; `attemptsLeft` before the lockout.
    case rejected(attemptsLeft: Int)
    /// Too many failures: no attempt is checked until `until`.
    case lockedOut(until: Instant)
}

/// Everything that can go wrong in a line operation, with a message fit for an operator.
public enum LineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such line, or not one this caller may see (the two are indistinguishable).
    case notFound(String)
    case unknownCarrier(String)
    case unknownPlan(carrier: String, plan: String)
    case terminal(String, LineStatus)
    case portingOut(String)
    case refused(RenewalRefusal)
    /// The reference was used before for a different request.
    case referenceReused(String, firstUse: String)
    case noPendingCancellation(String)
    case notPortingOut(String)
    case emptyReference
    /// Only an operator may do this.
    case operatorsOnly(String)

    public var description: String {
        switch self {
        case .notFound(let n): "no line \(n) here"
        case .unknownCarrier(let c): "carrier '\(c)' is not in the catalogue"
        case .unknownPlan(let c, let p): "carrier '\(c)' has no plan '\(p)'"
        case .terminal(let n, let s): "line \(n) is \(s.rawValue); nothing can change it any more"
        case .portingOut(let n): "line \(n) is porting out; wait until the port completes or fails"
        case .refused(let r): r.description
        case .referenceReused(let ref, let first): "reference '\(ref)' was already used for a different request (\(first))"
        case .noPendingCancellation(let n): "line \(n) has no pending cancellation to confirm"
        case .notPortingOut(let n): "line \(n) has no port-out in progress"
        case .emptyReference: "an operation reference must not be empty"
        case .operatorsOnly(let what): "only an operator may \(what)"
        }
    }
}

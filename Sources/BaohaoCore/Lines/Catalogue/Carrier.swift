public import Understanding

/// How a carrier decides when a number expires.
public enum ValidityModel: Sendable, Equatable {
    /// A paid period; a renewal adds the option's days or months.
    case fixedCycle
    /// A top-up of at least a tier's amount keeps the number until the top-up date plus
    /// that tier's days (the highest tier reached; a later existing expiry is kept).
    case storedValue(tiers: [StoredValueTier])
    /// A chargeable action (a top-up counts) keeps the number for `windowDays`.
    case activity(windowDays: Int)

    public var name: String {
        switch self {
        case .fixedCycle: "fixed_cycle"
        case .storedValue: "stored_value"
        case .activity: "activity"
        }
    }
}

public struct StoredValueTier: Sendable, Equatable {
    public let minimum: Money
    public let days: Int
}

/// One way to renew a plan: a length and its price.
public struct RenewalOption: Sendable, Equatable {
    public enum Length: Sendable, Equatable, CustomStringConvertible {
        case days(Int)
        case months(Int)
        public var description: String {
            switch self {
            case .days(let d): "\(d) days"
            case .months(let m): m == 1 ? "1 month" : "\(m) months"
            }
        }
    }

    /// `1m`, `3m`, `30d`: what operators type after `--cycle`.
    public let id: String
    public let length: Length
    public let price: Money
    /// The price in Telegram Stars, for payments in Stars mode (nil: not sold for Stars).
    public var stars: Int? = nil

    public init(id: String, length: Length, price: Money, stars: Int? = nil) {
        self.id = id
        self.length = length
        self.price = price
        self.stars = stars
    }
}

public struct Plan: Sendable, Equatable {
    public let id: String
    public let names: LocalizedText
    public let renewalOptions: [RenewalOption]
}

/// A way to top up: web, app, store, voucher, SMS or phone, with a public URL when there is one.
public struct TopUpChannel: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case web, app, store, voucher, sms, phone }
    public let kind: Kind
    public let url: String?
    public let detail: LocalizedText?
}

/// What a carrier needs before a number can move elsewhere.
public enum PortOutCredential: String, Sendable, CaseIterable {
    case accountNumberAndPIN = "account_number_and_pin"
    case pac
    case newOperatorMNP = "new_operator_mnp"
}

/// A carrier's rules, as data operators can correct: nothing here is code.
public struct Carrier: Sendable, Equatable {
    public let id: String
    /// "US", "HK" or "UK".
    public let region: String
    public let names: LocalizedText
    public let aliases: [String]
    /// IANA time zone in which the carrier's dates are calendar dates.
    public let timeZone: String
    public let currency: String
    public let validity: ValidityModel
    public let plans: [Plan]
    /// Days after expiry during which a normal top-up restores the number.
    public let graceDays: Int
    /// After this many days past expiry the number is recycled (≥ `graceDays`; the days in
    /// between are `suspended`).
    public let recycleAfterDays: Int
    public let minimumTopUp: Money
    public let maximumTopUp: Money
    public let autoRenewSupported: Bool
    public let paymentMethods: [String]
    public let topUpChannels: [TopUpChannel]
    public let typicalActivationMinutes: Int
    public let maximumActivationHours: Int
    public let activationText: LocalizedText
    public let refundRule: LocalizedText
    public let portOutCredential: PortOutCredential
    public let portOutText: LocalizedText
    public let balanceCheck: LocalizedText
    /// Days before expiry at which alerts go out, largest first.
    public let alertLeadDays: [Int]
    public let support: LocalizedText
    public let sources: [String]

    public func plan(_ id: String) -> Plan? { plans.first { $0.id == id } }
}

/// Every carrier the service knows, by id.
public struct CarrierCatalogue: Sendable {
    public let carriers: [Carrier]
    private let byID: [String: Int]

    public init(carriers: [Carrier]) {
        self.carriers = carriers
        byID = Dictionary(carriers.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func carrier(_ id: String) -> Carrier? { byID[id].map { carriers[$0] } }

    public var ids: [String] { carriers.map(\.id) }
}

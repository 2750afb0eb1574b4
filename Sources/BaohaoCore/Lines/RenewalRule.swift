public import Understanding
public import BaohaoSupport

/// What a renewal asks for: a plan option (`--cycle 3m`) or an amount (`--amount 50`).
public enum RenewalChoice: Sendable, Equatable, Codable, CustomStringConvertible {
    case option(String)
    case amount(Money)

    public var description: String {
        switch self {
        case .option(let id): "cycle \(id)"
        case .amount(let money): "amount \(money.decimalString) \(money.currency)"
        }
    }

    private enum CodingKeys: String, CodingKey { case option, amount, currency }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try c.decodeIfPresent(String.self, forKey: .option) { self = .option(id); return }
        self = .amount(Money(minorUnits: try c.decode(Int64.self, forKey: .amount), currency: try c.decode(String.self, forKey: .currency)))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .option(let id): try c.encode(id, forKey: .option)
        case .amount(let m):
            try c.encode(m.minorUnits, forKey: .amount)
            try c.encode(m.currency, forKey: .currency)
        }
    }
}

/// The effect of a renewal on a line: pure arithmetic on dates and minor units.
public struct RenewalEffect: Sendable, Equatable {
    public let newExpiry: CivilDate
    /// Added to the balance (a top-up amount; zero for a plan renewal paid separately).
    public let balanceDelta: Money
    /// What the customer pays.
    public let price: Money
    /// How the new expiry was reached, for the ledger and the reply.
    public let explanation: String
}

/// Why a renewal cannot be applied.
public enum RenewalRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownOption(String, available: [String])
    case optionsNotOffered(carrier: String)
    case wrongCurrency(Money, expected: String)
    case belowMinimum(Money, minimum: Money)
    case aboveMaximum(Money, maximum: Money)
    case belowFirstTier(Money, tier: Money)

    public var description: String {
        switch self {
        case .unknownOption(let id, let available):
            "no renewal option '\(id)' for this plan (options: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .optionsNotOffered(let carrier): "\(carrier) renews by top-up amount, not by plan option: give an amount"
        case .wrongCurrency(let m, let expected): "\(m.currency) amount for a line in \(expected)"
        case .belowMinimum(let m, let minimum): "\(m.display) is below the carrier's minimum top-up of \(minimum.display)"
        case .aboveMaximum(let m, let maximum): "\(m.display) is above the carrier's maximum top-up of \(maximum.display)"
        case .belowFirstTier(let m, let tier): "\(m.display) does not extend validity; the smallest top-up that does is \(tier.display)"
        }
    }
}

public enum RenewalRule {
    /// The effect of `choice` on a line of `plan` at `carrier` that is valid through
    /// `expiresOn`, renewed on `today` (the carrier's date). Fixed cycles extend from the
    /// later of expiry and today; stored value moves expiry to today plus the tier's days
    /// unless it is already later; a top-up on an activity carrier is the activity.
    public static func effect(of choice: RenewalChoice, carrier: Carrier, plan: Plan, expiresOn: CivilDate, today: CivilDate) throws(RenewalRefusal) -> RenewalEffect {
        let zero = Money(minorUnits: 0, currency: carrier.currency)
        switch choice {
        case .option(let id):
            guard !plan.renewalOptions.isEmpty else { throw .optionsNotOffered(carrier: carrier.names.english) }
            guard let option = plan.renewalOptions.first(where: { $0.id == id }) else {
                throw .unknownOption(id, available: plan.renewalOptions.map(\.id))
            }
            let base = max(expiresOn, today.adding(days: -1))
            let newExpiry: CivilDate
            switch option.length {
            case .days(let d): newExpiry = base.adding(days: d)
            case .months(let m): newExpiry = base.adding(months: m)
            }
            let from = expiresOn >= today ? "the current expiry \(expiresOn)" : "today \(today) (the line had expired on \(expiresOn))"
            return RenewalEffect(newExpiry: newExpiry, balanceDelta: zero, price: option.price, explanation: "\(option.length) from \(from)")
        case .amount(let amount):
            guard amount.currency == carrier.currency else { throw .wrongCurrency(amount, expected: carrier.currency) }
            guard amount.minorUnits >= carrier.minimumTopUp.minorUnits else { throw .belowMinimum(amount, minimum: carrier.minimumTopUp) }
            guard amount.minorUnits <= carrier.maximumTopUp.minorUnits else { throw .aboveMaximum(amount, maximum: carrier.maximumTopUp) }
            switch carrier.validity {
            case .fixedCycle:
                return RenewalEffect(newExpiry: expiresOn, balanceDelta: amount, price: amount, explanation: "credit added; a fixed-cycle plan's expiry moves only with a plan renewal")
            case .storedValue(let tiers):
                guard let tier = tiers.last(where: { amount.minorUnits >= $0.minimum.minorUnits }) else {
                    throw .belowFirstTier(amount, tier: tiers[0].minimum)
                }
                let candidate = today.adding(days: tier.days)
                let kept = candidate <= expiresOn
                return RenewalEffect(
                    newExpiry: kept ? expiresOn : candidate, balanceDelta: amount, price: amount,
                    explanation: kept
                        ? "top-up of at least \(tier.minimum.display) gives \(tier.days) days from today; the current expiry \(expiresOn) is later and is kept"
                        : "top-up of at least \(tier.minimum.display) gives \(tier.days) days from today \(today)")
            case .activity(let window):
                let candidate = today.adding(days: window)
                return RenewalEffect(
                    newExpiry: max(candidate, expiresOn), balanceDelta: amount, price: amount,
                    explanation: "a top-up counts as activity: the number is kept \(window) days from today \(today)")
            }
        }
    }

    /// What each way of renewing costs and gives, for a quote.
    public static func quote(carrier: Carrier, plan: Plan, expiresOn: CivilDate, today: CivilDate) -> [RenewalQuote] {
        var quotes: [RenewalQuote] = []
        for option in plan.renewalOptions {
            if let effect = try? effect(of: .option(option.id), carrier: carrier, plan: plan, expiresOn: expiresOn, today: today) {
                quotes.append(RenewalQuote(choice: .option(option.id), length: option.length.description, price: option.price, newExpiry: effect.newExpiry))
            }
        }
        if case .storedValue(let tiers) = carrier.validity {
            for tier in tiers where tier.minimum.minorUnits <= carrier.maximumTopUp.minorUnits {
                let amount = Money(minorUnits: max(tier.minimum.minorUnits, carrier.minimumTopUp.minorUnits), currency: carrier.currency)
                // A tier below the carrier's minimum top-up cannot be bought on its own: the
                // minimum already reaches a higher tier, which is quoted instead.
                guard tiers.last(where: { $0.minimum.minorUnits <= amount.minorUnits }) == tier else { continue }
                if let effect = try? effect(of: .amount(amount), carrier: carrier, plan: plan, expiresOn: expiresOn, today: today) {
                    quotes.append(RenewalQuote(choice: .amount(amount), length: "\(tier.days) days", price: amount, newExpiry: effect.newExpiry))
                }
            }
        }
        if case .activity(let window) = carrier.validity,
            let effect = try? effect(of: .amount(carrier.minimumTopUp), carrier: carrier, plan: plan, expiresOn: expiresOn, today: today)
        {
            quotes.append(RenewalQuote(choice: .amount(carrier.minimumTopUp), length: "\(window) days of activity", price: carrier.minimumTopUp, newExpiry: effect.newExpiry))
        }
        return quotes
    }
}

/// One priced way to renew, with the expiry it would give.
public struct RenewalQuote: Sendable, Equatable {
    public let choice: RenewalChoice
    public let length: String
    public let price: Money
    public let newExpiry: CivilDate
}

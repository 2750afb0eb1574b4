public import FoundationEssentials
import Understanding
import BaohaoSupport

/// The carrier catalogue could not be used: every problem, with file and key path.
public struct CatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [ConfigurationProblem]
    public var description: String {
        "invalid carrier catalogue:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Reads and validates `Config/carriers.json`.
public enum CarrierCatalogueLoader {
    public static let defaultPath = "Config/carriers.json"
    static let idPattern = Set("abcdefghijklmnopqrstuvwxyz0123456789-".utf8)
    static let regions: [String: String] = ["US": "USD", "HK": "HKD", "UK": "GBP"]
    static let paymentMethods: Set<String> = ["card", "paypal", "venmo", "apple_pay", "google_pay", "alipay", "alipayhk", "wechat_pay", "unionpay", "octopus", "payme", "pps", "voucher", "cash"]

    public static func load(path: String = defaultPath) throws(CatalogueError) -> CarrierCatalogue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogueError(problems: [.init(source: path, key: "", reason: "cannot read the file (does it exist?)")])
        }
        return try parse(data, source: path)
    }

    /// Validates the catalogue in `data`; `source` names it in errors.
    public static func parse(_ data: Data, source: String) throws(CatalogueError) -> CarrierCatalogue {
        let root: JSONValue
        do { root = try JSONValue.parse(Array(data)) } catch {
            throw CatalogueError(problems: [.init(source: source, key: "", reason: "not valid JSON: \(error)")])
        }
        var reader = JSONObjectReader(source: source, path: "", value: root)
        _ = reader.string("about")
        var carriers: [Carrier] = []
        var seenIDs: [String: String] = [:]
        var seenAliases: [String: String] = [:]
        let items = reader.require(reader.array("carriers"), "carriers") ?? []
        if items.isEmpty && reader.problems.isEmpty { reader.fail("carriers", "lists no carrier") }
        for item in items {
            var c = JSONObjectReader(source: source, path: item.path, value: item.value)
            if let carrier = readCarrier(&c) {
                if let first = seenIDs[carrier.id] {
                    c.fail("id", "'\(carrier.id)' is used twice (first at \(first))")
                } else {
                    seenIDs[carrier.id] = item.path
                    for alias in carrier.aliases + [carrier.id] {
                        let key = alias.lowercased()
                        if let owner = seenAliases[key], owner != carrier.id {
                            c.fail("aliases", "'\(alias)' already names carrier '\(owner)'")
                        }
                        seenAliases[key] = carrier.id
                    }
                    carriers.append(carrier)
                }
            }
            reader.absorb(c)
        }
        reader.rejectUnknownKeys()
        guard reader.problems.isEmpty else { throw CatalogueError(problems: reader.problems) }
        return CarrierCatalogue(carriers: carriers)
    }

    private static func readCarrier(_ c: inout JSONObjectReader) -> Carrier? {
        let id = c.require(c.string("id"), "id")
        if let id, id.isEmpty || !id.utf8.allSatisfy(idPattern.contains) { c.fail("id", "'\(id)' must be lowercase letters, digits and '-'") }
        let region = c.require(c.string("region"), "region")
        if let region, regions[region] == nil { c.fail("region", "'\(region)' is not one of US, HK, UK") }
        let names = c.require(c.localized("names"), "names")
        let aliases = c.stringArray("aliases") ?? []
        let timeZone = c.require(c.string("time_zone"), "time_zone")
        if let timeZone, ZoneInfo.named(timeZone) == nil { c.fail("time_zone", "'\(timeZone)' is not a known IANA time zone") }
        let currency = c.require(c.string("currency"), "currency") ?? ""
        if let region, let expected = regions[region], currency != expected, !currency.isEmpty {
            c.fail("currency", "'\(currency)' does not match region \(region) (expected \(expected))")
        }
        let money = Money.minorDigits(of: currency) != nil
        let validity = readValidity(&c, currency: money ? currency : nil)
        var plans: [Plan] = []
        for item in c.require(c.array("plans"), "plans") ?? [] {
            var p = JSONObjectReader(source: c.source, path: item.path, value: item.value)
            if let plan = readPlan(&p, currency: money ? currency : nil) {
                if plans.contains(where: { $0.id == plan.id }) { p.fail("id", "'\(plan.id)' is used twice in this carrier") } else { plans.append(plan) }
            }
            c.absorb(p)
        }
        if plans.isEmpty, !c.problems.contains(where: { $0.key.hasPrefix(c.keyPath("plans")) }) { c.fail("plans", "needs at least one plan") }
        let grace = c.require(c.integer("grace_days", in: 0...3650), "grace_days")
        let recycle = c.require(c.integer("recycle_after_days", in: 0...3650), "recycle_after_days")
        if let grace, let recycle, recycle < grace { c.fail("recycle_after_days", "\(recycle) is less than grace_days \(grace)") }
        var minimum: Money?, maximum: Money?
        if var t = c.require(c.object("top_up"), "top_up") {
            if money {
                minimum = t.require(t.money("minimum", currency: currency, positive: true), "minimum")
                maximum = t.require(t.money("maximum", currency: currency, positive: true), "maximum")
                if let minimum, let maximum, minimum.minorUnits > maximum.minorUnits { t.fail("maximum", "is less than the minimum") }
            }
            c.absorb(t)
        }
        let autoRenew = c.require(c.bool("auto_renew_supported"), "auto_renew_supported")
        let methods = c.require(c.stringArray("payment_methods"), "payment_methods") ?? []
        for (i, m) in methods.enumerated() where !paymentMethods.contains(m) {
            c.fail("payment_methods[\(i)]", "'\(m)' is not one of \(paymentMethods.sorted().joined(separator: ", "))")
        }
        var channels: [TopUpChannel] = []
        for item in c.require(c.array("top_up_channels"), "top_up_channels") ?? [] {
            var ch = JSONObjectReader(source: c.source, path: item.path, value: item.value)
            let kindText = ch.require(ch.string("kind"), "kind")
            let kind = kindText.flatMap(TopUpChannel.Kind.init(rawValue:))
            if let kindText, kind == nil { ch.fail("kind", "'\(kindText)' is not one of \(TopUpChannel.Kind.allCases.map(\.rawValue).joined(separator: ", "))") }
            let url = ch.string("url")
            if let url, !url.hasPrefix("https://") && !url.hasPrefix("http://") { ch.fail("url", "'\(url)' is not a web address") }
            let detail = ch.localized("detail")
            if let kind { channels.append(TopUpChannel(kind: kind, url: url, detail: detail)) }
            c.absorb(ch)
        }
        var typical: Int?, maximumHours: Int?, activationText: LocalizedText?
        if var a = c.require(c.object("activation_delay"), "activation_delay") {
            typical = a.require(a.integer("typical_minutes", in: 0...10_080), "typical_minutes")
            maximumHours = a.require(a.integer("maximum_hours", in: 0...720), "maximum_hours")
            activationText = a.require(a.localized("text"), "text")
            c.absorb(a)
        }
        let refund = c.require(c.localized("refund_rule"), "refund_rule")
        var credential: PortOutCredential?, portText: LocalizedText?
        if var p = c.require(c.object("port_out"), "port_out") {
            let raw = p.require(p.string("credential"), "credential")
            credential = raw.flatMap(PortOutCredential.init(rawValue:))
            if let raw, credential == nil { p.fail("credential", "'\(raw)' is not one of \(PortOutCredential.allCases.map(\.rawValue).joined(separator: ", "))") }
            portText = p.require(p.localized("text"), "text")
            c.absorb(p)
        }
        let balanceCheck = c.require(c.localized("balance_check"), "balance_check")
        var leads: [Int] = []
        if let items = c.require(c.array("alert_lead_days"), "alert_lead_days") {
            for (i, item) in items.enumerated() {
                guard case .integer(let v) = item.value, (0...400).contains(v) else { c.fail("alert_lead_days[\(i)]", "expected an integer 0...400"); continue }
                if let last = leads.last, Int(v) >= last { c.fail("alert_lead_days[\(i)]", "\(v) must be less than the one before (\(last)): list them largest first") }
                leads.append(Int(v))
            }
            if items.isEmpty { c.fail("alert_lead_days", "needs at least one lead time") }
        }
        let support = c.require(c.localized("support"), "support")
        let sources = c.stringArray("sources") ?? []
        _ = c.string("notes")
        guard let id, let region, let names, let timeZone, let validity, let grace, let recycle, let minimum, let maximum,
            let autoRenew, let typical, let maximumHours, let activationText, let refund, let credential, let portText,
            let balanceCheck, let support, c.problems.isEmpty
        else { return nil }
        return Carrier(
            id: id, region: region, names: names, aliases: aliases, timeZone: timeZone, currency: currency, validity: validity,
            plans: plans, graceDays: grace, recycleAfterDays: recycle, minimumTopUp: minimum, maximumTopUp: maximum,
            autoRenewSupported: autoRenew, paymentMethods: methods, topUpChannels: channels, typicalActivationMinutes: typical,
            maximumActivationHours: maximumHours, activationText: activationText, refundRule: refund, portOutCredential: credential,
            portOutText: portText, balanceCheck: balanceCheck, alertLeadDays: leads, support: support, sources: sources)
    }

    private static func readValidity(_ c: inout JSONObjectReader, currency: String?) -> ValidityModel? {
        guard var v = c.require(c.object("validity"), "validity") else { return nil }
        defer { c.absorb(v) }
        let model = v.require(v.string("model"), "model")
        switch model {
        case "fixed_cycle":
            return .fixedCycle
        case "stored_value":
            var tiers: [StoredValueTier] = []
            for item in v.require(v.array("tiers"), "tiers") ?? [] {
                var t = JSONObjectReader(source: v.source, path: item.path, value: item.value)
                let minimum = currency.flatMap { t.require(t.money("min_amount", currency: $0, positive: true), "min_amount") }
                let days = t.require(t.integer("days", in: 1...3650), "days")
                if let minimum, let days {
                    if let last = tiers.last, minimum.minorUnits <= last.minimum.minorUnits || days <= last.days {
                        t.fail("min_amount", "tiers must grow in both amount and days")
                    } else {
                        tiers.append(StoredValueTier(minimum: minimum, days: days))
                    }
                }
                v.absorb(t)
            }
            if tiers.isEmpty, v.problems.isEmpty { v.fail("tiers", "a stored_value carrier needs at least one tier") }
            return tiers.isEmpty ? nil : .storedValue(tiers: tiers)
        case "activity":
            guard let window = v.require(v.integer("window_days", in: 1...3650), "window_days") else { return nil }
            return .activity(windowDays: window)
        case let other?:
            v.fail("model", "'\(other)' is not one of fixed_cycle, stored_value, activity")
            return nil
        case nil:
            return nil
        }
    }

    private static func readPlan(_ p: inout JSONObjectReader, currency: String?) -> Plan? {
        let id = p.require(p.string("id"), "id")
        if let id, id.isEmpty || !id.utf8.allSatisfy(idPattern.contains) { p.fail("id", "'\(id)' must be lowercase letters, digits and '-'") }
        let names = p.require(p.localized("names"), "names")
        var options: [RenewalOption] = []
        for item in p.require(p.array("renewal_options"), "renewal_options") ?? [] {
            var o = JSONObjectReader(source: p.source, path: item.path, value: item.value)
            let optionID = o.require(o.string("id"), "id")
            let days = o.integer("days", in: 1...400)
            let months = o.integer("months", in: 1...12)
            let price = currency.flatMap { o.require(o.money("price", currency: $0, positive: true), "price") }
            let stars = o.integer("stars", in: 1...100_000)
            var length: RenewalOption.Length?
            switch (days, months) {
            case (let d?, nil): length = .days(d)
            case (nil, let m?): length = .months(m)
            case (.some, .some): o.fail("days", "give either days or months, not both")
            case (nil, nil): if o.problems.isEmpty { o.fail("days", "missing: give days or months") }
            }
            if let optionID, options.contains(where: { $0.id == optionID }) { o.fail("id", "'\(optionID)' is used twice in this plan") }
            if let optionID, let length, let price, o.problems.isEmpty { options.append(RenewalOption(id: optionID, length: length, price: price, stars: stars)) }
            p.absorb(o)
        }
        guard let id, let names, p.problems.isEmpty else { return nil }
        return Plan(id: id, names: names, renewalOptions: options)
    }
}

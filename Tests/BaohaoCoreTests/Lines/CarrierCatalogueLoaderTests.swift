import Foundation
import Testing
import TestSupport
import Understanding
@testable import BaohaoCore
import BaohaoSupport

@Suite struct CarrierCatalogueLoaderTests {
    /// One carrier of each validity model, every key present.
    private static let valid = #"""
        {
          "about": "test catalogue",
          "carriers": [
            {
              "id": "alpha",
              "region": "US",
              "names": {"zh-Hans": "阿尔法移动", "zh-Hant": "阿爾法移動", "en": "Alpha Mobile"},
              "aliases": ["alpha mobile", "alfa"],
              "time_zone": "America/New_York",
              "currency": "USD",
              "validity": {"model": "fixed_cycle"},
              "plans": [
                {
                  "id": "unlimited",
                  "names": {"zh-Hans": "无限套餐", "zh-Hant": "無限套餐", "en": "Unlimited"},
                  "renewal_options": [
                    {"id": "1m", "days": 30, "price": "25.00"},
                    {"id": "cal", "months": 1, "price": "27.50"}
                  ]
                }
              ],
              "grace_days": 30, "recycle_after_days": 60,
              "top_up": {"minimum": "5.00", "maximum": "200.00"},
              "auto_renew_supported": true,
              "payment_methods": ["card", "paypal"],
              "top_up_channels": [
                {"kind": "web", "url": "https://alpha.example/topup", "detail": {"zh-Hans": "官网充值", "zh-Hant": "官網充值", "en": "Top up online"}},
                {"kind": "store"}
              ],
              "activation_delay": {"typical_minutes": 5, "maximum_hours": 24, "text": {"zh-Hans": "几分钟", "zh-Hant": "幾分鐘", "en": "A few minutes"}},
              "refund_rule": {"zh-Hans": "不退款A", "zh-Hant": "不退款甲", "en": "No refunds (alpha)"},
              "port_out": {"credential": "account_number_and_pin", "text": {"zh-Hans": "账号和PIN", "zh-Hant": "帳號和PIN", "en": "Account number and PIN"}},
              "balance_check": {"zh-Hans": "拨打*225#", "zh-Hant": "撥打*225#", "en": "Dial *225#"},
              "alert_lead_days": [7, 3, 1, 0],
              "support": {"zh-Hans": "客服611", "zh-Hant": "客服611", "en": "Call 611"},
              "sources": ["https://alpha.example/terms"],
              "notes": "a fixed 30-day cycle"
            },
            {
              "id": "beta",
              "region": "HK",
              "names": {"zh-Hans": "贝塔", "zh-Hant": "貝塔", "en": "Beta HK"},
              "aliases": ["beta hk"],
              "time_zone": "Asia/Hong_Kong",
              "currency": "HKD",
              "validity": {"model": "stored_value", "tiers": [{"min_amount": "10.00", "days": 30}, {"min_amount": "50.00", "days": 180}]},
              "plans": [{"id": "prepaid", "names": {"zh-Hans": "储值", "zh-Hant": "儲值", "en": "Prepaid"}, "renewal_options": []}],
              "grace_days": 30, "recycle_after_days": 30,
              "top_up": {"minimum": "10.00", "maximum": "1000.00"},
              "auto_renew_supported": false,
              "payment_methods": ["octopus", "alipayhk"],
              "top_up_channels": [{"kind": "voucher"}],
              "activation_delay": {"typical_minutes": 1, "maximum_hours": 2, "text": {"zh-Hans": "即时", "zh-Hant": "即時", "en": "Instant"}},
              "refund_rule": {"zh-Hans": "不退款B", "zh-Hant": "不退款乙", "en": "No refunds (beta)"},
              "port_out": {"credential": "new_operator_mnp", "text": {"zh-Hans": "新运营商办理", "zh-Hant": "新營運商辦理", "en": "Ask the new operator"}},
              "balance_check": {"zh-Hans": "拨打*138#", "zh-Hant": "撥打*138#", "en": "Dial *138#"},
              "alert_lead_days": [30, 14, 7, 1],
              "support": {"zh-Hans": "客服1000", "zh-Hant": "客服1000", "en": "Call 1000"}
            },
            {
              "id": "gamma",
              "region": "UK",
              "names": {"zh-Hans": "伽马", "zh-Hant": "伽馬", "en": "Gamma UK"},
              "aliases": ["gamma uk"],
              "time_zone": "Europe/London",
              "currency": "GBP",
              "validity": {"model": "activity", "window_days": 180},
              "plans": [{"id": "payg", "names": {"zh-Hans": "按量", "zh-Hant": "按量計", "en": "Pay as you go"}, "renewal_options": []}],
              "grace_days": 0, "recycle_after_days": 0,
              "top_up": {"minimum": "10.00", "maximum": "100.00"},
              "auto_renew_supported": false,
              "payment_methods": ["card"],
              "top_up_channels": [{"kind": "app", "url": "https://gamma.example/app"}],
              "activation_delay": {"typical_minutes": 10, "maximum_hours": 48, "text": {"zh-Hans": "十分钟", "zh-Hant": "十分鐘", "en": "Ten minutes"}},
              "refund_rule": {"zh-Hans": "不退款C", "zh-Hant": "不退款丙", "en": "No refunds (gamma)"},
              "port_out": {"credential": "pac", "text": {"zh-Hans": "发短信PAC", "zh-Hant": "發短信PAC", "en": "Text PAC to 65075"}},
              "balance_check": {"zh-Hans": "应用内查看", "zh-Hant": "應用內查看", "en": "In the app"},
              "alert_lead_days": [14, 7, 1],
              "support": {"zh-Hans": "在线客服", "zh-Hant": "線上客服", "en": "Online chat"},
              "sources": []
            }
          ]
        }
        """#

    /// The valid catalogue with each `(old, new)` replacement applied; every `old` must occur
    /// exactly once, so a variant can never silently be the valid file.
    private static func variant(_ replacements: [(String, String)]) -> String {
        var json = valid
        for (old, new) in replacements {
            let count = json.components(separatedBy: old).count - 1
            #expect(count == 1, "'\(old)' occurs \(count) times in the valid catalogue")
            json = json.replacingOccurrences(of: old, with: new)
        }
        return json
    }

    private static func problems(_ json: String) -> [ConfigurationProblem] {
        do {
            let catalogue = try CarrierCatalogueLoader.parse(Data(json.utf8), source: "test.json")
            Issue.record("parsed \(catalogue.ids) but should have been refused")
            return []
        } catch {
            return error.problems
        }
    }

    /// The single problem of a one-change variant.
    private static func problem(_ replacements: (String, String)...) -> ConfigurationProblem? {
        let found = problems(variant(replacements))
        #expect(found.count == 1, "\(found)")
        return found.first
    }

    @Test func theValidCatalogueParsesWithExactValues() throws {
        let catalogue = try CarrierCatalogueLoader.parse(Data(Self.valid.utf8), source: "test.json")
        #expect(catalogue.ids == ["alpha", "beta", "gamma"])

        let alpha = try #require(catalogue.carrier("alpha"))
        #expect(alpha.region == "US")
        #expect(alpha.names == LocalizedText(simplified: "阿尔法移动", traditional: "阿爾法移動", english: "Alpha Mobile"))
        #expect(alpha.aliases == ["alpha mobile", "alfa"])
        #expect(alpha.timeZone == "America/New_York")
        #expect(alpha.currency == "USD")
        #expect(alpha.validity == .fixedCycle)
        #expect(alpha.plans == [
            Plan(
                id: "unlimited", names: LocalizedText(simplified: "无限套餐", traditional: "無限套餐", english: "Unlimited"),
                renewalOptions: [
                    RenewalOption(id: "1m", length: .days(30), price: Money(minorUnits: 2500, currency: "USD")),
                    RenewalOption(id: "cal", length: .months(1), price: Money(minorUnits: 2750, currency: "USD")),
                ])
        ])
        #expect(alpha.graceDays == 30)
        #expect(alpha.recycleAfterDays == 60)
        #expect(alpha.minimumTopUp == Money(minorUnits: 500, currency: "USD"))
        #expect(alpha.maximumTopUp == Money(minorUnits: 20_000, currency: "USD"))
        #expect(alpha.autoRenewSupported)
        #expect(alpha.paymentMethods == ["card", "paypal"])
        #expect(alpha.topUpChannels == [
            TopUpChannel(kind: .web, url: "https://alpha.example/topup", detail: LocalizedText(simplified: "官网充值", traditional: "官網充值", english: "Top up online")),
            TopUpChannel(kind: .store, url: nil, detail: nil),
        ])
        #expect(alpha.typicalActivationMinutes == 5)
        #expect(alpha.maximumActivationHours == 24)
        #expect(alpha.activationText.english == "A few minutes")
        #expect(alpha.refundRule == LocalizedText(simplified: "不退款A", traditional: "不退款甲", english: "No refunds (alpha)"))
        #expect(alpha.portOutCredential == .accountNumberAndPIN)
        #expect(alpha.portOutText.traditional == "帳號和PIN")
        #expect(alpha.balanceCheck.english == "Dial *225#")
        #expect(alpha.alertLeadDays == [7, 3, 1, 0])
        #expect(alpha.support.simplified == "客服611")
        #expect(alpha.sources == ["https://alpha.example/terms"])

        let beta = try #require(catalogue.carrier("beta"))
        #expect(beta.region == "HK")
        #expect(beta.timeZone == "Asia/Hong_Kong")
        #expect(beta.currency == "HKD")
        #expect(beta.validity == .storedValue(tiers: [
            StoredValueTier(minimum: Money(minorUnits: 1000, currency: "HKD"), days: 30),
            StoredValueTier(minimum: Money(minorUnits: 5000, currency: "HKD"), days: 180),
        ]))
        #expect(beta.plans == [Plan(id: "prepaid", names: LocalizedText(simplified: "储值", traditional: "儲值", english: "Prepaid"), renewalOptions: [])])
        #expect(beta.graceDays == 30 && beta.recycleAfterDays == 30)
        #expect(beta.minimumTopUp == Money(minorUnits: 1000, currency: "HKD"))
        #expect(beta.maximumTopUp == Money(minorUnits: 100_000, currency: "HKD"))
        #expect(!beta.autoRenewSupported)
        #expect(beta.paymentMethods == ["octopus", "alipayhk"])
        #expect(beta.topUpChannels == [TopUpChannel(kind: .voucher, url: nil, detail: nil)])
        #expect(beta.portOutCredential == .newOperatorMNP)
        #expect(beta.alertLeadDays == [30, 14, 7, 1])
        #expect(beta.sources == [])

        let gamma = try #require(catalogue.carrier("gamma"))
        #expect(gamma.region == "UK")
        #expect(gamma.timeZone == "Europe/London")
        #expect(gamma.currency == "GBP")
        #expect(gamma.validity == .activity(windowDays: 180))
        #expect(gamma.plans.map(\.id) == ["payg"])
        #expect(gamma.graceDays == 0 && gamma.recycleAfterDays == 0)
        #expect(gamma.minimumTopUp == Money(minorUnits: 1000, currency: "GBP"))
        #expect(gamma.maximumTopUp == Money(minorUnits: 10_000, currency: "GBP"))
        #expect(gamma.topUpChannels == [TopUpChannel(kind: .app, url: "https://gamma.example/app", detail: nil)])
        #expect(gamma.portOutCredential == .pac)
        #expect(gamma.alertLeadDays == [14, 7, 1])
        #expect(catalogue.carrier("delta") == nil)
    }

    @Test func missingTranslation() {
        let p = Self.problem((#""zh-Hant": "阿爾法移動", "#, ""))
        #expect(p?.source == "test.json")
        #expect(p?.key == "carriers[0].names.zh-Hant")
        #expect(p?.reason == "missing (every text needs zh-Hans, zh-Hant and en)")
    }

    @Test func currencyMustMatchTheRegion() {
        let p = Self.problem((#""currency": "USD""#, #""currency": "HKD""#))
        #expect(p?.key == "carriers[0].currency")
        #expect(p?.reason == "'HKD' does not match region US (expected USD)")
    }

    @Test func unknownTimeZone() {
        let p = Self.problem((#""time_zone": "America/New_York""#, #""time_zone": "America/Nowhere""#))
        #expect(p?.key == "carriers[0].time_zone")
        #expect(p?.reason == "'America/Nowhere' is not a known IANA time zone")
    }

    @Test func anOptionWithBothDaysAndMonths() {
        let p = Self.problem((#"{"id": "1m", "days": 30, "price""#, #"{"id": "1m", "days": 30, "months": 1, "price""#))
        #expect(p?.key == "carriers[0].plans[0].renewal_options[0].days")
        #expect(p?.reason == "give either days or months, not both")
    }

    @Test func aPriceMustBeAString() {
        let p = Self.problem((#""price": "27.50""#, #""price": 27.5"#))
        #expect(p?.key == "carriers[0].plans[0].renewal_options[1].price")
        #expect(p?.reason.contains("never a JSON number") == true)
        #expect(p?.reason.hasPrefix("expected an amount as a string") == true)
    }

    @Test func aPriceMustBePositive() {
        let negative = Self.problem((#""price": "25.00""#, #""price": "-25.00""#))
        #expect(negative?.key == "carriers[0].plans[0].renewal_options[0].price")
        #expect(negative?.reason == "'-25.00' is negative")
        let zero = Self.problem((#""price": "25.00""#, #""price": "0.00""#))
        #expect(zero?.key == "carriers[0].plans[0].renewal_options[0].price")
        #expect(zero?.reason == "must be greater than 0")
        let precise = Self.problem((#""price": "25.00""#, #""price": "25.001""#))
        #expect(precise?.key == "carriers[0].plans[0].renewal_options[0].price")
        #expect(precise?.reason == "'25.001' has more than 2 decimal places")
    }

    @Test func tiersMustGrow() {
        let amount = Self.problem((#"{"min_amount": "50.00", "days": 180}"#, #"{"min_amount": "5.00", "days": 180}"#))
        #expect(amount?.key == "carriers[1].validity.tiers[1].min_amount")
        #expect(amount?.reason == "tiers must grow in both amount and days")
        let days = Self.problem((#"{"min_amount": "50.00", "days": 180}"#, #"{"min_amount": "50.00", "days": 30}"#))
        #expect(days?.key == "carriers[1].validity.tiers[1].min_amount")
        #expect(days?.reason == "tiers must grow in both amount and days")
    }

    @Test func alertLeadDaysMustDecrease() {
        let p = Self.problem(("[7, 3, 1, 0]", "[7, 3, 3, 0]"))
        #expect(p?.key == "carriers[0].alert_lead_days[2]")
        #expect(p?.reason == "3 must be less than the one before (3): list them largest first")
    }

    @Test func unknownKeysAreNamed() {
        let p = Self.problem((#""grace_days": 30, "recycle_after_days": 60"#, #""grace_day": 30, "grace_days": 30, "recycle_after_days": 60"#))
        #expect(p?.key == "carriers[0].grace_day")
        #expect(p?.reason.hasPrefix("unknown key (known keys here: ") == true)
        #expect(p?.reason.contains("grace_days") == true)
        let nested = Self.problem((#""top_up": {"minimum": "5.00""#, #""top_up": {"minimun": "1.00", "minimum": "5.00""#))
        #expect(nested?.key == "carriers[0].top_up.minimun")
    }

    @Test func duplicateCarrierID() {
        let p = Self.problem((#""id": "gamma""#, #""id": "alpha""#))
        #expect(p?.key == "carriers[2].id")
        #expect(p?.reason == "'alpha' is used twice (first at carriers[0])")
    }

    @Test func anAliasSharedByTwoCarriers() {
        let p = Self.problem((#""aliases": ["gamma uk"]"#, #""aliases": ["gamma uk", "Alfa"]"#))
        #expect(p?.key == "carriers[2].aliases")
        #expect(p?.reason == "'Alfa' already names carrier 'alpha'")
        // An alias equal to another carrier's id clashes too.
        let id = Self.problem((#""aliases": ["beta hk"]"#, #""aliases": ["beta hk", "alpha"]"#))
        #expect(id?.key == "carriers[1].aliases")
        #expect(id?.reason == "'alpha' already names carrier 'alpha'")
    }

    @Test func recycleMustNotComeBeforeGraceEnds() {
        let p = Self.problem((#""grace_days": 30, "recycle_after_days": 60"#, #""grace_days": 30, "recycle_after_days": 10"#))
        #expect(p?.key == "carriers[0].recycle_after_days")
        #expect(p?.reason == "10 is less than grace_days 30")
    }

    @Test func otherWrongValues() {
        #expect(Self.problem((#""region": "US""#, #""region": "FR""#))?.key == "carriers[0].region")
        #expect(Self.problem((#""id": "beta""#, #""id": "Beta""#))?.reason == "'Beta' must be lowercase letters, digits and '-'")
        #expect(Self.problem((#""payment_methods": ["card", "paypal"]"#, #""payment_methods": ["card", "bitcoin"]"#))?.key == "carriers[0].payment_methods[1]")
        #expect(Self.problem((#""credential": "pac""#, #""credential": "pin""#))?.key == "carriers[2].port_out.credential")
        #expect(Self.problem((#"{"kind": "voucher"}"#, #"{"kind": "pigeon"}"#))?.key == "carriers[1].top_up_channels[0].kind")
        #expect(Self.problem((#""url": "https://gamma.example/app""#, #""url": "gamma.example/app""#))?.key == "carriers[2].top_up_channels[0].url")
        // An unknown model also leaves its window_days unread, which is reported as unknown.
        let model = Self.problems(Self.variant([(#""model": "activity""#, #""model": "forever""#)]))
        #expect(model.first?.key == "carriers[2].validity.model")
        #expect(model.first?.reason == "'forever' is not one of fixed_cycle, stored_value, activity")
        #expect(Self.problem((#""window_days": 180"#, #""window_days": 0"#))?.reason == "0 is out of range 1...3650")
        #expect(Self.problem((#""maximum": "100.00""#, #""maximum": "9.00""#))?.key == "carriers[2].top_up.maximum")
        #expect(Self.problem(("[14, 7, 1]", "[]"))?.key == "carriers[2].alert_lead_days")
        let missing = Self.problem((#""balance_check": {"zh-Hans": "应用内查看", "zh-Hant": "應用內查看", "en": "In the app"},"#, ""))
        #expect(missing?.key == "carriers[2].balance_check")
        #expect(missing?.reason == "missing")
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = Self.problems(Self.variant([
            (#""zh-Hant": "阿爾法移動", "#, ""),
            (#""time_zone": "Asia/Hong_Kong""#, #""time_zone": "Asia/Kowloon""#),
            (#""price": "27.50""#, #""price": 27.5"#),
            ("[14, 7, 1]", "[14, 14, 1]"),
        ]))
        let keys = Set(found.map(\.key))
        for key in ["carriers[0].names.zh-Hant", "carriers[0].plans[0].renewal_options[1].price", "carriers[1].time_zone", "carriers[2].alert_lead_days[1]"] {
            #expect(keys.contains(key), "\(key) not in \(found)")
        }
        #expect(found.allSatisfy { $0.source == "test.json" })
    }

    @Test func notJSONOrNoCarriers() {
        let notJSON = Self.problems("{ not json")
        #expect(notJSON.count == 1)
        #expect(notJSON.first?.key == "")
        #expect(notJSON.first?.reason.hasPrefix("not valid JSON") == true)
        #expect(Self.problems(#"{"carriers": []}"#) == [ConfigurationProblem(source: "test.json", key: "carriers", reason: "lists no carrier")])
        #expect(Self.problems(#"{}"#) == [ConfigurationProblem(source: "test.json", key: "carriers", reason: "missing")])
        #expect(Self.problems(#"{"carriers": [], "extra": 1}"#).map(\.key) == ["carriers", "extra"])
    }

    @Test(
        .enabled(
            if: FileManager.default.fileExists(atPath: repositoryRoot + "/Config/carriers.json"),
            "Config/carriers.json is absent, so the shipped catalogue cannot be checked"))
    func theShippedCatalogueLoads() throws {
        let catalogue = try CarrierCatalogueLoader.load(path: repositoryRoot + "/Config/carriers.json")
        for id in ["ultra", "tello", "tmobile", "usmobile", "cmhk", "csl", "giffgaff"] {
            #expect(catalogue.carrier(id) != nil, "no carrier '\(id)' in Config/carriers.json")
        }
        let hongKong = catalogue.carriers.filter { $0.region == "HK" }.map(\.id)
        #expect(hongKong.count >= 3, "Hong Kong carriers: \(hongKong)")
        #expect(Set(catalogue.ids).count == catalogue.ids.count)
        for carrier in catalogue.carriers {
            #expect(!carrier.plans.isEmpty, "\(carrier.id)")
            #expect(carrier.recycleAfterDays >= carrier.graceDays, "\(carrier.id)")
            #expect(carrier.minimumTopUp.currency == carrier.currency, "\(carrier.id)")
            #expect(TimeZone(identifier: carrier.timeZone) != nil, "\(carrier.id)")
        }
    }
}

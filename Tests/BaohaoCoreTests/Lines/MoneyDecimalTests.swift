import Testing
import Understanding
@testable import BaohaoCore

@Suite struct MoneyDecimalTests {
    private static func usd(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: "USD") }

    private static func refusal(_ text: String, _ currency: String = "USD", allowNegative: Bool = false) -> Money.DecimalError? {
        do {
            let money = try Money.parse(decimal: text, currency: currency, allowNegative: allowNegative)
            Issue.record("'\(text)' \(currency) parsed as \(money.minorUnits) but should have been refused")
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesExactly() throws {
        #expect(try Money.parse(decimal: "12.5", currency: "USD") == Self.usd(1250))
        #expect(try Money.parse(decimal: "12.50", currency: "USD") == Self.usd(1250))
        #expect(try Money.parse(decimal: "0.05", currency: "USD") == Self.usd(5))
        #expect(try Money.parse(decimal: "  7 ", currency: "USD") == Self.usd(700))
        #expect(try Money.parse(decimal: "\t7\t", currency: "USD") == Self.usd(700))
        #expect(try Money.parse(decimal: "100", currency: "USD") == Self.usd(10_000))
        #expect(try Money.parse(decimal: "0", currency: "USD") == Self.usd(0))
        #expect(try Money.parse(decimal: ".5", currency: "USD") == Self.usd(50))
        #expect(try Money.parse(decimal: "12.", currency: "USD") == Self.usd(1200))
        #expect(try Money.parse(decimal: "0.10", currency: "HKD") == Money(minorUnits: 10, currency: "HKD"))
        #expect(try Money.parse(decimal: "999999999999.99", currency: "GBP") == Money(minorUnits: 99_999_999_999_999, currency: "GBP"))
    }

    @Test func negativeOnlyWhenAllowed() throws {
        #expect(Self.refusal("-1") == .negative("-1"))
        #expect(Self.refusal("-0.01") == .negative("-0.01"))
        #expect(try Money.parse(decimal: "-1", currency: "USD", allowNegative: true) == Self.usd(-100))
        #expect(try Money.parse(decimal: "-3.05", currency: "USD", allowNegative: true) == Self.usd(-305))
        // Minus zero is zero, not a negative amount.
        #expect(try Money.parse(decimal: "-0", currency: "USD") == Self.usd(0))
    }

    @Test func refusesWhatIsNotAnExactAmount() {
        #expect(Self.refusal("12.345") == .tooManyDecimals("12.345", allowed: 2))
        #expect(Self.refusal("1,000.00") == .notANumber("1,000.00"))
        #expect(Self.refusal("abc") == .notANumber("abc"))
        #expect(Self.refusal("") == .notANumber(""))
        #expect(Self.refusal("   ") == .notANumber("   "))
        #expect(Self.refusal(".") == .notANumber("."))
        #expect(Self.refusal("-") == .notANumber("-"))
        #expect(Self.refusal("1.2.3") == .notANumber("1.2.3"))
        #expect(Self.refusal("1e3") == .notANumber("1e3"))
        #expect(Self.refusal("$5") == .notANumber("$5"))
        #expect(Self.refusal("5 00") == .notANumber("5 00"))
        #expect(Self.refusal("+5") == .notANumber("+5"))
        #expect(Self.refusal("1000000000000") == .tooLarge("1000000000000"))
        #expect(Self.refusal("5", "XYZ") == .unknownCurrency("XYZ"))
        #expect(Self.refusal("100.5", "JPY") == .tooManyDecimals("100.5", allowed: 0))
    }

    @Test func errorDescriptionsSayWhatIsWrong() {
        #expect(Money.DecimalError.tooManyDecimals("12.345", allowed: 2).description == "'12.345' has more than 2 decimal places")
        #expect(Money.DecimalError.unknownCurrency("XYZ").description == "unknown currency 'XYZ'")
        #expect(Money.DecimalError.negative("-1").description == "'-1' is negative")
    }

    @Test func zeroDecimalCurrencies() throws {
        #expect(Money.minorDigits(of: "JPY") == 0)
        #expect(Money.minorDigits(of: "KRW") == 0)
        #expect(Money.minorDigits(of: "USD") == 2)
        #expect(Money.minorDigits(of: "XYZ") == nil)
        let yen = try Money.parse(decimal: "100", currency: "JPY")
        #expect(yen == Money(minorUnits: 100, currency: "JPY"))
        #expect(yen.decimalString == "100")
        #expect(yen.display == "JPY 100")
        #expect(try Money.parse(decimal: "100.", currency: "JPY") == Money(minorUnits: 100, currency: "JPY"))
        #expect(Money(minorUnits: -7, currency: "KRW").decimalString == "-7")
    }

    @Test func decimalStringAndDisplay() {
        #expect(Self.usd(1250).decimalString == "12.50")
        #expect(Self.usd(5).decimalString == "0.05")
        #expect(Self.usd(0).decimalString == "0.00")
        #expect(Self.usd(-300).decimalString == "-3.00")
        #expect(Self.usd(-5).decimalString == "-0.05")
        #expect(Self.usd(100_000).decimalString == "1000.00")
        #expect(Self.usd(Int64.min).decimalString == "-92233720368547758.08")

        #expect(Self.usd(1250).display == "US$12.50")
        #expect(Self.usd(-300).display == "-US$3.00")
        #expect(Self.usd(0).display == "US$0.00")
        #expect(Money(minorUnits: 5000, currency: "HKD").display == "HK$50.00")
        #expect(Money(minorUnits: 300, currency: "GBP").display == "£3.00")
        #expect(Money(minorUnits: -1, currency: "GBP").display == "-£0.01")
        #expect(Money(minorUnits: 1999, currency: "EUR").display == "€19.99")
        #expect(Money(minorUnits: 1999, currency: "CNY").display == "¥19.99")
        #expect(Money(minorUnits: 1999, currency: "SGD").display == "SGD 19.99")
    }

    @Test func adding() {
        #expect(Self.usd(1250).adding(Self.usd(-250)) == Self.usd(1000))
        #expect(Self.usd(0).adding(Self.usd(0)) == Self.usd(0))
        #expect(Self.usd(100).adding(Money(minorUnits: 100, currency: "HKD")) == nil)
        #expect(Self.usd(Int64.max).adding(Self.usd(1)) == nil)
        #expect(Self.usd(Int64.min).adding(Self.usd(-1)) == nil)
        #expect(Self.usd(Int64.max).adding(Self.usd(-1)) == Self.usd(Int64.max - 1))
    }

    @Test func decimalStringParsesBackToTheSameAmount() throws {
        for n in stride(from: Int64(-1_000_003), through: 1_000_003, by: 997) {
            for currency in ["USD", "HKD", "GBP", "JPY"] {
                let money = Money(minorUnits: n, currency: currency)
                #expect(try Money.parse(decimal: money.decimalString, currency: currency, allowNegative: true) == money)
            }
        }
        for n: Int64 in [0, 1, 9, 10, 99, 100, 101, 99_999_999_999_999, -99_999_999_999_999] {
            let money = Self.usd(n)
            #expect(try Money.parse(decimal: money.decimalString, currency: "USD", allowNegative: true) == money)
        }
    }
}

import Testing
@testable import BaohaoCore
import BaohaoSupport

/// The payment rules without a database: when a pre-checkout is a yes, and what a payment does.
@Suite struct OrderRulesTests {
    let now = Instant(iso: "2026-12-05T10:00:00.000Z")!

    func facts(_ state: OrderState = .invoiced, expiresIn minutes: Int64 = 60, status: LineStatus? = .active, current: Int64? = 900) -> OrderFacts {
        OrderFacts(state: state, expiresAt: now.adding(seconds: minutes * 60), invoiceAmount: 900, invoiceCurrency: "USD", lineStatus: status, currentAmount: current)
    }

    @Test func aPayableOrderIsAYes() {
        #expect(OrderRules.precheck(facts(), currency: "USD", total: 900, at: now) == nil)
        #expect(OrderRules.precheck(facts(.created), currency: "USD", total: 900, at: now) == nil)
        #expect(OrderRules.precheck(facts(.prechecked), currency: "USD", total: 900, at: now) == nil, "pressing Pay twice")
        #expect(OrderRules.precheck(facts(status: .grace), currency: "USD", total: 900, at: now) == nil, "a line in grace is what renewing is for")
    }

    @Test func everyReasonToSayNo() {
        #expect(OrderRules.precheck(nil, currency: "USD", total: 900, at: now) == .unknownOrder)
        #expect(OrderRules.precheck(facts(expiresIn: 0), currency: "USD", total: 900, at: now) == .expired)
        #expect(OrderRules.precheck(facts(.expired), currency: "USD", total: 900, at: now) == .expired)
        for state in [OrderState.paid, .applied, .refunded] { #expect(OrderRules.precheck(facts(state), currency: "USD", total: 900, at: now) == .alreadyPaid) }
        #expect(OrderRules.precheck(facts(.refused), currency: "USD", total: 900, at: now) == .closed)
        for status in [LineStatus.recycled, .cancelled, .portingOut] {
            #expect(OrderRules.precheck(facts(status: status), currency: "USD", total: 900, at: now) == .lineUnavailable)
        }
        #expect(OrderRules.precheck(facts(status: nil), currency: "USD", total: 900, at: now) == .lineUnavailable, "unbound meanwhile")
        #expect(OrderRules.precheck(facts(current: 1200), currency: "USD", total: 900, at: now) == .priceChanged)
        #expect(OrderRules.precheck(facts(current: nil), currency: "USD", total: 900, at: now) == .priceChanged, "option withdrawn")
        #expect(OrderRules.precheck(facts(), currency: "USD", total: 899, at: now) == .priceChanged)
        #expect(OrderRules.precheck(facts(), currency: "HKD", total: 900, at: now) == .priceChanged)
    }

    @Test func aPaymentIsAppliedOnceOrHandedBackForARefund() {
        #expect(OrderRules.afterPayment(facts(.prechecked), chargeSeen: false) == .apply)
        #expect(OrderRules.afterPayment(facts(.prechecked), chargeSeen: true) == .duplicate)
        #expect(OrderRules.afterPayment(facts(.expired), chargeSeen: false) == .apply, "Telegram took the money after a yes: honoured")
        #expect(OrderRules.afterPayment(facts(.prechecked, status: .cancelled), chargeSeen: false) == .refund(.lineUnavailable))
        #expect(OrderRules.afterPayment(facts(.applied), chargeSeen: false) == .refund(.alreadyPaid), "a second charge for one order")
        #expect(OrderRules.afterPayment(nil, chargeSeen: false) == .refund(.unknownOrder))
    }
}

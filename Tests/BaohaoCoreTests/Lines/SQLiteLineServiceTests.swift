import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// A line service on a fresh temporary database, standing at noon UTC of `date`.
func makeLineService(at date: String = "2026-11-22") async throws -> (SQLiteLineService, ManualWallClock) {
    let database = try await Database.open(path: temporaryDatabase("lines"), migrations: BaohaoSchema.migrations)
    let clock = ManualWallClock(date)
    return (SQLiteLineService(database: database, catalogue: testCatalogue(), clock: clock), clock)
}

func importRow(
    _ number: String, carrier: String = "testus", plan: String = "basic", balance: Int64 = 1000, currency: String = "USD",
    expires: String = "2026-12-31", autoRenew: Bool = false, note: String = "", line: Int = 2
) -> LineImportRow {
    LineImportRow(
        line: line, number: PhoneNumber(e164: number)!, carrier: carrier, plan: plan, balance: Money(minorUnits: balance, currency: currency),
        expiresOn: CivilDate(iso: expires)!, autoRenew: autoRenew, note: note)
}

let operatorActor = LineActor.operator("test")
let usNumber = PhoneNumber(e164: "+12125550142")!
let hkNumber = PhoneNumber(e164: "+85291234567")!

@Suite struct SQLiteLineServiceTests {
    @Test func importCreatesLinesWithLedgerRowsAndReimportUpdatesByNumber() async throws {
        let (service, _) = try await makeLineService()
        let first = try await service.importLines([importRow(usNumber.e164), importRow(hkNumber.e164, carrier: "testhk", plan: "prepaid", balance: 5000, currency: "HKD")], by: operatorActor)
        #expect(first == LineImportSummary(created: 2, updated: 0, unchanged: 0))
        let again = try await service.importLines(
            [importRow(usNumber.e164, balance: 1250, expires: "2027-01-15"), importRow(hkNumber.e164, carrier: "testhk", plan: "prepaid", balance: 5000, currency: "HKD")],
            by: operatorActor)
        #expect(again == LineImportSummary(created: 0, updated: 1, unchanged: 1))
        let line = try await service.line(usNumber, visibleTo: operatorActor)
        #expect(line.balanceMinor == 1250)
        #expect(line.expiresOn == CivilDate(iso: "2027-01-15"))
        let ledger = try await service.ledger(usNumber, visibleTo: operatorActor)
        #expect(ledger.map(\.reason) == ["imported", "import_update"])
        #expect(ledger[0].balanceDeltaMinor == 1000 && ledger[0].expiresBefore == nil)
        #expect(ledger[1].balanceDeltaMinor == 250 && ledger[1].balanceAfterMinor == 1250)
        #expect(ledger[1].expiresBefore == CivilDate(iso: "2026-12-31") && ledger[1].expiresAfter == CivilDate(iso: "2027-01-15"))
        #expect(try await service.ledger(hkNumber, visibleTo: operatorActor).count == 1)
    }

    @Test func aRenewalWithTheSameReferenceAppliesOnce() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164, expires: "2026-12-01")], by: operatorActor)
        let first = try await service.renew(usNumber, .option("1m"), reference: "order-1", by: operatorActor)
        #expect(first.previousExpiry == CivilDate(iso: "2026-12-01"))
        #expect(first.newExpiry == CivilDate(iso: "2026-12-31"))
        #expect(first.priceMinor == 300)
        let retry = try await service.renew(usNumber, .option("1m"), reference: "order-1", by: operatorActor)
        #expect(retry == first)
        let line = try await service.line(usNumber, visibleTo: operatorActor)
        #expect(line.expiresOn == CivilDate(iso: "2026-12-31"))
        #expect(try await service.ledger(usNumber, visibleTo: operatorActor).filter { $0.reason == "renewal" }.count == 1)
        await #expect(throws: LineError.referenceReused("order-1", firstUse: "renew|+12125550142|cycle 1m")) {
            try await service.renew(usNumber, .option("3m"), reference: "order-1", by: operatorActor)
        }
        let third = try await service.renew(usNumber, .option("3m"), reference: "order-2", by: operatorActor)
        #expect(third.newExpiry == CivilDate(iso: "2027-03-31"))
    }

    @Test func aStoredValueTopUpMovesExpiryByTheTierAndAddsToTheBalance() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(hkNumber.e164, carrier: "testhk", plan: "prepaid", balance: 1234, currency: "HKD", expires: "2026-12-10")], by: operatorActor)
        let receipt = try await service.renew(hkNumber, .amount(Money(minorUnits: 5000, currency: "HKD")), reference: "hk-1", by: operatorActor)
        // Noon UTC is 20:00 in Hong Kong: still 2026-11-22 there.
        #expect(receipt.newExpiry == CivilDate(iso: "2026-11-22")!.adding(days: 180))
        #expect(receipt.balanceAfterMinor == 6234)
        await #expect(throws: LineError.refused(.belowMinimum(Money(minorUnits: 500, currency: "HKD"), minimum: Money(minorUnits: 1000, currency: "HKD")))) {
            try await service.renew(hkNumber, .amount(Money(minorUnits: 500, currency: "HKD")), reference: "hk-2", by: operatorActor)
        }
        await #expect(throws: LineError.refused(.optionsNotOffered(carrier: testCatalogue().carrier("testhk")!.names.english))) {
            try await service.renew(hkNumber, .option("1m"), reference: "hk-3", by: operatorActor)
        }
        // A refused request leaves no trace: the reference can be used once it is right.
        let ledger = try await service.ledger(hkNumber, visibleTo: operatorActor)
        #expect(ledger.map(\.reason) == ["imported", "top_up"])
        _ = try await service.renew(hkNumber, .amount(Money(minorUnits: 1000, currency: "HKD")), reference: "hk-2", by: operatorActor)
    }

    @Test func theLedgerAccountsForEveryChange() async throws {
        let (service, clock) = try await makeLineService()
        _ = try await service.importLines([importRow(hkNumber.e164, carrier: "testhk", plan: "prepaid", balance: 0, currency: "HKD", expires: "2026-11-30")], by: operatorActor)
        for (i, amount) in [1000, 5000, 2500, 10_000].enumerated() {
            clock.advance(seconds: 86_400 * 3)
            _ = try await service.renew(hkNumber, .amount(Money(minorUnits: Int64(amount), currency: "HKD")), reference: "t\(i)", by: operatorActor)
        }
        _ = try await service.requestCancellation(hkNumber, reference: "c", by: operatorActor)
        let line = try await service.line(hkNumber, visibleTo: operatorActor)
        let ledger = try await service.ledger(hkNumber, visibleTo: operatorActor)
        #expect(ledger.count == 6)
        #expect(ledger.reduce(0) { $0 + $1.balanceDeltaMinor } == line.balanceMinor)
        #expect(line.balanceMinor == 18_500)
        #expect(ledger.last?.balanceAfterMinor == line.balanceMinor)
        #expect(ledger.last?.expiresAfter == line.expiresOn)
        for (previous, next) in zip(ledger, ledger.dropFirst()) {
            #expect(next.expiresBefore == previous.expiresAfter)
            #expect(next.balanceAfterMinor == previous.balanceAfterMinor + next.balanceDeltaMinor)
            #expect(next.requestBefore == previous.requestAfter)
        }
        #expect(ledger.last?.requestAfter == "cancel_pending")
    }

    @Test func cancellationIsPendingUntilAnOperatorConfirmsAndStatesTheRefundRule() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164, balance: 700)], by: operatorActor)
        try await bind(service, usNumber, chat: 42)
        let pending = try await service.requestCancellation(usNumber, reference: "c1", by: .chat(42))
        #expect(pending.state == .pending)
        #expect(pending.refundRule == testCatalogue().carrier("testus")!.refundRule)
        #expect(pending.balanceMinor == 700)
        #expect(try await service.line(usNumber, visibleTo: .chat(42)).request == .cancelPending)
        // Asking again changes nothing.
        _ = try await service.requestCancellation(usNumber, reference: "c2", by: .chat(42))
        #expect(try await service.ledger(usNumber, visibleTo: operatorActor).filter { $0.reason == "cancel_requested" }.count == 1)
        await #expect(throws: LineError.operatorsOnly("confirm a cancellation")) {
            try await service.confirmCancellation(usNumber, reference: "c3", by: .chat(42))
        }
        let done = try await service.confirmCancellation(usNumber, reference: "c3", by: operatorActor)
        #expect(done.state == .cancelled)
        #expect(try await service.line(usNumber, visibleTo: operatorActor).status == .cancelled)
        await #expect(throws: LineError.terminal(usNumber.e164, .cancelled)) {
            try await service.renew(usNumber, .option("1m"), reference: "r", by: operatorActor)
        }
        await #expect(throws: LineError.noPendingCancellation(usNumber.e164)) {
            try await service.confirmCancellation(usNumber, reference: "c4", by: operatorActor)
        }
    }

    @Test func portOutIsRecordedWithTheCredentialAndEndsCancelledOrBack() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164), importRow(hkNumber.e164, carrier: "testhk", plan: "prepaid", currency: "HKD")], by: operatorActor)
        let receipt = try await service.requestPortOut(usNumber, reference: "p1", by: operatorActor)
        #expect(receipt.credential == testCatalogue().carrier("testus")!.portOutCredential.rawValue)
        #expect(try await service.line(usNumber, visibleTo: operatorActor).status == .portingOut)
        await #expect(throws: LineError.portingOut(usNumber.e164)) {
            try await service.renew(usNumber, .option("1m"), reference: "r1", by: operatorActor)
        }
        let failed = try await service.finishPortOut(usNumber, succeeded: false, reference: "p2", by: operatorActor)
        #expect(failed.status == .active)
        _ = try await service.requestPortOut(hkNumber, reference: "p3", by: operatorActor)
        let done = try await service.finishPortOut(hkNumber, succeeded: true, reference: "p4", by: operatorActor)
        #expect(done.status == .cancelled)
        #expect(try await service.ledger(hkNumber, visibleTo: operatorActor).last?.reason == "ported_out")
    }

    @Test func aStatusFollowsTheCarriersDatesAtTheInjectedInstant() async throws {
        let (service, clock) = try await makeLineService(at: "2026-11-30")
        _ = try await service.importLines([importRow(usNumber.e164, expires: "2026-11-30")], by: operatorActor)
        #expect(try await service.line(usNumber, visibleTo: operatorActor).status == .expiringSoon)
        clock.advance(seconds: 86_400)
        #expect(try await service.line(usNumber, visibleTo: operatorActor).status == .grace)
        clock.advance(seconds: 86_400 * 30)
        #expect(try await service.line(usNumber, visibleTo: operatorActor).status == .suspended)
        clock.advance(seconds: 86_400 * 30)
        #expect(try await service.line(usNumber, visibleTo: operatorActor).status == .recycled)
        await #expect(throws: LineError.terminal(usNumber.e164, .recycled)) {
            try await service.renew(usNumber, .option("1m"), reference: "late", by: operatorActor)
        }
    }

    @Test func listFiltersByStatusAndExpiry() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines(
            [
                importRow("+12125550101", expires: "2027-03-01"),
                importRow("+12125550102", expires: "2026-11-25"),
                importRow("+12125550103", expires: "2026-11-20"),
                importRow("+12125550104", expires: "2026-01-01"),
            ], by: operatorActor)
        #expect(try await service.list(LineFilter(status: .expiringSoon)).map(\.number.e164) == ["+12125550102"])
        #expect(try await service.list(LineFilter(status: .grace)).map(\.number.e164) == ["+12125550103"])
        #expect(try await service.list(LineFilter(status: .recycled)).map(\.number.e164) == ["+12125550104"])
        #expect(try await service.list(LineFilter(expiringWithinDays: 10)).map(\.number.e164) == ["+12125550103", "+12125550102"])
        #expect(try await service.list().count == 4)
    }
}

/// Binds `number` to `chat` through an operator's code.
func bind(_ service: SQLiteLineService, _ number: PhoneNumber, chat: Int64) async throws {
    let code = try await service.issueBindingCode(for: number, by: operatorActor).code
    guard case .bound = try await service.redeemBindingCode(code, chat: chat) else {
        Issue.record("binding \(number) to chat \(chat) failed")
        return
    }
}

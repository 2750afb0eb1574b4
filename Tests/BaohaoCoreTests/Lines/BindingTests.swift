import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

@Suite struct BindingTests {
    @Test func aCodeBindsOnceAndIsStoredOnlyAsASaltedHash() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164)], by: operatorActor)
        let issued = try await service.issueBindingCode(for: usNumber, by: operatorActor)
        #expect(issued.code.count == 10)
        let stored = try await service.database.read { db in
            try db.query("SELECT salt, hash FROM binding_codes") { ($0.blob(0), $0.blob(1)) }
        }
        #expect(stored.count == 1)
        #expect(stored[0].0.count == 16 && stored[0].1.count == 32)
        #expect(stored[0].1 == BindingCode.hash(code: issued.code, salt: stored[0].0))
        let dump = try await service.database.read { db in
            try db.query("SELECT * FROM binding_codes") { row in (0..<row.count).map { "\(row.value($0))" }.joined(separator: "|") }
        }
        #expect(!dump.joined().contains(issued.code))

        // Typed loosely: lower case with a dash still works.
        let typed = issued.code.lowercased().prefix(5) + "-" + issued.code.lowercased().suffix(5)
        guard case .bound(let view) = try await service.redeemBindingCode(String(typed), chat: 7) else {
            Issue.record("the code did not bind")
            return
        }
        #expect(view.number == usNumber)
        #expect(try await service.lines(visibleTo: .chat(7)).map(\.number) == [usNumber])
        #expect(try await service.redeemBindingCode(issued.code, chat: 8) == .rejected(attemptsLeft: 4))
        #expect(try await service.lines(visibleTo: .chat(8)).isEmpty)
    }

    @Test func aCodeExpiresAfter24Hours() async throws {
        let (service, clock) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164)], by: operatorActor)
        let code = try await service.issueBindingCode(for: usNumber, by: operatorActor).code
        clock.advance(seconds: 24 * 3600)
        #expect(try await service.redeemBindingCode(code, chat: 7) == .rejected(attemptsLeft: 4))
        let fresh = try await service.issueBindingCode(for: usNumber, by: operatorActor).code
        clock.advance(seconds: 24 * 3600 - 1)
        guard case .bound = try await service.redeemBindingCode(fresh, chat: 7) else {
            Issue.record("a code one second before expiry did not bind")
            return
        }
    }

    @Test func aNewCodeReplacesTheUnusedOne() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164)], by: operatorActor)
        let old = try await service.issueBindingCode(for: usNumber, by: operatorActor).code
        let new = try await service.issueBindingCode(for: usNumber, by: operatorActor).code
        #expect(try await service.redeemBindingCode(old, chat: 7) == .rejected(attemptsLeft: 4))
        guard case .bound = try await service.redeemBindingCode(new, chat: 7) else {
            Issue.record("the new code did not bind")
            return
        }
    }

    @Test func fiveFailuresInAnHourLockTheChatOutForAnHour() async throws {
        let (service, clock) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164)], by: operatorActor)
        let code = try await service.issueBindingCode(for: usNumber, by: operatorActor).code
        for left in [4, 3, 2, 1] {
            #expect(try await service.redeemBindingCode("WRONGCODE0", chat: 9) == .rejected(attemptsLeft: left))
            clock.advance(seconds: 600)
        }
        let lockedAt = clock.now()
        #expect(try await service.redeemBindingCode("not even a code", chat: 9) == .lockedOut(until: lockedAt.adding(seconds: 3600)))
        // The right code is refused while locked, and another chat is not affected.
        #expect(try await service.redeemBindingCode(code, chat: 9) == .lockedOut(until: lockedAt.adding(seconds: 3600)))
        #expect(try await service.redeemBindingCode("WRONGCODE0", chat: 10) == .rejected(attemptsLeft: 4))
        clock.advance(seconds: 3600)
        guard case .bound = try await service.redeemBindingCode(code, chat: 9) else {
            Issue.record("the chat is still locked after an hour")
            return
        }
    }

    @Test func failuresSpreadOverMoreThanAnHourDoNotLock() async throws {
        let (service, clock) = try await makeLineService()
        for _ in 0..<8 {
            let outcome = try await service.redeemBindingCode("WRONGCODE0", chat: 9)
            guard case .rejected = outcome else {
                Issue.record("locked out by failures 15 minutes apart: \(outcome)")
                return
            }
            clock.advance(seconds: 15 * 60 + 1)
        }
    }

    @Test func aChatSeesNothingOfALineItHasNotBound() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164), importRow("+12125550199")], by: operatorActor)
        try await bind(service, usNumber, chat: 1)
        let stranger = LineActor.chat(2)
        let missing = PhoneNumber(e164: "+12125550177")!
        for number in [usNumber, missing] {
            let expected = LineError.notFound(number.masked)
            await #expect(throws: expected) { try await service.line(number, visibleTo: stranger) }
            await #expect(throws: expected) { try await service.ledger(number, visibleTo: stranger) }
            await #expect(throws: expected) { try await service.quote(number, visibleTo: stranger) }
            await #expect(throws: expected) { try await service.renew(number, .option("1m"), reference: "x-\(number)", by: stranger) }
            await #expect(throws: expected) { try await service.requestCancellation(number, reference: "y-\(number)", by: stranger) }
            await #expect(throws: expected) { try await service.requestPortOut(number, reference: "z-\(number)", by: stranger) }
        }
        await #expect(throws: LineError.operatorsOnly("issue binding codes")) { try await service.issueBindingCode(for: usNumber, by: .chat(1)) }
        #expect(try await service.lines(visibleTo: stranger).isEmpty)
        #expect(try await service.lines(visibleTo: .chat(1)).map(\.number) == [usNumber])
        #expect(try await service.lines(visibleTo: operatorActor).count == 2)
    }

    @Test func unbindingIsTheChatsOwn() async throws {
        let (service, _) = try await makeLineService()
        _ = try await service.importLines([importRow(usNumber.e164)], by: operatorActor)
        try await bind(service, usNumber, chat: 1)
        try await bind(service, usNumber, chat: 2)
        #expect(try await service.unbind(usNumber, chat: 1))
        #expect(try await !service.unbind(usNumber, chat: 1))
        #expect(try await service.lines(visibleTo: .chat(1)).isEmpty)
        #expect(try await service.lines(visibleTo: .chat(2)).map(\.number) == [usNumber])
        #expect(try await service.chats(boundTo: usNumber) == [2])
    }
}

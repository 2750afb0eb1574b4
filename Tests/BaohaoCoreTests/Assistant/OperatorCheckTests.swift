import BaohaoSupport
import Storage
import Testing
import Understanding
@testable import BaohaoCore

/// The router's one operator check, over every operator-only command and button the enums
/// define: a customer's attempt is refused and audited once, changes nothing, reaches no
/// other chat, and gets the customer's assistant; an operator's is audited and served.
@Suite struct OperatorCheckTests {
    static let stranger: Int64 = 77

    func state(_ d: Dialogue) async throws -> (generation: Int64, operators: Int, tickets: Int, audit: Int) {
        try await d.database.read { db in
            (
                try FAQStore.generation(db), try OperatorRoles.stored(db).count,
                try db.queryFirst("SELECT count(*) FROM tickets WHERE closed_at IS NULL") { $0.int(0) } ?? -1,
                try OperatorRoles.auditTrail(db, limit: 10_000).count
            )
        }
    }

    @Test(arguments: ChatCommandTests.everyCase.filter(\.isOperatorOnly))
    func aCustomersOperatorCommandIsRefusedOnceAndChangesNothing(_ command: ChatCommand) async throws {
        let d = try await Dialogue()
        // A customer with an open ticket, so /reply and /close have something to act on.
        _ = try await d.say("/agent", chat: 501)
        let before = try await state(d)
        let reply = try await d.say(command.text, chat: Self.stranger)
        let after = try await state(d)
        #expect(after.generation == before.generation && after.operators == before.operators && after.tickets == before.tickets)
        let trail = try await d.database.read { db in try OperatorRoles.auditTrail(db, limit: 10) }
        #expect(after.audit == before.audit + 1)
        #expect(trail.first.map { [$0.actor, $0.action, $0.detail] } == ["user:77", "refused", command.text])
        #expect(reply.notices(to: 501).isEmpty && reply.notices(to: Dialogue.operatorChat).isEmpty)
        #expect(reply.buttons.allSatisfy { ButtonPayload(encoded: $0.payload)?.isOperatorOnly == false })
        #expect(!reply.replies.isEmpty, "the customer still gets an answer")
    }

    @Test(arguments: ButtonPayloadTests.everyCase.filter(\.isOperatorOnly))
    func aCustomersOperatorButtonIsRefusedOnceAndChangesNothing(_ payload: ButtonPayload) async throws {
        let d = try await Dialogue()
        let before = try await state(d)
        let reply = try await d.press(payload: payload.encoded, chat: Self.stranger)
        let after = try await state(d)
        #expect(after.generation == before.generation && after.operators == before.operators)
        let trail = try await d.database.read { db in try OperatorRoles.auditTrail(db, limit: 10) }
        #expect(after.audit == before.audit + 1)
        #expect(trail.first.map { [$0.actor, $0.action, $0.detail] } == ["user:77", "refused", "button " + payload.encoded])
        #expect(reply.text == HTML.plainText(ShippedAssistantData.replies.text(.help, .zhHans)))
    }

    @Test func anOperatorsCommandIsAuditedOnceAndServed() async throws {
        let d = try await Dialogue()
        let before = try await state(d)
        let reply = try await d.say("/faq show ultra-renew", chat: Dialogue.operatorUser)
        #expect(reply.text.contains("ultra-renew"))
        let trail = try await d.database.read { db in try OperatorRoles.auditTrail(db, limit: 10) }
        #expect(try await state(d).audit == before.audit + 1)
        #expect(trail.first.map { [$0.actor, $0.action, $0.detail] } == ["user:\(Dialogue.operatorUser)", "command", "/faq show ultra-renew"])
    }

    @Test func aForgedConsoleButtonIsStillCheckedAndAudited() async throws {
        let d = try await Dialogue()
        for (user, action, detail) in [(Self.stranger, "refused", "button fq:bogus"), (Dialogue.operatorUser, "button", "un:n:1:x")] {
            let payload = detail.hasPrefix("button ") ? String(detail.dropFirst(7)) : detail
            let reply = try await d.press(payload: payload, chat: user, user: user)
            let trail = try await d.database.read { db in try OperatorRoles.auditTrail(db, limit: 1) }
            #expect(trail.first.map { [$0.actor, $0.action, $0.detail] } == ["user:\(user)", action, detail])
            #expect(!reply.replies.isEmpty)
        }
        // Nothing was drafted or resolved for the operator's forged inbox press.
        #expect(try await d.database.read { db in try FAQDraft.load(db, chat: Dialogue.operatorUser, at: d.clock.now()) } == nil)
    }

    @Test func theAuditKeepsTheCommandAsTyped() async throws {
        let d = try await Dialogue()
        _ = try await d.say("/close T000001 extra words", chat: Self.stranger)
        let trail = try await d.database.read { db in try OperatorRoles.auditTrail(db, limit: 1) }
        #expect(trail.first?.detail == "/close T000001 extra words")
    }
}

import Testing
@testable import BaohaoCore
import BaohaoSupport

/// The ticket's states, owner and timers, without a database.
@Suite struct TicketLifecycleTests {
    let t0 = Instant(iso: "2026-12-05T10:00:00.000Z")!

    func at(_ minutes: Int64) -> Instant { t0.adding(seconds: minutes * 60) }

    @Test func aFirstAnswerMakesItWaitAndGivesItAnOwner() {
        var ticket = TicketLifecycle(awaitingSince: t0)
        #expect(ticket.apply(.operatorAnswered(id: 9, name: "Ann"), at: at(3)) == [.refreshCard])
        #expect(ticket.state == .waiting)
        #expect(ticket.ownerID == 9 && ticket.ownerName == "Ann")
        #expect(ticket.firstResponseAt == at(3))
        #expect(ticket.awaitingSince == nil)
        // Another operator answering does not take it over, and nothing on the card changes.
        #expect(ticket.apply(.operatorAnswered(id: 10, name: "Bo"), at: at(4)).isEmpty)
        #expect(ticket.ownerID == 9 && ticket.firstResponseAt == at(3))
        // `/assign` does.
        #expect(ticket.apply(.assigned(id: 10, name: "Bo"), at: at(5)) == [.refreshCard])
        #expect(ticket.ownerID == 10)
        #expect(ticket.apply(.assigned(id: 10, name: "Bo"), at: at(6)).isEmpty)
    }

    @Test func theCustomerWritingAgainStartsTheNextResponseTimer() {
        var ticket = TicketLifecycle(awaitingSince: t0)
        _ = ticket.apply(.operatorAnswered(id: 9, name: "Ann"), at: at(2))
        #expect(ticket.apply(.customerWrote, at: at(20)) == [.refreshCard])
        #expect(ticket.state == .open && ticket.awaitingSince == at(20))
        // More messages while still unanswered keep the timer's start.
        #expect(ticket.apply(.customerWrote, at: at(25)).isEmpty)
        #expect(ticket.awaitingSince == at(20))
    }

    @Test func closingClosesTheTopicOnceAndTheNextMessageReopensIt() {
        var ticket = TicketLifecycle(awaitingSince: t0)
        #expect(ticket.apply(.closed, at: at(10)) == [.closeTopic, .refreshCard])
        #expect(ticket.state == .closed && ticket.closedAt == at(10) && ticket.awaitingSince == nil)
        #expect(ticket.apply(.closed, at: at(11)).isEmpty)
        #expect(ticket.apply(.operatorAnswered(id: 9, name: "Ann"), at: at(12)).isEmpty, "an answer does not reopen it")
        #expect(ticket.takesCustomerMessages(at: at(60), reopenWithinSeconds: 3600))
        #expect(!ticket.takesCustomerMessages(at: at(71), reopenWithinSeconds: 3600))
        #expect(!ticket.takesCustomerMessages(at: at(11), reopenWithinSeconds: 0))
        #expect(ticket.apply(.customerWrote, at: at(30)) == [.reopenTopic, .refreshCard])
        #expect(ticket.state == .open && ticket.awaitingSince == at(30) && ticket.closedAt == nil)
    }

    @Test func anUnansweredWaitIsFlaggedInTheTopicThenInTheGeneralTopicOnce() {
        var ticket = TicketLifecycle(awaitingSince: t0)
        #expect(ticket.dueFlag(at: at(9), flagAfter: 600, escalateAfter: 1800) == nil)
        #expect(ticket.dueFlag(at: at(10), flagAfter: 600, escalateAfter: 1800) == .topic(waitedSeconds: 600, firstResponse: true))
        ticket.flagged = 1
        #expect(ticket.dueFlag(at: at(29), flagAfter: 600, escalateAfter: 1800) == nil)
        #expect(ticket.dueFlag(at: at(31), flagAfter: 600, escalateAfter: 1800) == .general(waitedSeconds: 1860, firstResponse: true))
        ticket.flagged = 2
        #expect(ticket.dueFlag(at: at(90), flagAfter: 600, escalateAfter: 1800) == nil)
        // Answered, then the customer writes: the next response is timed from then.
        _ = ticket.apply(.operatorAnswered(id: 9, name: "Ann"), at: at(91))
        #expect(ticket.flagged == 0)
        #expect(ticket.dueFlag(at: at(200), flagAfter: 600, escalateAfter: 1800) == nil, "waiting for the customer is not timed")
        _ = ticket.apply(.customerWrote, at: at(200))
        #expect(ticket.dueFlag(at: at(211), flagAfter: 600, escalateAfter: 1800) == .topic(waitedSeconds: 660, firstResponse: false))
    }
}

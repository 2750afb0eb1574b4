import BaohaoSupport
import Testing
@testable import BaohaoCore
@testable import Telegram

/// The sender's round decisions, without I/O: which heads go, how long to wait, what results mean.
@Suite struct SenderStateTests {
    static func item(_ id: Int64, chat: Int64, attempts: Int = 0) -> Outbox.Item {
        let outbound: Outbound = chat == 0 ? .answerButton(callbackID: "cb\(id)", text: nil) : .send(OutboundMessage(chatID: chat, html: "m\(id)"))
        return Outbox.Item(id: id, chatID: chat, outbound: outbound, priority: .live, attempts: attempts)
    }

    /// One message a second to a chat, no burst, no global limit.
    static let oneASecond = SendScheduler.Limits(globalPerSecond: nil, globalBurst: 1, perChatPerSecond: 1, perChatBurst: 1, perGroupPerMinute: 20, perGroupBurst: 1)

    static func ids(_ plan: SenderState.Plan) -> [Int64]? {
        if case .send(let items) = plan { items.map(\.id) } else { nil }
    }

    @Test func nothingPendingIsIdle() {
        var state = SenderState(limits: Self.oneASecond)
        #expect(state.plan([], at: 0) == .skip(.idle))
    }

    @Test func oneHeadPerChatGoesAndButtonAnswersAlwaysGo() {
        var state = SenderState(limits: Self.oneASecond)
        let heads = [Self.item(1, chat: 5), Self.item(2, chat: 0), Self.item(3, chat: 5), Self.item(4, chat: 6), Self.item(5, chat: 0)]
        #expect(Self.ids(state.plan(heads, at: 0)) == [1, 2, 4, 5])
    }

    @Test func aLimitedChatWaitsAndTheSoonestWaitIsReturned() {
        var state = SenderState(limits: Self.oneASecond)
        #expect(Self.ids(state.plan([Self.item(1, chat: 5)], at: 0)) == [1])
        #expect(Self.ids(state.plan([Self.item(2, chat: 6)], at: 0.5)) == [2])
        // Chat 5 may go at 1.0 and chat 6 at 1.5: the soonest is 0.75 s away.
        guard case .skip(.wait(let seconds)) = state.plan([Self.item(3, chat: 6), Self.item(4, chat: 5)], at: 0.25) else {
            Issue.record("expected a wait")
            return
        }
        #expect(abs(seconds - 0.75) < 1e-9)
        // Another chat is not held up by them.
        #expect(Self.ids(state.plan([Self.item(3, chat: 6), Self.item(4, chat: 5), Self.item(5, chat: 7)], at: 0.25)) == [5])
    }

    @Test func aRoundTakesAtMostItsSize() {
        var state = SenderState(limits: .off)
        let heads = (1...300).map { Self.item(Int64($0), chat: Int64($0)) }
        #expect(Self.ids(state.plan(heads, at: 0)) == Array(1...Int64(SenderState.roundSize)))
    }

    @Test func failedConnectionsPauseTheRoundsLongerEachTimeUntilADelivery() {
        var state = SenderState(limits: .off)
        let heads = [Self.item(1, chat: 5)]
        var now = 10.0
        for pause in [0.5, 1, 2, 4, 8, 16, 30, 30] {
            let settlement = state.settle([(Self.item(1, chat: 5), .failure(.connect("refused")))], at: now)
            #expect(settlement.outcomes.map(\.outcome) == [.retryLater])
            #expect(!settlement.readNext, "no prefetch after a failed connection")
            #expect(state.plan(heads, at: now + pause / 2) == .skip(.wait(seconds: pause / 2)))
            now += pause
            #expect(Self.ids(state.plan(heads, at: now)) == [1])
        }
        // A delivery ends the pause and the next failure pauses the first pause again.
        let delivered = state.settle([(Self.item(1, chat: 5), .success(()))], at: now)
        #expect(delivered.readNext)
        #expect(state.pausedUntil == nil)
        _ = state.settle([(Self.item(2, chat: 5), .failure(.connect("refused")))], at: now)
        #expect(state.pausedUntil == now + 0.5)
    }

    @Test func aTooManyRequestsPausesTheChatOrTheQueue() {
        var state = SenderState(limits: SendScheduler.Limits(globalPerSecond: 30, globalBurst: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, perGroupBurst: 1))
        // Chat 5 sent its burst: the 429 is its own.
        for id in 1...3 { _ = state.plan([Self.item(Int64(id), chat: 5)], at: 0) }
        let chat = state.settle([(Self.item(3, chat: 5), .failure(.tooManyRequests(retryAfter: 7)))], at: 0)
        #expect(chat.notes == [.rateLimited(chat: 5, retryAfter: 7, global: false)])
        #expect(chat.outcomes.map(\.outcome) == [.wait(seconds: 7)])
        #expect(state.scheduler.delay(for: 5, at: 0) >= 7)
        #expect(state.scheduler.delay(for: 6, at: 0) == 0)
        // Chat 6 sent once: the limit was the global one, everything waits.
        _ = state.plan([Self.item(4, chat: 6)], at: 1)
        let global = state.settle([(Self.item(4, chat: 6), .failure(.tooManyRequests(retryAfter: 3)))], at: 1)
        #expect(global.notes == [.rateLimited(chat: 6, retryAfter: 3, global: true)])
        #expect(state.plan([Self.item(5, chat: 8)], at: 1) == .skip(.wait(seconds: 3)))
    }

    @Test func resultsAreDecidedPerItem() {
        var state = SenderState(limits: .off)
        let results: [(Outbox.Item, Result<Void, BotAPIError>)] = [
            (Self.item(1, chat: 1), .success(())),
            (Self.item(2, chat: 2), .failure(.forbidden("Forbidden: bot was blocked by the user"))),
            (Self.item(3, chat: 3), .failure(.noResponse("timeout"))),
            (Self.item(4, chat: 4, attempts: 1), .failure(.noResponse("timeout"))),
            (Self.item(5, chat: 5), .failure(.badRequest("Bad Request: message is not modified"))),
            (Self.item(6, chat: 6), .failure(.badRequest("Bad Request: chat not found"))),
        ]
        let settlement = state.settle(results, at: 0)
        #expect(settlement.outcomes.map(\.item.id) == [1, 2, 3, 4, 5, 6])
        #expect(
            settlement.outcomes.map(\.outcome) == [
                .delivered, .chatInactive("Forbidden: bot was blocked by the user"), .retryCounted("no response, the message may have been delivered: timeout"),
                .retryCounted("no response, the message may have been delivered: timeout"), .delivered, .dead("Bad Request: chat not found"),
            ])
        #expect(settlement.notes.isEmpty)
        #expect(settlement.readNext)
        #expect(state.stopped == nil)
    }

    @Test func aRefusedTokenStopsTheSender() {
        var state = SenderState(limits: .off)
        let settlement = state.settle([(Self.item(1, chat: 1), .failure(.unauthorized))], at: 0)
        #expect(state.stopped == BotAPIError.unauthorized.description)
        #expect(settlement.notes == [.stopped(BotAPIError.unauthorized.description)])
    }

    /// The circuit breaker: a round in which every send failed with a 5xx pauses the whole
    /// sender (longer each time), the next round sends one item as a probe, and a delivery
    /// ends it; no item is given up meanwhile.
    @Test func anOutagePausesEverySendAndProbesWithOneItem() {
        var state = SenderState(limits: .off)
        let heads = (1...5).map { Self.item(Int64($0), chat: Int64(10 + $0)) }
        var now = 0.0
        #expect(Self.ids(state.plan(heads, at: now)) == [1, 2, 3, 4, 5])
        var pauses: [Double] = []
        for round in 0..<3 {
            let sent = round == 0 ? heads : [heads[0]]
            let settlement = state.settle(sent.map { ($0, .failure(.server(status: 502, body: "<html>"))) }, at: now)
            #expect(settlement.outcomes.allSatisfy { $0.outcome == .retryCounted("HTTP 502 Bad Gateway") })
            #expect(!settlement.readNext)
            guard case .skip(.wait(let pause)) = state.plan(heads, at: now) else {
                Issue.record("no pause after a failed round")
                return
            }
            pauses.append(pause)
            // Past the pause and the items' own backoff (at most a minute), one item goes.
            now += max(pause, SenderState.longestRetrySeconds)
            #expect(Self.ids(state.plan(heads, at: now)) == [1], "a probe of one item")
        }
        #expect(pauses == pauses.sorted() && pauses[2] > pauses[0], "\(pauses)")
        _ = state.settle([(heads[0], .success(()))], at: now)
        #expect(Self.ids(state.plan(Array(heads.dropFirst()), at: now)) == [2, 3, 4, 5], "a delivery closes the breaker")
        // One failing chat among deliveries pauses nothing but that chat, for its own backoff.
        let mixed = state.settle([(heads[1], .failure(.server(status: 500, body: ""))), (heads[2], .success(()))], at: now)
        #expect(mixed.readNext)
        #expect(Self.ids(state.plan([heads[1], heads[3]], at: now)) == [4])
        let wait = state.retryAt[2]! - now
        #expect(wait >= 0.5 * SenderState.firstRetrySeconds && wait <= SenderState.firstRetrySeconds, "a first failure waits 0.5 to 1 s: \(wait)")
        #expect(Self.ids(state.plan([heads[1]], at: now + wait)) == [2])
    }

    /// Each failed attempt waits longer (doubling up to a minute), with jitter that differs
    /// between items, so items that failed together do not all come back at once.
    @Test func retriesBackOffExponentiallyWithJitter() {
        for attempts in 1...12 {
            let base = min(SenderState.longestRetrySeconds, SenderState.firstRetrySeconds * Double(1 << (attempts - 1)))
            let delays = (1...200).map { SenderState.retryDelay(id: Int64($0), attempts: attempts) }
            #expect(delays.allSatisfy { $0 >= base * 0.5 && $0 <= base }, "attempt \(attempts)")
            #expect(Set(delays.map { Int($0 * 1000) }).count > 150, "jitter spreads the items")
        }
        #expect(SenderState.retryDelay(id: 7, attempts: 3) == SenderState.retryDelay(id: 7, attempts: 3), "deterministic")
    }

    /// A long text goes in parts, and the limits count every part: under 3 sends a second a
    /// three-part message fills the second, and the next chat's message waits.
    @Test func aSplitMessageSpendsOneSendOfTheLimitsPerPart() {
        var state = SenderState(limits: SendScheduler.Limits(globalPerSecond: 3, globalBurst: 3, perChatPerSecond: nil, perChatBurst: 3, perGroupPerMinute: nil, perGroupBurst: 1))
        let long = Outbox.Item(id: 1, chatID: 5, outbound: .send(OutboundMessage(chatID: 5, html: String(repeating: "余额查询。\n", count: 1500))), priority: .live, attempts: 0)
        #expect(MessageSplitter.split(long.message!.html).count == 3)
        #expect(Self.ids(state.plan([long, Self.item(2, chat: 6)], at: 0)) == [1])
        guard case .skip(.wait(let seconds)) = state.plan([Self.item(2, chat: 6)], at: 0.1) else {
            Issue.record("the short message went within the same second")
            return
        }
        #expect(seconds > 0.8)
        #expect(Self.ids(state.plan([Self.item(2, chat: 6)], at: 1.0)) == [2])
    }

    /// The configured lifetimes decide when a failing item is given up: a reply queued an
    /// hour ago under a 30-minute reply lifetime is a dead letter; a reminder is not.
    @Test func theConfiguredLifetimeDecidesWhenAFailingItemIsGivenUp() {
        var configuration = BotConfiguration()
        configuration.delivery.replyTTLSeconds = 1800
        var state = SenderState(limits: .off, lifetime: DeliveryLifetime(configuration: configuration))
        let now = Instant(iso: "2026-12-04T10:00:00.000Z")!
        var reply = Self.item(1, chat: 5, attempts: 3)
        reply.createdAt = now.adding(seconds: -3600)
        let reminder = Outbox.Item(id: 2, chatID: 6, outbound: .send(OutboundMessage(chatID: 6, html: "r")), priority: .bulk, attempts: 3, createdAt: now.adding(seconds: -3600))
        let settlement = state.settle([(reply, .failure(.server(status: 503, body: ""))), (reminder, .failure(.server(status: 503, body: "")))], at: 0, wallNow: now)
        #expect(settlement.outcomes.map(\.outcome) == [
            .dead("not delivered within 30 min (4 attempts; last: HTTP 503 Service Unavailable)"), .retryCounted("HTTP 503 Service Unavailable"),
        ])
    }

    /// What waited past its time is given up before it is sent: a reply after its lifetime,
    /// a reminder after the end of its expiry day (however young), with a reason that says
    /// how many attempts there were and the last failure.
    @Test func itemsWhoseTimePassedAreGivenUpUnsent() {
        let now = Instant(secondsSinceEpoch: 1_800_000_000)
        let state = SenderState(limits: .off)
        var oldReply = Self.item(1, chat: 5, attempts: 3)
        oldReply.createdAt = now.adding(seconds: -6 * 3600)
        oldReply.lastError = "HTTP 502 Bad Gateway"
        var youngReply = Self.item(2, chat: 6)
        youngReply.createdAt = now.adding(seconds: -6 * 3600 + 1)
        var staleReminder = Outbox.Item(
            id: 3, chatID: 7, outbound: .send(OutboundMessage(chatID: 7, html: "r")), priority: .bulk, attempts: 0, createdAt: now.adding(seconds: -60),
            expiresAt: now)
        var liveReminder = staleReminder
        liveReminder = Outbox.Item(
            id: 4, chatID: 8, outbound: .send(OutboundMessage(chatID: 8, html: "r")), priority: .bulk, attempts: 0, createdAt: now.adding(seconds: -23 * 3600),
            expiresAt: now.adding(seconds: 1))
        staleReminder.lastError = nil
        let (usable, expired) = state.sortOutExpired([oldReply, youngReply, staleReminder, liveReminder], wallNow: now)
        #expect(usable.map(\.id) == [2, 4])
        #expect(expired.map(\.item.id) == [1, 3])
        #expect(expired.map(\.reason) == [
            "not delivered within 6 h (3 attempts; last: HTTP 502 Bad Gateway)", "not delivered before its moment passed (0 attempts)",
        ])
    }

    /// An outage (every round failing) longer than five minutes is noted when a delivery
    /// ends it, with its start and end on the wall clock; a shorter one is not.
    @Test func anOutageLongerThanFiveMinutesIsNotedWhenItEnds() {
        for (minutes, noted) in [(4, false), (6, true)] {
            var state = SenderState(limits: .off)
            let start = Instant(secondsSinceEpoch: 1_800_000_000)
            var now = 0.0
            _ = state.settle([(Self.item(1, chat: 5), .failure(.connect("refused")))], at: now, wallNow: start)
            for step in 1...minutes {
                now += 60
                _ = state.settle([(Self.item(1, chat: 5), .failure(.server(status: 503, body: "")))], at: now, wallNow: start.adding(seconds: Int64(step) * 60 - 1))
            }
            let end = start.adding(seconds: Int64(minutes) * 60 + 1)
            let recovered = state.settle([(Self.item(1, chat: 5), .success(()))], at: now + 60, wallNow: end)
            #expect(recovered.notes == (noted ? [.outageEnded(since: start, until: end)] : []), "\(minutes) min")
            #expect(state.outageSince == nil)
        }
    }

    /// A text that failed part-way reports how far it got, so only the rest is sent again;
    /// an attempt that got no further than before reports nothing.
    @Test func progressIsReportedOnlyWhenAFailedAttemptGotFurther() {
        var state = SenderState(limits: .off)
        var item = Self.item(1, chat: 5)
        item.partsSent = 1
        let settlement = state.settle(
            [SenderState.Attempt(item, .failure(.server(status: 502, body: "")), partsSent: 2, lateNotice: false),
             SenderState.Attempt(Self.item(2, chat: 6), .failure(.server(status: 502, body: "")))], at: 0)
        #expect(settlement.progress.map(\.id) == [1])
        #expect(settlement.progress.first?.partsSent == 2)
    }
}

import Testing
@testable import Telegram

@Suite struct DeliveryOutcomeTests {
    @Test(arguments: [
        (BotAPIError.tooManyRequests(retryAfter: 7), 0, DeliveryOutcome.wait(seconds: 7)),
        (.connect("refused"), 3, .retryLater),
        (.noResponse("timeout"), 0, .retryCounted("no response, the message may have been delivered: timeout")),
        (.noResponse("timeout"), 5, .retryCounted("no response, the message may have been delivered: timeout")),
        (.server(status: 502, body: "<html><body>nginx</body></html>"), 0, .retryCounted("HTTP 502 Bad Gateway")),
        (.server(status: 502, body: "<html><body>nginx</body></html>"), 9, .retryCounted("HTTP 502 Bad Gateway")),
        (.server(status: 599, body: "<html>"), 0, .retryCounted("HTTP 599")),
        (.forbidden("Forbidden: bot was blocked by the user"), 0, .chatInactive("Forbidden: bot was blocked by the user")),
        (.badRequest("Bad Request: message is not modified: specified new message content"), 0, .delivered),
        (.badRequest("Bad Request: query is too old and response timeout expired or query ID is invalid"), 0, .delivered),
        (.badRequest("Bad Request: chat not found"), 0, .dead("Bad Request: chat not found")),
        (.unauthorized, 0, .stop(BotAPIError.unauthorized.description)),
    ])
    func eachErrorHasItsOutcome(error: BotAPIError, attempts: Int, expected: DeliveryOutcome) {
        // A reply queued a minute ago: well within its lifetime.
        #expect(DeliveryOutcome.after(error, attempts: attempts, age: 60) == expected)
    }

    /// A failure that may pass is retried for as long as the item is worth delivering (a live
    /// reply 6 h, a reminder or notice 24 h), then given up saying so; permanent refusals
    /// are not retried whatever the age.
    @Test func transientFailuresAreRetriedUntilTheItemsLifetimeEnds() {
        let reply = DeliveryLifetime.replySeconds
        #expect(DeliveryOutcome.after(.server(status: 503, body: ""), attempts: 40, age: reply - 1) == .retryCounted("HTTP 503 Service Unavailable"))
        #expect(DeliveryOutcome.after(.server(status: 503, body: ""), attempts: 40, age: reply) == .dead("not delivered within 6 h (41 attempts; last: HTTP 503 Service Unavailable)"))
        #expect(DeliveryOutcome.after(.noResponse("timeout"), attempts: 2, age: DeliveryLifetime.otherSeconds + 5, lifetime: DeliveryLifetime.otherSeconds)
            == .dead("not delivered within 24 h (3 attempts; last: no response, the message may have been delivered: timeout)"))
        #expect(DeliveryOutcome.after(.server(status: 502, body: ""), attempts: 3, age: reply + 60, lifetime: DeliveryLifetime.otherSeconds) == .retryCounted("HTTP 502 Bad Gateway"))
        #expect(DeliveryOutcome.after(.badRequest("Bad Request: chat not found"), attempts: 0, age: 0) == .dead("Bad Request: chat not found"))
    }
}

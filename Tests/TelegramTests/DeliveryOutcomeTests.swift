import Testing
@testable import Telegram

@Suite struct DeliveryOutcomeTests {
    @Test(arguments: [
        (BotAPIError.tooManyRequests(retryAfter: 7), 0, DeliveryOutcome.wait(seconds: 7)),
        (.connect("refused"), 3, .retryLater),
        (.noResponse("timeout"), 0, .retryCounted("no response: timeout")),
        (.noResponse("timeout"), 1, .dead("no response twice (the message may have been delivered): timeout")),
        (.server(status: 502, body: "<html><body>nginx</body></html>"), 0, .retryCounted("HTTP 502 Bad Gateway")),
        (.server(status: 502, body: "<html><body>nginx</body></html>"), 1, .dead("HTTP 502 Bad Gateway twice (the message may have been delivered)")),
        (.server(status: 599, body: "<html>"), 0, .retryCounted("HTTP 599")),
        (.forbidden("Forbidden: bot was blocked by the user"), 0, .chatInactive("Forbidden: bot was blocked by the user")),
        (.badRequest("Bad Request: message is not modified: specified new message content"), 0, .delivered),
        (.badRequest("Bad Request: query is too old and response timeout expired or query ID is invalid"), 0, .delivered),
        (.badRequest("Bad Request: chat not found"), 0, .dead("Bad Request: chat not found")),
        (.unauthorized, 0, .stop(BotAPIError.unauthorized.description)),
    ])
    func eachErrorHasItsOutcome(error: BotAPIError, attempts: Int, expected: DeliveryOutcome) {
        #expect(DeliveryOutcome.after(error, attempts: attempts) == expected)
    }
}

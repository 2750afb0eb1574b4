import BotAPIDouble
import Testing
@testable import Telegram

/// The hand-written sendMessage body, as the Bot API double parses it.
@Suite struct BotAPIRequestTests {
    @Test func sendMessageCarriesTextKeyboardAndReplyExactly() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let api = BotAPI(baseURL: double.baseURL, token: double.token, client: HTTPClient(label: "request-test"))
        let text = "<b>余额</b> \"quoted\" \\ back\nline\ttab \u{1} ctl \u{2028} sep e\u{301}👍🏽"
        let keyboard = InlineKeyboardMarkup(inlineKeyboard: [
            [InlineKeyboardButton(text: "续费 \"30\" 天", callbackData: "r:+85291234567:30"), InlineKeyboardButton(text: "取消\\", callbackData: "c")],
            [InlineKeyboardButton(text: "😀", callbackData: "m:menu")],
        ])
        try await api.sendMessage(chatID: -1001234, text: text, html: true, keyboard: keyboard, replyTo: 77)
        try await api.sendMessage(chatID: 42, text: "plain <not html>", html: false)
        let sent = double.sentMessages()
        try #require(sent.count == 2)
        #expect(sent[0].chatID == -1001234 && sent[0].text == text && sent[0].parseMode == "HTML")
        #expect(sent[0].callbackData == ["r:+85291234567:30", "c", "m:menu"])
        #expect(sent[0].replyToMessageID == 77 && sent[0].disableLinkPreview)
        #expect(sent[1].chatID == 42 && sent[1].text == "plain <not html>" && sent[1].parseMode == nil && sent[1].replyMarkupJSON == nil)
        #expect(sent[1].replyToMessageID == nil && sent[1].disableLinkPreview)
    }

    @Test func retryAfterIsReadFromItsHeaderLineInAnyCase() {
        func read(_ line: String) -> Int? { Array(line.utf8).withUnsafeBytes { CurlEasy.retryAfter($0) } }
        #expect(read("Retry-After: 7\r\n") == 7)
        #expect(read("retry-after:30\r\n") == 30)
        #expect(read("RETRY-AFTER: 12\r\n") == 12)
        #expect(read("Retry-After:\r\n") == nil)
        #expect(read("Retry-Afterx: 5\r\n") == nil)
        #expect(read("Content-Type: application/json\r\n") == nil)
        #expect(read("X-Retry-After: 5\r\n") == nil)
    }

    @Test func aRateLimitedCallReportsItsRetryAfterAndTheNextCallGoesThrough() async throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        let api = BotAPI(baseURL: double.baseURL, token: double.token, client: HTTPClient(label: "request-test"))
        double.failNext("sendMessage", with: .status(429, description: "Too Many Requests: retry after 9", retryAfter: 9))
        await #expect(throws: BotAPIError.tooManyRequests(retryAfter: 9)) { try await api.sendMessage(chatID: 1, text: "x") }
        // The connection is kept and the next call goes through.
        try await api.sendMessage(chatID: 1, text: "y")
        #expect(double.sentMessages().map(\.text) == ["y"])
    }
}

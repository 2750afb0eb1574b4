import Foundation
import Testing
@testable import BotAPIDouble

/// The double's model of Telegram's limits: pure (`FloodControl`), then over HTTP.
@Suite struct FloodControlTests {
    @Test func oneChatGetsItsBurstThenOneASecond() {
        var control = FloodControl(limits: .telegram)
        for _ in 0..<3 { #expect(control.admit(chat: 7, at: 10) == nil) }
        #expect(control.admit(chat: 7, at: 10) == 1, "the fourth at once")
        #expect(control.admit(chat: 7, at: 10.5) == 1, "half a token")
        #expect(control.admit(chat: 7, at: 11) == nil, "a second later, one more")
        #expect(control.admit(chat: 7, at: 11.2) == 1)
        #expect(control.admit(chat: 7, at: 12) == nil)
        // Refused sends spend nothing: a chat hammering away still gets one a second.
        for t in stride(from: 12.1, to: 13, by: 0.1) { #expect(control.admit(chat: 7, at: t) != nil) }
        #expect(control.admit(chat: 7, at: 13) == nil)
        // After a quiet spell the burst is back, and never more than the burst.
        for _ in 0..<3 { #expect(control.admit(chat: 7, at: 100) == nil) }
        #expect(control.admit(chat: 7, at: 100) != nil)
        // Other chats are not held up by chat 7.
        #expect(control.admit(chat: 8, at: 100) == nil)
    }

    @Test func retryAfterIsTheWholeSecondsUntilTheSendWouldGo() {
        var control = FloodControl(limits: FloodControl.Limits(perChatPerSecond: 0.25, perChatBurst: 1, perGroupPerMinute: 20, globalPerSecond: 30))
        #expect(control.admit(chat: 7, at: 0) == nil)
        #expect(control.admit(chat: 7, at: 0.5) == 4, "3.5 s until the next token, rounded up")
        #expect(control.admit(chat: 7, at: 3.5) == 1, "0.5 s: at least 1")
        #expect(control.admit(chat: 7, at: 4) == nil)
    }

    @Test func aGroupGetsTwentyInAnyMinute() {
        // A big per-chat burst, so only the group limit is in play.
        var control = FloodControl(limits: FloodControl.Limits(perChatPerSecond: 1, perChatBurst: 100, perGroupPerMinute: 20, globalPerSecond: 30))
        for i in 0..<20 { #expect(control.admit(chat: -100123, at: Double(i) * 0.01) == nil) }
        #expect(control.admit(chat: -100123, at: 0.5) == 60, "59.5 s until the first leaves the minute")
        #expect(control.admit(chat: -100123, at: 59.995) == 1)
        #expect(control.admit(chat: -100123, at: 60) == nil, "the first left the window")
        #expect(control.admit(chat: -100123, at: 60) != nil, "the second is still in it")
        #expect(control.admit(chat: -100123, at: 60.01) == nil)
        // A private chat (positive id) has no per-minute limit.
        for i in 0..<30 { #expect(control.admit(chat: 100123, at: 200 + Double(i) * 1.01) == nil) }
    }

    @Test func overallThirtyInAnySecond() {
        var control = FloodControl(limits: .telegram)
        for chat in 1...30 { #expect(control.admit(chat: Int64(chat), at: 5 + Double(chat) * 0.01) == nil) }
        #expect(control.admit(chat: 31, at: 5.9) == 1)
        #expect(control.admit(chat: 31, at: 6.005) == 1, "the first was at 5.01: it leaves at 6.01")
        #expect(control.admit(chat: 31, at: 6.01) == nil)
        #expect(control.admit(chat: 32, at: 6.015) != nil)
        #expect(control.admit(chat: 32, at: 6.02) == nil)
    }

    // MARK: - Over HTTP

    private func send(_ double: BotAPIDouble, chat: Int64, text: String = "hi") throws -> TestResponse {
        let client = try TestClient(port: double.port)
        return try #require(client.request("/bot\(double.token)/sendMessage", body: json(["chat_id": chat, "text": text])))
    }

    /// The body of a 429: Telegram's envelope, `parameters.retry_after` and the header agree.
    private func expectTooManyRequests(_ response: TestResponse, retryAfter: ClosedRange<Int>, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == 429, sourceLocation: sourceLocation)
        #expect(response.object["ok"] as? Bool == false, sourceLocation: sourceLocation)
        #expect(response.object["error_code"] as? Int == 429, sourceLocation: sourceLocation)
        let seconds = (response.object["parameters"] as? [String: Any])?["retry_after"] as? Int ?? -1
        #expect(retryAfter.contains(seconds), "retry_after \(seconds)", sourceLocation: sourceLocation)
        #expect(response.description == "Too Many Requests: retry after \(seconds)", sourceLocation: sourceLocation)
        #expect(response.headers["retry-after"] == String(seconds), sourceLocation: sourceLocation)
    }

    @Test func beyondAChatsBurstTheDoubleAnswers429AndDeliversNothing() throws {
        let double = try BotAPIDouble(enforceLimits: .telegram)
        double.start()
        defer { double.stop() }
        for i in 0..<3 { #expect(try send(double, chat: 42, text: "m\(i)").status == 200) }
        let refused = try send(double, chat: 42, text: "m3")
        expectTooManyRequests(refused, retryAfter: 1...1)
        #expect(refused.body == #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#)
        #expect(double.sentMessages(to: 42).map(\.text) == ["m0", "m1", "m2"], "the refused message is not delivered")
        #expect(double.tooManyRequestsSent == 1)
        #expect(double.tooManyRequestsSent(to: 42) == 1)
        #expect(double.tooManyRequestsSent(to: 43) == 0)
        #expect(double.acceptedSends().map(\.chatID) == [42, 42, 42])
        let times = double.acceptedSends().map(\.at)
        #expect(times == times.sorted())
        // An edit is a send too.
        let client = try TestClient(port: double.port)
        let edit = try #require(client.request("/bot\(double.token)/editMessageText", body: json(["chat_id": 42, "message_id": 1000, "text": "edited"])))
        expectTooManyRequests(edit, retryAfter: 1...1)
        #expect(double.sentMessages(to: 42).allSatisfy { !$0.isEdit })
        #expect(double.tooManyRequestsSent(to: 42) == 2)
        // A bad request is refused as before and not counted.
        let empty = try #require(client.request("/bot\(double.token)/sendMessage", body: json(["chat_id": 44, "text": ""])))
        #expect(empty.status == 400)
        #expect(double.tooManyRequestsSent == 2)
    }

    @Test func beyondTwentyAMinuteInAGroupTheDoubleAnswers429() throws {
        let double = try BotAPIDouble(enforceLimits: FloodControl.Limits(perChatPerSecond: 1, perChatBurst: 100, perGroupPerMinute: 20, globalPerSecond: 30))
        double.start()
        defer { double.stop() }
        for i in 0..<20 { #expect(try send(double, chat: -100500, text: "g\(i)").status == 200) }
        expectTooManyRequests(try send(double, chat: -100500, text: "g20"), retryAfter: 50...60)
        #expect(double.sentMessages(to: -100500).count == 20)
        #expect(double.tooManyRequestsSent(to: -100500) == 1)
    }

    @Test func beyondThirtyASecondOverallTheDoubleAnswers429() throws {
        let double = try BotAPIDouble(enforceLimits: .telegram)
        double.start()
        defer { double.stop() }
        let started = Date()
        for chat in 1...30 { #expect(try send(double, chat: Int64(chat)).status == 200) }
        let refused = try send(double, chat: 31)
        // Thirty sends on loopback take well under a second; if this machine was too slow, the window moved on.
        if Date().timeIntervalSince(started) < 0.9 {
            expectTooManyRequests(refused, retryAfter: 1...1)
            #expect(double.sentMessages(to: 31).isEmpty)
            #expect(double.tooManyRequestsSent(to: 31) == 1)
        }
    }

    @Test func withoutEnforcementNothingIsLimited() throws {
        let double = try BotAPIDouble()
        double.start()
        defer { double.stop() }
        for i in 0..<10 { #expect(try send(double, chat: 42, text: "m\(i)").status == 200) }
        #expect(double.tooManyRequestsSent == 0)
        #expect(double.acceptedSends().count == 10)
    }
}

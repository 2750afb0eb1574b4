import BaohaoCore
import BaohaoSupport
import BotAPIDouble
import Storage
import Testing

/// What the customer gets when Telegram is down for a while: every reply, once it is back.
@Suite(.serialized) struct OutageTests {
    /// sendMessage answers an nginx 502 page 23 times in a row (every chat's first attempt,
    /// then three probes, the sender pausing 0.5, 1, 2 and 4 s around them): once the API
    /// answers again every chat gets its reply, once. Nothing is dead-lettered, and no HTML page
    /// reaches the logs or the outbox.
    @Test func repliesWaitingThroughAnOutageAreAllDelivered() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("sendMessage", with: .htmlStatus(502), count: 23)
        rig.start()
        let chats = (1...20).map { Int64(700 + $0) }
        for chat in chats { double.injectMessage(chatID: chat, text: "我的余额") }
        #expect(await rig.waitFor(60) { chats.allSatisfy { !double.sentMessages(to: $0).isEmpty } }, "replies lost in the outage")
        let failed = double.calls("sendMessage").filter { $0.httpStatus == 502 }.count
        #expect(failed == 23, "the double refused \(failed) sends")
        let (dead, errors) = try await rig.database.read { db in
            (try db.queryFirst("SELECT count(*) FROM outbox WHERE state = 'dead'") { $0.int(0) } ?? -1,
             try db.query("SELECT coalesce(error, '') FROM outbox") { $0.string(0) })
        }
        #expect(dead == 0)
        #expect(errors.allSatisfy { !$0.contains("<") }, "\(errors.filter { $0.contains("<") })")
        #expect(errors.contains("HTTP 502 Bad Gateway"), "the retried items keep the readable reason")
        #expect(chats.allSatisfy { double.sentMessages(to: $0).count == 1 }, "a reply sent twice")
        try await rig.stop()
        #expect(!rig.logs.lines.contains { $0.contains("<html") })
    }

    /// The double handles the send (the customer has the reply) and then drops the connection:
    /// the sender cannot know, retries, and the customer gets the reply twice. A lost reply
    /// would be worse; the duplicate is logged and counted.
    @Test func aReplyWhoseAnswerWasLostIsSentAgainAndCountedAsAPossibleDuplicate() async throws {
        let rig = try await TelegramRig()
        let double = rig.double
        double.failNext("sendMessage", with: .dropAfterHandling)
        rig.start()
        double.injectMessage(chatID: 801, text: "我的余额")
        #expect(await rig.waitFor(30) { double.sentMessages(to: 801).count == 2 })
        let texts = double.sentMessages(to: 801).map(\.text)
        #expect(texts.count == 2 && texts[0] == texts[1], "the same reply twice: \(texts)")
        try await rig.stop()
        // Stopped: every outcome is stored.
        let counted = try await rig.database.read { db in try Outbox.status(db, sending: []).possibleDuplicates }
        #expect(counted == 1)
        #expect(rig.logs.lines.contains { $0.contains("event=outbox.possible_duplicate") && $0.contains("chat=801") }, "\(rig.logs.lines.filter { $0.contains("outbox") })")
        #expect(double.sentMessages(to: 801).count == 2, "and no third")
    }
}

import Storage
import TestSupport
import Testing
import Understanding
@testable import BaohaoCore

/// Hostile input from customers and operators: SQL metacharacters, markup, brute force.
@Suite struct SecurityTests {
    static let hostile = [
        "'; DROP TABLE lines; --", "\" OR 1=1 --", "1' OR '1'='1", "%_\\", "'); DELETE FROM outbox; --", "<b>bold</b><script>alert(1)</script>",
        "&amp;&lt;&#0;&", "\u{0}nul\u{0}", "Robert'); DROP TABLE faq_versions;--", "%' OR ''='", "\\'; --", "保号'; --",
    ]

    func tableCounts(_ d: Dialogue) async throws -> [String: Int64] {
        try await d.database.read { db in
            var counts: [String: Int64] = [:]
            for table in ["lines", "bindings", "faq_versions", "faq_entries", "outbox", "tickets", "operators"] {
                counts[table] = try db.queryFirst("SELECT count(*) FROM \(table)") { $0.int64(0) }
            }
            return counts
        }
    }

    @Test func sqlMetacharactersInEveryTextFieldAreStoredAsTextAndChangeNothingElse() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        let before = try await tableCounts(d)
        let op = Dialogue.operatorUser
        for text in Self.hostile {
            // Customer messages, a binding code, a language, a ticket, an operator's FAQ commands and draft fields.
            for reply in [
                try await d.say(text), try await d.say("/bind \(text)"), try await d.say("/lang \(text)"), try await d.say("/faq show \(text)", chat: op),
                try await d.say("/faq history \(text)", chat: op), try await d.say("/faq test \(text)", chat: op), try await d.say("/op add \(text)", chat: op),
            ] {
                #expect(reply.replies.count == 1)
                if case .failure(let problem) = TelegramHTMLCheck.check(reply.html) { Issue.record("\(text.debugDescription): \(problem)") }
            }
            _ = try await d.say("/faq edit renew-general-steps variant.ultra-renew.answer.en", chat: op)
            let preview = try await d.say(text, chat: op)
            #expect(!preview.buttons.contains { $0.payload == "fq:save" } || TelegramHTMLCheck.check(text).isSuccess)
            _ = try await d.say("/faq cancel", chat: op)
        }
        let after = try await tableCounts(d)
        #expect(after["lines"] == before["lines"])
        #expect(after["bindings"] == before["bindings"])
        #expect(after["faq_versions"] == before["faq_versions"])
        #expect(after["faq_entries"] == before["faq_entries"])
        #expect(after["operators"] == before["operators"])
        // Stored verbatim: the misses table holds the texts exactly as typed.
        let misses = try await d.database.read { db in try db.query("SELECT text FROM unanswered") { $0.string(0) } }
        #expect(misses.contains("%_\\"))
        #expect(misses.contains("&amp;&lt;&#0;&"))
        // PostgreSQL's text cannot hold U+0000; it keeps U+FFFD in its place.
        #expect(misses.contains(testsUsePostgres ? "\u{FFFD}nul\u{FFFD}" : "\u{0}nul\u{0}"))
    }

    @Test func customerTextIsEscapedWhereverItIsEchoed() async throws {
        let d = try await Dialogue()
        let markup = "<b>x</b> & <a href=\"http://evil\">y</a>"
        _ = try await d.say(markup)
        let ticket = try await d.say("转人工")
        let notice = try #require(ticket.notices(to: Dialogue.operatorChat).first)
        #expect(notice.html.contains("&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href=&quot;http://evil&quot;&gt;"))
        #expect(TelegramHTMLCheck.check(notice.html).isSuccess)
        let inbox = try await d.say("/unanswered", chat: Dialogue.operatorUser)
        #expect(!inbox.html.contains("<a href=\"http://evil\">"))
        #expect(TelegramHTMLCheck.check(inbox.html).isSuccess)
    }

    @Test func guessingBindingCodesHitsTheLockout() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: nil)
        let code = try await d.service.issueBindingCode(for: PhoneNumber(e164: "+13105550117")!, by: .operator("test")).code
        var replies: [String] = []
        for guess in ["AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC", "DDDDDDDDDD", "EEEEEEEEEE", "FFFFFFFFFF"] {
            replies.append(try await d.say("/bind \(guess)", chat: 666).text)
        }
        #expect(replies.last?.contains(HTML.plainText(ShippedAssistantData.replies.text(.bindLocked, .zhHans, ["until": ""])).prefix(6)) == true, "\(replies)")
        // Locked out: even the right code is refused now.
        let right = try await d.say("/bind \(code)", chat: 666)
        #expect(!right.text.contains("Ultra Mobile"))
        #expect(try await d.database.read { db in try db.queryFirst("SELECT count(*) FROM bindings WHERE chat_id = 666") { $0.int64(0) } } == 0)
    }

    /// Random customer messages and button presses: every reply is HTML Telegram accepts, every
    /// button fits Telegram's 64 bytes, and a text gets exactly one message back.
    @Test func randomConversationsOnlyProduceValidTelegramMessages() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        var generator = SeededGenerator(seed: 0x5EC)
        let payloads = ["m:bal", "m:renew", "m:cancel", "m:faq", "m:agent", "bal:*", "rn:+13105550117", "cx:+13105550117", "cy:zz", "cn:zz", "ro:+13105550117:o:1m",
            "cl:1:0", "cl:99:x", "faq:ultra-renew", "tp:renew", "al:on", "al:tz:Mars/Base", "lang:en", "fq:save", "un:p:1:x", "", ":", "ro:::", "faq:", "\u{0}"]
        for i in 0..<400 {
            let chat = Int64(42 + i % 3)
            let exchange: Exchange
            if generator.next() % 4 == 0 {
                exchange = try await d.press(payload: payloads[Int(generator.next() % UInt64(payloads.count))], chat: chat)
            } else {
                let personHasIt = try await d.database.read { db in try Tickets.open(db, chat: chat) } != nil
                exchange = try await d.say(FuzzText.text(&generator), chat: chat)
                // One reply, or, while a person has the conversation, none (the text goes to them).
                #expect(exchange.replies.count == 1 || (personHasIt && exchange.replies.isEmpty && !exchange.outputs.isEmpty))
            }
            for output in exchange.outputs {
                switch output {
                case .send(let m), .edit(_, let m):
                    if case .failure(let problem) = TelegramHTMLCheck.check(m.html) { Issue.record("\(problem) in \(m.html.debugDescription)") }
                    for button in m.buttons.flatMap({ $0 }) { #expect(button.payload.utf8.count <= 64 && !button.label.isEmpty) }
                case .answerButton, .copy, .topic, .invoice, .refundStars: break
                }
            }
        }
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
}

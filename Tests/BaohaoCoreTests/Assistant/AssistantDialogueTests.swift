import Storage
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

private let replies = ShippedAssistantData.replies
private func plain(_ key: ReplyKey, _ language: Language, _ values: [String: String] = [:]) -> String {
    HTML.plainText(replies.text(key, language, values))
}

@Suite struct AssistantDialogueTests {
    @Test func simplifiedChineseBindBalanceRenewAndTheOrderIsConfirmed() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: nil)
        let code = try await d.service.issueBindingCode(for: PhoneNumber(e164: "+13105550117")!, by: .operator("test")).code

        let bound = try await d.say("/start \(code)")
        #expect(bound.text.contains(plain(.bindBound, .zhHans, ["number": "+1 ••• 0117", "carrier": "Ultra Mobile"])))

        let balance = try await d.say("我的余额还有多少")
        #expect(balance.replies.count == 1)
        #expect(balance.text.contains("US$4.50"))
        #expect(balance.text.contains("2026-11-25"))
        #expect(balance.text.contains(plain(.statusExpiringSoon, .zhHans)))
        #expect(!balance.text.contains("+13105550117"), "the full number is never shown in a chat")

        let renew = try await d.say("怎么续费")
        #expect(renew.text.contains(plain(.renewOptions, .zhHans)))
        #expect(renew.buttons.count == 4)
        #expect(renew.buttons[0].label.contains("US$3.00"))
        #expect(renew.buttons[0].label.contains("2026-12-25"))

        let order = try await d.press(index: 1)
        let html = order.html
        #expect(order.text.contains("US$9.00"))
        let reference = try #require(html.split(separator: "/o/").last.map { String($0.prefix { $0 != "\n" && $0 != "<" && $0 != " " }) })
        #expect(order.text.contains("https://pay.example.com/o/\(reference)"))

        // The payment is confirmed with the order's reference: the customer is told the new expiry.
        let catalogue = d.service.catalogue
        let now = d.clock.now()
        try await d.database.write { db in
            try db.transaction {
                let session = LineSession(db: db, catalogue: catalogue, now: now)
                let number = PhoneNumber(e164: "+13105550117")!
                let order = try #require(try RenewalOrders.check(db, reference: reference, number: number, choice: .option("3m")))
                let receipt = try session.renew(number, .option("3m"), reference: reference, by: .operator("test"))
                try RenewalOrders.settle(db, order, receipt: receipt, replies: ShippedAssistantData.replies, at: now)
            }
        }
        let queued = try await d.database.read { db in try Outbox.pending(db) }
        #expect(queued.count == 1)
        #expect(queued.first?.message?.chatID == 42)
        let confirmation = HTML.plainText(queued.first?.message?.html ?? "")
        #expect(confirmation.contains("2027-02-23"))
    }

    @Test func traditionalChineseCancellationIsConfirmedAndTheOperatorsAreTold() async throws {
        let d = try await Dialogue()
        try await d.line("+85266600118", carrier: "cmhk", plan: "prepaid", balance: "23.50", expires: "2026-12-10", boundTo: 42)
        let warning = try await d.say("我想取消張卡，點搞？")
        let cmhk = d.service.catalogue.carrier("cmhk")!
        #expect(warning.text.contains(cmhk.refundRule.traditional))
        #expect(warning.text.contains(plain(.cancelConfirm, .zhHant)) == false)  // the confirm label is on a button, not in the text
        #expect(warning.buttons.map(\.label) == [plain(.cancelConfirm, .zhHant), plain(.cancelAbort, .zhHant)])

        let confirmed = try await d.press(plain(.cancelConfirm, .zhHant))
        #expect(confirmed.outputs.contains { if case .answerButton = $0 { true } else { false } })
        #expect(confirmed.outputs.contains { if case .edit = $0 { true } else { false } })
        #expect(confirmed.text.contains("+852 ••• 0118"))
        let notice = try #require(confirmed.notices(to: Dialogue.operatorChat).first)
        #expect(notice.html.contains("+85266600118"))
        #expect(try await d.service.line(PhoneNumber(e164: "+85266600118")!, visibleTo: .chat(42)).request == .cancelPending)
    }

    @Test func englishCancellationCanBeAbortedAndItsQuestionExpires() async throws {
        let d = try await Dialogue()
        try await d.line("+447700900456", carrier: "giffgaff", plan: "payg", balance: "2.10", expires: "2026-12-05", boundTo: 42)
        let warning = try await d.say("how do I cancel my number")
        #expect(warning.text.contains("Before you cancel"))
        let aborted = try await d.say("no")
        #expect(aborted.text == plain(.cancelAborted, .en, ["number": "+44 ••• 0456"]))

        _ = try await d.say("I want to cancel my line")
        d.clock.advance(seconds: 16 * 60)
        let late = try await d.press("Yes")
        #expect(late.text == plain(.flowExpired, .en))
        #expect(try await d.service.line(PhoneNumber(e164: "+447700900456")!, visibleTo: .chat(42)).request == nil)

        // Within 15 minutes a typed "yes" confirms.
        _ = try await d.say("cancel my number please")
        d.clock.advance(seconds: 14 * 60)
        let yes = try await d.say("yes")
        #expect(yes.text.contains("requested"))
        #expect(try await d.service.line(PhoneNumber(e164: "+447700900456")!, visibleTo: .chat(42)).request == .cancelPending)
    }

    @Test func aClarifyingQuestionsTapAnswersAndIsStoredAsALabelledExample() async throws {
        // A wide margin makes every close call a clarifying question.
        let d = try await Dialogue(policy: DecisionPolicy(threshold: 0.18, clarifyMargin: 0.9))
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        let question = try await d.say("续费 余额")
        #expect(question.text == plain(.clarifyQuestion, .zhHans))
        #expect(question.buttons.last?.label == plain(.clarifyNone, .zhHans))
        #expect(question.buttons.count >= 3)
        let balanceLabel = plain(.labelCheckBalance, .zhHans)
        let tapped = try await d.press(balanceLabel)
        #expect(tapped.text.contains("US$4.50"))
        let examples = try await d.database.read { db in try db.query("SELECT text, label, source FROM labelled_examples") { [$0.string(0), $0.string(1), $0.string(2)] } }
        #expect(examples == [["续费 余额", "check_balance", "clarify"]])

        _ = try await d.say("我的号")
        let none = try await d.press(plain(.clarifyNone, .zhHans))
        #expect(none.text == plain(.clarifyNoneReply, .zhHans))
        let unanswered = try await d.database.read { db in try db.query("SELECT text FROM unanswered") { $0.string(0) } }
        #expect(unanswered == ["我的号"])
    }

    @Test func outOfScopeGetsThePoliteFallbackAndIsLogged() async throws {
        let d = try await Dialogue()
        let reply = try await d.say("明天天气怎么样")
        #expect(reply.text == plain(.fallback, .zhHans))
        #expect(reply.buttons.map(\.payload) == ["m:bal", "m:renew", "m:cancel", "m:faq", "m:agent"])
        let logged = try await d.database.read { db in try db.query("SELECT text, language FROM unanswered") { [$0.string(0), $0.string(1)] } }
        #expect(logged == [["明天天气怎么样", "zh-Hans"]])
    }

    @Test func handOffOpensATicketAndOperatorsReplyAndClose() async throws {
        let d = try await Dialogue()
        _ = try await d.say("我充了钱但是没到账 <b>急</b>")
        let opened = try await d.say("我要找人工客服")
        #expect(opened.text == plain(.agentOpened, .zhHans, ["ticket": "T000001"]))
        // The card opens the ticket's topic: the last messages, escaped, and the state.
        let card = try #require(opened.notices(to: Dialogue.operatorChat).first)
        #expect(card.ticket == TicketLink(ticket: 1, isCard: true))
        #expect(card.html.contains("我充了钱但是没到账 &lt;b&gt;急&lt;/b&gt;"))
        #expect(!card.html.contains("<b>急"))
        #expect(HTML.plainText(card.html).hasPrefix("🎫 T000001 · 🟠 待回复 · 负责人：—"), "\(HTML.plainText(card.html))")

        let again = try await d.say("有人吗？真人客服")
        #expect(again.text == plain(.agentAlready, .zhHans, ["ticket": "T000001"]))

        let stranger = try await d.say("/reply T000001 hello", chat: 77, user: 77)
        // Not an operator: the normal assistant answers, and the attempt is audited.
        #expect(stranger.text == plain(.help, .zhHans))
        #expect(stranger.notices(to: 42).isEmpty)
        let refused = try await d.database.read { db in try OperatorRoles.auditTrail(db).first }
        #expect(refused?.actor == "user:77")
        #expect(refused?.action == "refused")
        #expect(refused?.detail == "/reply T000001 hello")

        let reply = try await d.say("/reply T000001 已经帮您查到，<i>稍等</i>", chat: Dialogue.operatorChat, user: Dialogue.operatorUser)
        let toCustomer = try #require(reply.notices(to: 42).first)
        #expect(toCustomer.html == "已经帮您查到，&lt;i&gt;稍等&lt;/i&gt;")
        #expect(toCustomer.ticket?.ticket == 1)
        // The topic shows what went, and the ticket now waits for the customer, owned by who answered.
        let shown = reply.outputs.compactMap { if case .send(let m) = $0, m.chatID == Dialogue.operatorChat, m.ticket?.ticket == 1 { HTML.plainText(m.html) } else { nil } }
        #expect(shown == ["↪️ 已发送给客户：\n已经帮您查到，<i>稍等</i>"])
        let state = try await d.database.read { db in try Tickets.load(db, id: 1) }
        #expect(state?.lifecycle.state == .waiting)
        #expect(state?.lifecycle.ownerID == Dialogue.operatorUser)

        let closed = try await d.say("/close T000001", chat: Dialogue.operatorChat, user: Dialogue.operatorUser)
        let closing = HTML.plainText(closed.notices(to: 42).first?.html ?? "")
        #expect(closing == plain(.agentClosed, .zhHans, ["ticket": "T000001"]))
        #expect(closed.outputs.contains(.topic(TopicChange(chatID: Dialogue.operatorChat, ticket: 1, action: .close))))
        let unknown = try await d.say("/reply T000099 more", chat: Dialogue.operatorChat, user: Dialogue.operatorUser)
        #expect(unknown.text == plain(.operatorUnknownTicket, .zhHans, ["ticket": "T000099"]))
    }

    /// While a person has the conversation the bot does not answer for them: a question is
    /// copied to the operators and gets no bot reply; commands still work. A message soon
    /// after the ticket closes reopens it; a day later, the bot answers again.
    @Test func whileAPersonHasTheConversationTheBotStaysQuiet() async throws {
        let d = try await Dialogue()
        let opened = try await d.say("转人工")
        #expect(opened.text.contains("我不再自动回答"), "the customer is told once: \(opened.text)")
        let id = d.nextMessageID
        let question = try await d.say("我的余额还有多少")
        #expect(question.replies.isEmpty, "the bot answered over the person: \(question.text)")
        #expect(question.outputs == [.copy(MessageCopy(ticket: 1, direction: .toOperators, fromChat: 42, messageIDs: [id], toChat: Dialogue.operatorChat, reaction: "👀"))])
        let command = try await d.say("/help")
        #expect(command.text == plain(.help, .zhHans))
        let again = try await d.say("有人吗？真人客服")
        #expect(again.text == plain(.agentAlready, .zhHans, ["ticket": "T000001"]))
        _ = try await d.say("/close T000001", chat: Dialogue.operatorChat, user: Dialogue.operatorUser)
        let soon = try await d.say("还有一个问题")
        #expect(soon.text == plain(.agentReopened, .zhHans, ["ticket": "T000001"]))
        #expect(soon.outputs.contains(.topic(TopicChange(chatID: Dialogue.operatorChat, ticket: 1, action: .reopen))))
        _ = try await d.say("/close T000001", chat: Dialogue.operatorChat, user: Dialogue.operatorUser)
        d.clock.advance(seconds: 25 * 3600)
        let after = try await d.say("我的余额还有多少")
        #expect(after.replies.count == 1)
        #expect(after.notices(to: Dialogue.operatorChat).isEmpty)
    }

    @Test func eachLanguageIsAnsweredInKindAndLangFixesIt() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        #expect(try await d.say("點樣睇餘額呀").text.contains("餘額"))
        #expect(try await d.say("what's my balance").text.contains("Balance: US$4.50"))
        #expect(try await d.say("查一下余额").text.contains("余额：US$4.50"))
        _ = try await d.say("/lang en")
        #expect(try await d.say("查一下余额").text.contains("Balance: US$4.50"))
    }

    @Test func aFollowUpNamingARegionContinuesThePreviousAnswer() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        try await d.line("+85266600118", carrier: "cmhk", plan: "prepaid", balance: "23.50", expires: "2026-12-10", boundTo: 42)
        let both = try await d.say("我的余额")
        #expect(both.text == plain(.balancePick, .zhHans))
        let hk = try await d.say("那香港号呢")
        #expect(hk.text.contains("HK$23.50"))
        #expect(!hk.text.contains("US$4.50"))
        let us = try await d.say("那美国的呢")
        #expect(us.text.contains("US$4.50"))
    }

    @Test func everyTextGetsExactlyOneReplyAndButtonsFitTelegram() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: 42)
        try await d.line("+85266600118", carrier: "cmhk", plan: "prepaid", balance: "23.50", expires: "2026-12-10", boundTo: 42)
        let messages = [
            "你好", "谢谢", "你能做什么", "我的余额", "續費", "怎么注销", "绑定号码", "提醒设置", "转人工", "支付宝可以付吗", "充值失败了",
            "自动续费怎么关", "充值多久到账", "过期了怎么办", "可以退款吗", "怎么转出号码", "hello", "thanks", "menu", "top up", "/faq",
            "/balance", "/renew", "/cancel", "/bind", "/unbind", "/alerts", "/lang", "/agent", "/help", "/start", "/nonsense", "", "🙂🙂",
            String(repeating: "长", count: 5000),
        ]
        var payloads: [String] = []
        for text in messages {
            let personHasIt = try await d.database.read { db in try Tickets.open(db, chat: 42) } != nil
            let exchange = try await d.say(text)
            if personHasIt, !text.hasPrefix("/"), exchange.replies.isEmpty {
                // A person has the conversation: the text went to the operators instead.
                #expect(exchange.outputs.contains { if case .copy(let c) = $0 { c.toChat == Dialogue.operatorChat && c.fromChat == 42 } else { false } }, "\(text.prefix(20)) went nowhere")
                continue
            }
            #expect(exchange.replies.count == 1, "\(text.prefix(20)): \(exchange.replies.count) replies")
            payloads += exchange.buttons.map(\.payload)
            for button in exchange.buttons.prefix(3) { payloads += try await d.press(payload: button.payload).buttons.map(\.payload) }
        }
        #expect(!payloads.isEmpty)
        for payload in payloads { #expect(payload.utf8.count <= 64, "\(payload)") }
        for entry in ShippedAssistantData.understanding.faqEntries { #expect("faq:\(entry.id)".utf8.count <= 64) }
    }
}

import Storage
import Testing
import Understanding
@testable import BaohaoCore
import BaohaoSupport

/// The support desk as the assistant runs it: what each side's message turns into (copies,
/// posts in the topic, topic changes), with the sender's part (topics made, the message map)
/// played by the test.
@Suite struct SupportDeskTests {
    static let op = Dialogue.operatorChat, customer: Int64 = 42, thread: Int64 = 555

    /// A customer (小明) with a line, who asked for a person; the topic is 555, the card message 900.
    func openTicket(_ d: Dialogue) async throws {
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: Self.customer)
        var ask = Inbound(chatID: Self.customer, userID: Self.customer, languageHint: "zh-hans", messageID: 10, kind: .text("转人工"))
        ask.firstName = "小明"
        ask.username = "xiaoming"
        let outputs = try await d.send(ask)
        let cards = outputs.compactMap { output -> OutboundMessage? in if case .send(let m) = output, m.ticket?.isCard == true { m } else { nil } }
        let card = try #require(cards.first)
        let text = HTML.plainText(card.html)
        #expect(text.contains("👤 小明 @xiaoming · 聊天 42 · 简体中文"), "\(text)")
        #expect(text.contains("📱 +1 ••• 0117 · "), "\(text)")
        #expect(text.contains("• 转人工"), "\(text)")
        #expect(text.contains("🧭"), "\(text)")
        let name = try await d.database.read { db in try Tickets.load(db, id: 1)?.topicName }
        #expect(name == "T000001 · 小明 · +1 ••• 0117")
        try await d.database.write { db in
            try Tickets.setThread(db, id: 1, thread: Self.thread)
            try Tickets.setCardMessage(db, id: 1, messageID: 900)
            try TicketMessages.record(db, ticket: 1, customer: nil, operator: 900, at: Instant(iso: "2026-11-22T00:00:00.000Z")!)
        }
    }

    func fromOperator(_ d: Dialogue, _ kind: Inbound.Kind, id: Int64, thread: Int64? = thread, replyTo: Int64? = nil, replyText: String? = nil, edit: Bool = false)
        async throws -> [Outbound]
    {
        var inbound = Inbound(chatID: Self.op, userID: Dialogue.operatorUser, messageID: id, kind: kind, isEdit: edit)
        inbound.threadID = thread
        inbound.replyToMessageID = replyTo
        inbound.replyToText = replyText
        inbound.firstName = "Ann"
        inbound.isGroup = true
        return try await d.send(inbound)
    }

    func fromCustomer(_ d: Dialogue, _ kind: Inbound.Kind, id: Int64, replyTo: Int64? = nil, album: [Int64] = [], edit: Bool = false) async throws -> [Outbound] {
        var inbound = Inbound(chatID: Self.customer, userID: Self.customer, messageID: id, kind: kind, mediaGroup: album.isEmpty ? nil : "g1", isEdit: edit)
        inbound.replyToMessageID = replyTo
        inbound.albumMessageIDs = album
        return try await d.send(inbound)
    }

    func posts(_ outputs: [Outbound]) -> [String] {
        outputs.compactMap { if case .send(let m) = $0, m.chatID == Self.op { HTML.plainText(m.html) } else { nil } }
    }

    @Test func whatAnOperatorWritesInTheTopicReachesTheCustomerAndNotesStay() async throws {
        let d = try await Dialogue()
        try await openTicket(d)
        let answer = try await fromOperator(d, .text("您好，我来看看"), id: 1001)
        #expect(answer.first == .copy(MessageCopy(ticket: 1, direction: .toCustomer, fromChat: Self.op, messageIDs: [1001], toChat: 42, reaction: "👌")))
        // The first to answer owns it, and the card says so (edited where it was posted).
        let card = answer.compactMap { if case .edit(900, let m) = $0 { HTML.plainText(m.html) } else { nil } }.first
        #expect(card?.hasPrefix("🎫 T000001 · 🟢 等客户 · 负责人：Ann") == true, "\(card ?? "no card edit")")
        // A picture from the operator goes as it is.
        let photo = try await fromOperator(d, .attachment(.photo), id: 1002)
        #expect(photo == [.copy(MessageCopy(ticket: 1, direction: .toCustomer, fromChat: Self.op, messageIDs: [1002], toChat: 42, reaction: "👌"))])
        // A note stays among the operators.
        #expect(try await fromOperator(d, .text("! 他上个月也问过"), id: 1003).isEmpty)
        #expect(try await fromOperator(d, .text("！内部备注"), id: 1004).isEmpty)
        // Talk in the general topic is the operators' own.
        #expect(try await fromOperator(d, .text("大家早"), id: 1005, thread: nil).isEmpty)
    }

    @Test func quotesAreKeptBothWaysThroughTheMessageMap() async throws {
        let d = try await Dialogue()
        try await openTicket(d)
        let t = Instant(iso: "2026-11-22T00:00:00.000Z")!
        try await d.database.write { db in
            try TicketMessages.record(db, ticket: 1, customer: 11, operator: 1010, at: t)  // the customer's message 11, copied in as 1010
            try TicketMessages.record(db, ticket: 1, customer: 3000, operator: 1011, at: t)  // the operator's 1011, copied out as 3000
        }
        let reply = try await fromOperator(d, .text("这张截图吗？"), id: 1012, replyTo: 1010)
        #expect(reply.first == .copy(MessageCopy(ticket: 1, direction: .toCustomer, fromChat: Self.op, messageIDs: [1012], toChat: 42, replyTo: 11, reaction: "👌")))
        let back = try await fromCustomer(d, .text("对"), id: 12, replyTo: 3000)
        #expect(back.first == .copy(MessageCopy(ticket: 1, direction: .toOperators, fromChat: 42, messageIDs: [12], toChat: Self.op, replyTo: 1011, reaction: "👀")))
        // The operator had answered: the ticket is open again, and the card says so.
        #expect(back.contains { if case .edit(900, let m) = $0 { HTML.plainText(m.html).hasPrefix("🎫 T000001 · 🟠 待回复 · 负责人：Ann") } else { false } })
        // An edit of a copied message is shown in the topic, replying to its copy.
        let edit = try await fromCustomer(d, .text("不对，是另一张"), id: 11, edit: true)
        let sent = edit.compactMap { output -> OutboundMessage? in if case .send(let m) = output { m } else { nil } }
        let post = try #require(sent.first)
        #expect(post.ticket == TicketLink(ticket: 1, counterpart: 11, replyTo: 1010))
        #expect(HTML.plainText(post.html) == "✏️ 客户修改了这条消息：\n不对，是另一张")
        // An operator's edit changes the customer's copy.
        let fixed = try await fromOperator(d, .text("更正：<明天>"), id: 1011, edit: true)
        #expect(fixed == [.edit(messageID: 3000, OutboundMessage(chatID: 42, html: "更正：&lt;明天&gt;"))])
    }

    @Test func anAlbumIsRelayedAsOne() async throws {
        let d = try await Dialogue()
        try await openTicket(d)
        let first = try await fromCustomer(d, .attachment(.photo), id: 20, album: [20, 21, 22])
        #expect(first == [.copy(MessageCopy(ticket: 1, direction: .toOperators, fromChat: 42, messageIDs: [20, 21, 22], toChat: Self.op, reaction: "👀"))])
        #expect(try await fromCustomer(d, .attachment(.photo), id: 21, album: [20, 21, 22]).isEmpty)
        #expect(try await fromCustomer(d, .text("收据"), id: 22, album: [20, 21, 22]).isEmpty)
    }

    @Test func assignCannedRepliesAndBans() async throws {
        let d = try await Dialogue()
        try await openTicket(d)
        let assigned = try await fromOperator(d, .text("/assign"), id: 1020)
        #expect(posts(assigned).contains("👤 T000001 由 Ann 负责。"), "\(posts(assigned))")
        #expect(assigned.contains { if case .edit(900, let m) = $0 { HTML.plainText(m.html).contains("负责人：Ann") } else { false } })

        let saved = try await fromOperator(d, .text("/canned add renewed"), id: 1021, replyTo: 1019, replyText: "{name} 您好，{line} 已续费成功。")
        #expect(posts(saved) == ["已保存快捷回复 renewed。"])
        let sent = try await fromOperator(d, .text("/c renewed"), id: 1022)
        let toCustomer = sent.compactMap { if case .send(let m) = $0, m.chatID == 42 { m } else { nil } }
        #expect(toCustomer.map(\.html) == ["小明 您好，+1 ••• 0117 已续费成功。"])
        #expect(toCustomer.first?.ticket == TicketLink(ticket: 1, counterpart: 1022))
        let unknown = try await fromOperator(d, .text("/c nope"), id: 1023)
        #expect(posts(unknown) == ["没有名为 nope 的快捷回复。已有：renewed"])

        let banned = try await fromOperator(d, .text("/ban"), id: 1024)
        #expect(posts(banned) == ["🚫 聊天 42 已封禁：机器人不再回复或转发它的消息。"])
        #expect(try await d.database.read { db in try Tickets.load(db, id: 1)?.lifecycle.state } == .closed)
        #expect(try await d.say("你好").outputs.isEmpty, "a banned chat gets nothing")
        let unbanned = try await fromOperator(d, .text("/unban 42"), id: 1025, thread: nil)
        #expect(unbanned.compactMap { if case .send(let m) = $0 { HTML.plainText(m.html) } else { nil } } == ["聊天 42 已解除封禁。"])
        #expect(try await d.say("你好").replies.count == 1)
    }

    /// Without topics, operators answer by replying to the bot's post about the ticket.
    @Test func inAChatWithoutTopicsAReplyToTheBotsPostAnswers() async throws {
        let d = try await Dialogue()
        try await openTicket(d)
        try await d.database.write { db in try Tickets.setThread(db, id: 1, thread: 0) }
        let reply = try await fromOperator(d, .text("收到"), id: 1030, thread: nil, replyTo: 900)
        #expect(reply.first == .copy(MessageCopy(ticket: 1, direction: .toCustomer, fromChat: Self.op, messageIDs: [1030], toChat: 42, reaction: "👌")))
        let legacy = try await fromOperator(d, .text("/reply 还有别的吗"), id: 1031, thread: nil, replyTo: 900)
        #expect(legacy.contains(.send(OutboundMessage(chatID: 42, html: "还有别的吗", ticket: TicketLink(ticket: 1, counterpart: 1031)))))
        let stray = try await fromOperator(d, .text("/close"), id: 1032, thread: nil)
        #expect(stray.compactMap { if case .send(let m) = $0 { HTML.plainText(m.html) } else { nil } } == [HTML.plainText(ShippedAssistantData.replies.text(.ticketCommandNeedsTopic, .zhHans))])
        let closed = try await fromOperator(d, .text("/close"), id: 1033, thread: nil, replyTo: 900)
        #expect(closed.contains(.topic(TopicChange(chatID: Self.op, ticket: 1, action: .close))))
    }

    @Test func aCustomerWhoBlocksTheBotIsMarkedAndTheOperatorsAreTold() async throws {
        let d = try await Dialogue()
        try await openTicket(d)
        let blocked = try await d.send(Inbound(chatID: 42, userID: 42, messageID: 0, kind: .membership(active: false)))
        #expect(posts(blocked) == ["⛔ 客户已屏蔽本机器人，消息无法送达，直到对方解除屏蔽。"])
        let inactive = try await d.database.read { db in try db.queryFirst("SELECT inactive_since IS NOT NULL FROM chat_state WHERE chat_id = 42") { $0.bool(0) } }
        #expect(inactive == true)
        let back = try await d.send(Inbound(chatID: 42, userID: 42, messageID: 0, kind: .membership(active: true)))
        #expect(posts(back) == ["✅ 客户已解除屏蔽，可以再联系了。"])
        let active = try await d.database.read { db in try db.queryFirst("SELECT inactive_since IS NULL FROM chat_state WHERE chat_id = 42") { $0.bool(0) } }
        #expect(active == true)
    }

    @Test func waitsAreFlaggedInTheTopicThenInTheGeneralTopic() async throws {
        let d = try await Dialogue()
        try await openTicket(d)
        let watch = TicketWatch(settings: d.assistant.settings, replies: ShippedAssistantData.replies)
        func tick(after minutes: Int64) async throws -> [OutboundMessage] {
            d.clock.advance(seconds: minutes * 60)
            let now = d.clock.now()
            return try await d.database.write { db in
                let before = try Outbox.pending(db, limit: 1000).map(\.id)
                _ = try watch.tick(db, now: now)
                return try Outbox.pending(db, limit: 1000).filter { !before.contains($0.id) }.compactMap(\.message)
            }
        }
        #expect(try await tick(after: 9).isEmpty)
        let flag = try await tick(after: 2)
        #expect(flag.map { HTML.plainText($0.html) } == ["⏰ 首次回复已等待 11 分钟。"])
        #expect(flag.first?.ticket == TicketLink(ticket: 1))
        #expect(try await tick(after: 5).isEmpty)
        let general = try await tick(after: 15)
        #expect(general.map { HTML.plainText($0.html) } == ["🚨 工单 T000001（小明）首次回复已等待 31 分钟，还没有人回复。"])
        #expect(general.first?.ticket == nil, "in the general topic")
        #expect(try await tick(after: 60).isEmpty)
        _ = try await fromOperator(d, .text("在的"), id: 1040)
        _ = try await fromCustomer(d, .text("好的，还有一个问题"), id: 30)
        let next = try await tick(after: 10)
        #expect(next.map { HTML.plainText($0.html) } == ["⏰ 客户的新消息已等待 10 分钟。"])
    }

    /// In a group the bot never shows a line: it answers how-to questions and sends the asker
    /// to a private chat for their own line.
    @Test func inAGroupTheAskersOwnLineIsForAPrivateChat() async throws {
        let d = try await Dialogue()
        try await d.line("+13105550117", carrier: "ultra", plan: "paygo", balance: "4.50", expires: "2026-11-25", boundTo: -1001)
        for text in ["/balance", "我的余额还有多少", "/bind 123456", "转人工"] {
            var inbound = Inbound(chatID: -1001, userID: 501, languageHint: "zh-hans", messageID: 1, kind: .text(text))
            inbound.isGroup = true
            let outputs = try await d.send(inbound)
            let reply = Exchange(chat: -1001, outputs: outputs)
            #expect(reply.html.contains("https://t.me/BaohaoBot?start=group"), "\(text): \(reply.text)")
            #expect(!reply.text.contains("4.50") && !reply.text.contains("0117"), "\(text): \(reply.text)")
        }
        var howTo = Inbound(chatID: -1001, userID: 501, languageHint: "zh-hans", messageID: 2, kind: .text("怎么续费"))
        howTo.isGroup = true
        let answer = Exchange(chat: -1001, outputs: try await d.send(howTo))
        #expect(answer.text.contains("续费") && !answer.html.contains("t.me/"), "\(answer.text)")
        #expect(try await d.database.read { db in try Tickets.openCount(db) } == 0)
    }
}

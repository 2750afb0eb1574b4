import BaohaoCore
import BaohaoSupport
import BotAPIDouble
import Storage
import Testing
@testable import Telegram

/// Hand-off in the operators' forum, end to end through the Bot API double: what the
/// customer sees in their chat and what the operators see in the ticket's topic.
@Suite(.serialized) struct TicketTopicsEndToEndTests {
    static let operators: Int64 = -500, ann: Int64 = 9

    /// A bot whose operators' chat is a forum (or a plain group when `forum` is false).
    static func rig(forum: Bool = true) async throws -> TelegramRig {
        let rig = try await TelegramRig(operators: [ann])
        if forum { rig.double.makeForum(chatID: operators) } else { rig.double.makeGroup(chatID: operators) }
        return rig
    }

    /// `customer` asks for a person; returns the ticket's topic once its card is there.
    static func openTicket(_ rig: TelegramRig, customer: Int64, name: String, first: String = "我付款了但是没到账") async throws -> BotAPIDouble.Topic? {
        let d = rig.double
        let before = d.topics(in: operators).count
        d.injectMessage(chatID: customer, text: first, firstName: name)
        #expect(await rig.waitFor { d.sentMessages(to: customer).count == 1 })
        d.injectMessage(chatID: customer, text: "转人工", firstName: name)
        #expect(await rig.waitFor { d.sentMessages(to: customer).count == 2 && d.topics(in: operators).count == before + 1 })
        let topic = d.topics(in: operators).last
        // The card follows the topic's creation.
        if let thread = topic?.threadID {
            #expect(await rig.waitFor { !posts(d, in: thread).isEmpty })
            try await waitUntilRecorded(rig) { db in try Tickets.byThread(db, thread: thread) != nil }
        }
        return topic
    }

    /// Waits (up to 6 s) until the bot has recorded what `recorded` asks: it records a sent
    /// message's topic and counterpart right after the round that sent it, and an operator
    /// answers long after that, but a test can be quicker.
    static func waitUntilRecorded(_ rig: TelegramRig, _ recorded: @escaping @Sendable (any Connection) throws -> Bool) async throws {
        for _ in 0..<600 {
            if try await rig.database.read(recorded) { return }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        Issue.record("the bot never recorded it")
    }

    static func posts(_ d: BotAPIDouble, in thread: Int64) -> [BotAPIDouble.SentMessage] {
        d.sentMessages(to: operators).filter { $0.threadID == thread && !$0.isEdit }
    }

    @Test func aTicketGoesBothWaysInItsTopic() async throws {
        let rig = try await Self.rig()
        let d = rig.double
        rig.start()
        let topic = try #require(try await Self.openTicket(rig, customer: 42, name: "小明"))
        #expect(topic.name == "T000001 · 小明")
        #expect(d.sentMessages(to: 42).last?.text.contains("T000001") == true)
        let card = try #require(Self.posts(d, in: topic.threadID).first)
        #expect(card.text.contains("T000001") && card.text.contains("我付款了但是没到账") && card.text.contains("小明"), "\(card.text)")

        // The customer's screenshot arrives in the topic as a photo; the customer gets no bot reply.
        d.injectMessage(chatID: 42, caption: "截图在这", media: .photo(fileID: "AgAC-receipt"), firstName: "小明")
        let receipt = try #require(d.lastInjectedMessageID(chatID: 42))
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.copiedFrom == .init(chatID: 42, messageID: receipt) } })
        let copy = try #require(Self.posts(d, in: topic.threadID).first { $0.copiedFrom == .init(chatID: 42, messageID: receipt) })
        #expect(copy.kind == .photo && copy.fileID == "AgAC-receipt" && copy.caption == "截图在这")
        #expect(await rig.waitFor { d.reactions(chatID: 42)[receipt] == ["👀"] })

        // Ann answers with a picture, replying to the copy: it reaches the customer as a photo, quoting the receipt.
        d.injectMessage(chatID: Self.operators, userID: Self.ann, caption: "是这笔吗？", media: .photo(fileID: "AgAC-ledger"), threadID: topic.threadID, replyTo: copy.messageID, firstName: "Ann")
        let annPhoto = try #require(d.lastInjectedMessageID(chatID: Self.operators))
        #expect(await rig.waitFor { d.sentMessages(to: 42).contains { $0.kind == .photo } })
        let photo = try #require(d.sentMessages(to: 42).first { $0.kind == .photo })
        #expect(photo.fileID == "AgAC-ledger" && photo.caption == "是这笔吗？" && photo.replyToMessageID == receipt)
        #expect(await rig.waitFor { d.reactions(chatID: Self.operators)[annPhoto] == ["👌"] })

        // A note stays; a text goes.
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "! 上个月也问过", threadID: topic.threadID, firstName: "Ann")
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "已经帮您补上了", threadID: topic.threadID, firstName: "Ann")
        #expect(await rig.waitFor { d.sentMessages(to: 42).contains { $0.text == "已经帮您补上了" } })
        #expect(!d.sentMessages(to: 42).contains { $0.text.contains("上个月也问过") })
        let annText = try #require(d.sentMessages(to: 42).first { $0.text == "已经帮您补上了" })

        // The customer replies to it: the copy in the topic quotes Ann's message.
        d.injectMessage(chatID: 42, text: "收到，谢谢", replyTo: annText.messageID, firstName: "小明")
        let thanks = try #require(d.lastInjectedMessageID(chatID: 42))
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.copiedFrom?.messageID == thanks } })
        let annTextID = try #require(d.sentMessages(to: 42).first { $0.text == "已经帮您补上了" }?.copiedFrom?.messageID)
        #expect(Self.posts(d, in: topic.threadID).first { $0.copiedFrom?.messageID == thanks }?.replyToMessageID == annTextID)

        // /close closes the topic and tells the customer; their next message reopens both.
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "/close", threadID: topic.threadID, firstName: "Ann")
        #expect(await rig.waitFor { d.topics(in: Self.operators).first?.isClosed == true && d.sentMessages(to: 42).last?.text.contains("已关闭") == true })
        d.injectMessage(chatID: 42, text: "还有一个问题", firstName: "小明")
        let again = try #require(d.lastInjectedMessageID(chatID: 42))
        #expect(await rig.waitFor { d.topics(in: Self.operators).first?.isClosed == false && Self.posts(d, in: topic.threadID).contains { $0.copiedFrom?.messageID == again } })
        #expect(d.sentMessages(to: 42).last?.text.contains("重新打开") == true)
        #expect(d.topics(in: Self.operators).count == 1)
        try await rig.stop()
        // The transcript the closing note shows: both sides, as the double saw them.
        print("ticket transcript, customer's chat:\n" + d.sentMessages(to: 42).filter { !$0.isEdit }.map { "  bot: [\($0.kind.rawValue)] \($0.caption ?? $0.text)" }.joined(separator: "\n"))
        print("ticket transcript, topic '\(topic.name)':\n" + Self.posts(d, in: topic.threadID).map { "  bot: [\($0.kind.rawValue)\($0.copiedFrom.map { " copy of \($0.chatID)/\($0.messageID)" } ?? "")] \($0.caption ?? $0.text)" }.joined(separator: "\n"))
    }

    /// Someone deleted the topic: the next message makes it again, opening with the card.
    @Test func aDeletedTopicIsMadeAgain() async throws {
        let rig = try await Self.rig()
        let d = rig.double
        rig.start()
        let topic = try #require(try await Self.openTicket(rig, customer: 43, name: "阿May"))
        d.deleteTopic(chatID: Self.operators, threadID: topic.threadID)
        d.injectMessage(chatID: 43, text: "有人吗", firstName: "阿May")
        let message = try #require(d.lastInjectedMessageID(chatID: 43))
        #expect(await rig.waitFor { d.topics(in: Self.operators).contains { !$0.isDeleted && $0.threadID != topic.threadID } })
        let remade = try #require(d.topics(in: Self.operators).first { !$0.isDeleted })
        #expect(remade.name == topic.name)
        #expect(await rig.waitFor { Self.posts(d, in: remade.threadID).contains { $0.copiedFrom?.messageID == message } })
        let posts = Self.posts(d, in: remade.threadID)
        #expect(posts.first?.text.contains("重新创建") == true && posts.first?.text.contains("T000001") == true, "\(posts.first?.text ?? "")")
        // The operators answer in the new topic, and it reaches the customer.
        try await Self.waitUntilRecorded(rig) { db in try Tickets.byThread(db, thread: remade.threadID) != nil }
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "在的", threadID: remade.threadID, firstName: "Ann")
        #expect(await rig.waitFor { d.sentMessages(to: 43).contains { $0.text == "在的" } })
        try await rig.stop()
    }

    /// Ten customers with open tickets write at once: each message lands in its own customer's topic.
    @Test func tenCustomersWritingAtOnceNeverCross() async throws {
        let rig = try await Self.rig()
        let d = rig.double
        rig.start()
        let customers = (0..<10).map { Int64(7000 + $0) }
        var opened: [Int64: Int64] = [:]
        for customer in customers { opened[customer] = try #require(try await Self.openTicket(rig, customer: customer, name: "客\(customer)")).threadID }
        let topicOf = opened
        for round in 0..<3 {
            for customer in customers { d.injectMessage(chatID: customer, text: "第\(round)条 来自 \(customer)", firstName: "客\(customer)") }
        }
        #expect(await rig.waitFor { customers.allSatisfy { c in Self.posts(d, in: topicOf[c]!).filter { $0.copiedFrom != nil }.count == 3 } })
        for customer in customers {
            let copies = Self.posts(d, in: topicOf[customer]!).filter { $0.copiedFrom != nil }
            #expect(copies.allSatisfy { $0.copiedFrom?.chatID == customer && $0.text.hasSuffix("来自 \(customer)") }, "\(copies.map(\.text))")
            #expect(copies.map(\.text) == (0..<3).map { "第\($0)条 来自 \(customer)" })
            #expect(d.sentMessages(to: customer).count == 2, "no bot reply while a person has it")
        }
        // And the answers go back to the right customer.
        for customer in customers { d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "回复 \(customer)", threadID: topicOf[customer]!, firstName: "Ann") }
        #expect(await rig.waitFor { customers.allSatisfy { c in d.sentMessages(to: c).contains { $0.text.hasPrefix("回复") } } })
        for customer in customers { #expect(d.sentMessages(to: customer).filter { $0.text.hasPrefix("回复") }.map(\.text) == ["回复 \(customer)"]) }
        try await rig.stop()
    }

    /// A plain group: the card and the copies go to the group; an operator answers by replying to the copy.
    @Test func withoutTopicsOperatorsAnswerByReplying() async throws {
        let rig = try await Self.rig(forum: false)
        let d = rig.double
        rig.start()
        d.injectMessage(chatID: 44, text: "转人工", firstName: "Kit")
        #expect(await rig.waitFor { d.sentMessages(to: Self.operators).count == 1 && d.sentMessages(to: 44).count == 1 })
        #expect(d.topics(in: Self.operators).isEmpty)
        d.injectMessage(chatID: 44, text: "我的号码被停了", firstName: "Kit")
        let question = try #require(d.lastInjectedMessageID(chatID: 44))
        #expect(await rig.waitFor { d.sentMessages(to: Self.operators).contains { $0.copiedFrom?.messageID == question } })
        let copy = try #require(d.sentMessages(to: Self.operators).first { $0.copiedFrom?.messageID == question })
        #expect(copy.threadID == nil)
        try await Self.waitUntilRecorded(rig) { db in try TicketMessages.byOperatorMessage(db, copy.messageID) != nil }
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "帮您看一下", chatType: "supergroup", replyTo: copy.messageID, firstName: "Ann")
        #expect(await rig.waitFor { d.sentMessages(to: 44).contains { $0.text == "帮您看一下" } })
        #expect(d.sentMessages(to: 44).first { $0.text == "帮您看一下" }?.replyToMessageID == question)
        // Talk in the group that replies to nothing of the bot's stays there.
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "我去吃饭了", chatType: "supergroup", firstName: "Ann")
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "/reply 还需要别的吗", chatType: "supergroup", replyTo: copy.messageID, firstName: "Ann")
        #expect(await rig.waitFor { d.sentMessages(to: 44).contains { $0.text == "还需要别的吗" } })
        #expect(!d.sentMessages(to: 44).contains { $0.text.contains("吃饭") })
        try await rig.stop()
    }

    /// The customer blocks the bot: the operators are told in the topic, and a message for the
    /// customer that cannot be delivered says so there.
    @Test func aCustomerWhoBlockedTheBotIsNeverLostSilently() async throws {
        let rig = try await Self.rig()
        let d = rig.double
        rig.start()
        let topic = try #require(try await Self.openTicket(rig, customer: 45, name: "Lee"))
        d.injectMyChatMember(chatID: 45, newStatus: "kicked")
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.text.contains("屏蔽") } })
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "您好，请问还在吗", threadID: topic.threadID, firstName: "Ann")
        let asked = try #require(d.lastInjectedMessageID(chatID: Self.operators))
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.text.contains("没有送达") } })
        let notice = try #require(Self.posts(d, in: topic.threadID).first { $0.text.contains("没有送达") })
        #expect(notice.replyToMessageID == asked)
        d.injectMyChatMember(chatID: 45, newStatus: "member")
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.text.contains("解除屏蔽") } })
        try await rig.stop()
    }

    /// `/assign`, a canned reply saved from a message and sent with `/c`, then `/ban`: as the
    /// topic and the customer see them.
    @Test func assignCannedRepliesAndBanInTheTopic() async throws {
        let rig = try await Self.rig()
        let d = rig.double
        rig.start()
        let topic = try #require(try await Self.openTicket(rig, customer: 46, name: "阿珍"))
        let card = try #require(Self.posts(d, in: topic.threadID).first)
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "/assign", threadID: topic.threadID, firstName: "Ann")
        #expect(await rig.waitFor { d.sentMessages(to: Self.operators).contains { $0.isEdit && $0.messageID == card.messageID && $0.text.contains("负责人：Ann") } })
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "{name}您好，{line}的续费已经到账。", threadID: topic.threadID, firstName: "Ann")
        let template = try #require(d.lastInjectedMessageID(chatID: Self.operators))
        #expect(await rig.waitFor { d.sentMessages(to: 46).contains { $0.text.hasPrefix("{name}") } }, "an operator's message goes as written")
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "/canned add paid", threadID: topic.threadID, replyTo: template, firstName: "Ann")
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.text.contains("已保存快捷回复 paid") } })
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "/c paid", threadID: topic.threadID, firstName: "Ann")
        #expect(await rig.waitFor { d.sentMessages(to: 46).contains { $0.text == "阿珍您好，—的续费已经到账。" } }, "\(d.sentMessages(to: 46).map(\.text))")
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.text.contains("已发送给客户") } })
        d.injectMessage(chatID: Self.operators, userID: Self.ann, text: "/ban", threadID: topic.threadID, firstName: "Ann")
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.text.contains("已封禁") } })
        let before = d.sentMessages().count
        d.injectMessage(chatID: 46, text: "你们骗子", firstName: "阿珍")
        #expect(await rig.waitFor { d.pendingUpdateCount == 0 && d.confirmedOffset > 0 })
        try await rig.stop()
        #expect(d.sentMessages().count == before, "a banned chat gets nothing, and nothing of it is relayed")
    }

    /// An open ticket left unanswered is flagged in its topic after 10 minutes and in the
    /// general topic after 30 (the rig's clock is moved on; the watch runs every 0.2 s).
    @Test func anUnansweredTicketIsFlagged() async throws {
        let rig = try await Self.rig()
        rig.settings.ticketCheckIntervalSeconds = 0.2
        let d = rig.double
        rig.start()
        let topic = try #require(try await Self.openTicket(rig, customer: 47, name: "Sam"))
        rig.clock.advance(seconds: 11 * 60)
        #expect(await rig.waitFor { Self.posts(d, in: topic.threadID).contains { $0.text.contains("⏰ 首次回复已等待 11 分钟") } })
        rig.clock.advance(seconds: 20 * 60)
        #expect(await rig.waitFor { d.sentMessages(to: Self.operators).contains { $0.threadID == nil && $0.text.contains("🚨 工单 T000001（Sam）首次回复已等待 31 分钟") } })
        try await rig.stop()
        #expect(d.sentMessages(to: Self.operators).filter { $0.text.contains("⏰") || $0.text.contains("🚨") }.count == 2, "each flag once")
    }
}

import BaohaoCore
import BotAPIDouble
import Storage
import Testing
import Understanding
@testable import Telegram
import BaohaoSupport
import TestSupport

/// Through the Bot API double: an operator's FAQ change answers the very next customer
/// message without a restart, customers' /faq commands change nothing, rollback restores the
/// previous answer, and a change made by the command line reaches the running bot.
@Suite(.serialized) struct FAQEditEndToEndTests {
    struct Chat {
        let rig: TelegramRig
        let chat: Int64
        let user: Int64

        /// Sends `text` and waits for the reply (a new message or an edit).
        func say(_ text: String) async throws -> BotAPIDouble.SentMessage {
            let before = rig.double.sentMessages(to: chat).count
            rig.double.injectMessage(chatID: chat, userID: user, text: text)
            return try await reply(after: before)
        }

        func press(_ data: String) async throws -> BotAPIDouble.SentMessage {
            let messages = rig.double.sentMessages(to: chat)
            let target = try #require(messages.last { $0.callbackData.contains(data) }, "no button \(data) in chat \(chat)")
            rig.double.injectCallback(chatID: chat, userID: user, messageID: target.messageID, data: data)
            return try await reply(after: messages.count)
        }

        func reply(after count: Int) async throws -> BotAPIDouble.SentMessage {
            let double = rig.double, chat = self.chat
            #expect(await rig.waitFor { double.sentMessages(to: chat).count > count }, "no reply in chat \(chat)")
            return try #require(double.sentMessages(to: chat).last)
        }
    }

    static let operatorID: Int64 = 9

    func rig() async throws -> TelegramRig {
        let rig = try await TelegramRig(operators: [Self.operatorID])
        rig.settings.faqCheckIntervalSeconds = 0.2
        return rig
    }

    func generation(_ rig: TelegramRig) async throws -> Int64 { try await rig.database.read { db in try FAQStore.generation(db) } }

    @Test func anOperatorAddsAnEntryAndTheNextQuestionGetsItWithoutARestart() async throws {
        let rig = try await rig()
        rig.start()
        let op = Chat(rig: rig, chat: Self.operatorID, user: Self.operatorID), customer = Chat(rig: rig, chat: 42, user: 42)
        let question = "我可以用这个号注册whatsapp吗"
        #expect(!(try await customer.say(question)).text.contains("注册 WhatsApp"))

        _ = try await op.say("/lang zh-Hans")
        #expect(try await op.say("/faq add").text.contains("1/6"))
        #expect(try await op.say("这个号码能注册 WhatsApp 吗？").text.contains("2/6"))
        _ = try await op.say("能不能用这个号注册whatsapp\nwhatsapp 可唔可以用呢個號註冊\ncan I sign up for whatsapp with this number")
        _ = try await op.say("<b>可以</b>：保号卡的号码可以用来注册 WhatsApp。")
        _ = try await op.say("<b>可以</b>：保號卡嘅號碼可以用嚟註冊 WhatsApp。")
        let topics = try await op.say("<b>Yes</b>: you can sign up for WhatsApp with the number.")
        #expect(topics.callbackData.contains("fq:topic:general"))
        #expect(try await op.press("fq:topic:general").text.contains("6/6"))
        let preview = try await op.say("skip")
        let save = try #require(preview.callbackData.first { $0 == "fq:save" || $0 == "fq:force" })
        let saved = try await op.press(save)
        #expect(saved.isEdit)
        #expect(saved.text.contains("general"))

        let answer = try await customer.say(question)
        #expect(answer.text.contains("可以用来注册 WhatsApp"))
        try await rig.stop()
    }

    @Test func aCustomersFAQCommandsChangeNothingAndRollbackRestoresTheAnswer() async throws {
        let rig = try await rig()
        rig.start()
        let op = Chat(rig: rig, chat: Self.operatorID, user: Self.operatorID), customer = Chat(rig: rig, chat: 42, user: 42)
        let question = "How do I renew my Ultra Mobile plan?"
        let original = try await customer.say(question)
        let startGeneration = try await generation(rig)

        for command in ["/faq add", "/faq edit renew-general-steps variant.ultra-renew.answer.en", "/faq rollback renew-general-steps 1", "/faq delete renew-general-steps", "/op add 42"] {
            let reply = try await customer.say(command)
            #expect(!reply.callbackData.contains { $0.hasPrefix("fq:") }, "\(command)")
        }
        _ = try await customer.say("Renew with <b>cash</b> only.")
        #expect(try await generation(rig) == startGeneration)
        #expect(try await customer.say(question).text == original.text)

        _ = try await op.say("/faq edit renew-general-steps variant.ultra-renew.answer.en")
        let preview = try await op.say("Ultra: renew in the app only.")
        _ = try await op.press(try #require(preview.callbackData.first { $0 == "fq:save" || $0 == "fq:force" }))
        #expect(try await customer.say(question).text.hasPrefix("Ultra: renew in the app only."))

        _ = try await op.say("/faq rollback renew-general-steps 1")
        #expect(try await customer.say(question).text == original.text)
        try await rig.stop()
    }

    @Test func aChangeFromTheCommandLineReachesTheRunningBot() async throws {
        let rig = try await rig()
        rig.start()
        let customer = Chat(rig: rig, chat: 42, user: 42)
        let question = "How do I renew my Ultra Mobile plan?"
        _ = try await customer.say(question)
        // What `baohao faq import` does, from another connection to the same file.
        let other = try await Database.open(path: rig.databasePath, migrations: BaohaoSchema.migrations)
        try await other.write { db in
            let latest = try #require(try FAQStore.latest(db, id: "renew-general-steps"))
            let changed = try #require(latest.entry).answeringVariant("ultra-renew", .en, "Changed from the command line.")
            try FAQStore.save(db, changed, basedOn: latest.version, author: "cli:test", at: rig.clock.now())
        }
        var changed = false
        for _ in 0..<50 where !changed {
            changed = try await customer.say(question).text.hasPrefix("Changed from the command line.")
            if !changed { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(changed)
        try await rig.stop()
    }

    /// On PostgreSQL the change is announced (migration 14's trigger, `LISTEN`): the bot
    /// installs it while no customer writes (a message would make it look anyway), although
    /// its periodic check is an hour away.
    @Test(.enabled(if: testsUsePostgres, "notifications are PostgreSQL's"))
    func onPostgreSQLAChangeMadeElsewhereIsAnnouncedToTheRunningBot() async throws {
        let rig = try await rig()
        rig.settings.faqCheckIntervalSeconds = 3600
        rig.start()
        let customer = Chat(rig: rig, chat: 42, user: 42)
        let question = "How do I renew my Ultra Mobile plan?"
        #expect(!(try await customer.say(question)).text.hasPrefix("Announced."))
        let other = try await Database.open(path: rig.databasePath, migrations: BaohaoSchema.migrations)
        let generation = try await other.write { db in
            let latest = try #require(try FAQStore.latest(db, id: "renew-general-steps"))
            let changed = try #require(latest.entry).answeringVariant("ultra-renew", .en, "Announced.")
            try FAQStore.save(db, changed, basedOn: latest.version, author: "cli:test", at: rig.clock.now())
            return try FAQStore.generation(db)
        }
        let logs = rig.logs
        #expect(await rig.waitFor { logs.lines.contains { $0.contains("event=faq.reloaded") && $0.contains("generation=\(generation)") } })
        #expect(try await customer.say(question).text.hasPrefix("Announced."))
        try await rig.stop()
    }
}

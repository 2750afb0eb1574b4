import Foundation
import Storage
import Testing
import TestSupport
import Understanding
@testable import BaohaoCore
import BaohaoSupport

private let replies = ShippedAssistantData.replies
private func plain(_ key: ReplyKey, _ language: Language, _ values: [String: String] = [:]) -> String {
    HTML.plainText(replies.text(key, language, values))
}

/// Operators keep the FAQ current from chat; customers get the change with their very next message.
@Suite struct FAQAdminDialogueTests {
    static let op: Int64 = Dialogue.operatorUser
    static let customer: Int64 = 42

    func generation(_ d: Dialogue) async throws -> Int64 { try await d.database.read { db in try FAQStore.generation(db) } }

    func latest(_ d: Dialogue, _ id: String) async throws -> FAQStore.Version? { try await d.database.read { db in try FAQStore.latest(db, id: id) } }

    @Test func anOperatorAddsAnEntryStepByStepAndTheNextCustomerQuestionGetsIt() async throws {
        let d = try await Dialogue()
        // Today this question is mistaken for a cancellation.
        let question = "我可以用这个号注册whatsapp吗"
        let before = try await d.say(question, chat: Self.customer)
        #expect(!before.text.contains("可以用来注册 WhatsApp"))

        let op = Self.op
        _ = try await d.say("/lang zh-Hans", chat: op)
        #expect(try await d.say("/faq add", chat: op).text == plain(.adminAskQuestion, .zhHans))
        #expect(try await d.say("这个号码能注册 WhatsApp 吗？", chat: op).text == plain(.adminAskPhrasings, .zhHans))
        let phrasings = "能不能用这个号注册whatsapp\nwhatsapp 可唔可以用呢個號註冊\ncan I sign up for whatsapp with this number"
        #expect(try await d.say(phrasings, chat: op).text.contains("简体中文"))
        #expect(try await d.say("<b>可以</b>：保号卡的号码可以用来注册 WhatsApp。", chat: op).text.contains("繁體中文"))
        #expect(try await d.say("<b>可以</b>：保號卡嘅號碼可以用嚟註冊 WhatsApp。", chat: op).text.contains("English"))
        let topics = try await d.say("<b>Yes</b>: you can sign up for WhatsApp with the number.", chat: op)
        #expect(topics.text == plain(.adminAskTopic, .zhHans))
        #expect(topics.buttons.contains { $0.payload == "fq:topic:general" })
        #expect(try await d.press(payload: "fq:topic:general", chat: op, user: op).text == plain(.adminAskTags, .zhHans))
        let preview = try await d.say("skip", chat: op)
        #expect(preview.text.contains("general"))
        let save = try #require(preview.buttons.first { $0.payload == "fq:save" || $0.payload == "fq:force" })
        let saved = try await d.press(payload: save.payload, chat: op, user: op)
        let entry = try #require(try await d.database.read { db in try FAQStore.current(db) }.first { $0.topic == "general" && $0.answer[.en]?.contains("WhatsApp") == true })
        #expect(entry.id == "general")
        #expect(entry.phrasings.count == 3)
        #expect(entry.question[.zhHans] == "这个号码能注册 WhatsApp 吗？")
        #expect(saved.text.contains(plain(.adminSaved, .zhHans, ["id": entry.id, "version": "1", "diff": ""]).prefix(8)))

        let after = try await d.say(question, chat: Self.customer)
        #expect(after.text.contains("可以用来注册 WhatsApp"))
        // The accepted phrasings are stored as labelled questions for later gates.
        let labelled = try await d.database.read { db in try LabelledExamples.all(db) }.filter { $0.source == "operator" }
        #expect(labelled.map(\.text).sorted() == entry.phrasings.sorted())
        #expect(labelled.allSatisfy { $0.target == entry.id })
        // Audited.
        let audit = try await d.database.read { db in try OperatorRoles.auditTrail(db) }
        #expect(audit.contains { $0.action == "faq.add" && $0.actor == "user:\(op)" && $0.detail.hasPrefix("general v1") })
    }

    @Test func aCustomerCannotChangeTheFAQByAnyCommandOrButton() async throws {
        let d = try await Dialogue()
        let stranger: Int64 = 77
        let startGeneration = try await generation(d)
        for command in [
            "/faq add", "/faq edit renew-general-steps answer.en", "/faq delete renew-general-steps", "/faq rollback renew-general-steps 1", "/faq alias renew-general-steps 你好",
            "/unanswered", "/stats", "/op add 77", "/faq list",
        ] {
            let reply = try await d.say(command, chat: stranger)
            #expect(!reply.text.contains("renew-general-steps"), "\(command) answered as to an operator")
            #expect(!reply.buttons.contains { $0.payload.hasPrefix("fq:") || $0.payload.hasPrefix("un:") })
        }
        // A customer's text after "/faq add" is an ordinary question, not a draft field.
        let text = try await d.say("<b>hacked</b>", chat: stranger)
        #expect(!text.text.contains("2/6"))
        for payload in ["fq:save", "fq:force", "fq:cancel", "fq:topic:general", "fq:del:1:renew-general-steps", "fq:rb:1:1:renew-general-steps", "un:i:1", "un:p:1:renew-general-steps"] {
            _ = try await d.press(payload: payload, chat: stranger)
        }
        #expect(try await generation(d) == startGeneration)
        #expect(try await latest(d, "renew-general-steps")?.version == 1)
        #expect(try await d.database.read { db in try OperatorRoles.isOperator(db, user: stranger, configured: []) } == false)
        let refused = try await d.database.read { db in try OperatorRoles.auditTrail(db) }.filter { $0.action == "refused" && $0.actor == "user:77" }
        #expect(refused.count >= 16)
    }

    @Test func editsAreValidatedAndTheSecondOfTwoConcurrentEditsIsRefused() async throws {
        let d = try await Dialogue()
        let op = Self.op, second: Int64 = 10
        #expect(try await d.say("/op add \(second)", chat: op).text == plain(.adminOpAdded, .zhHans, ["user": "10"]))

        // Broken HTML: shown with the reason, no Save button.
        _ = try await d.say("/faq edit renew-general-steps variant.ultra-renew.answer.en", chat: op)
        let broken = try await d.say("<b>Renew at my.ultra.me", chat: op)
        #expect(broken.text.contains("variants[0].answer.en"), "\(broken.text)")
        #expect(broken.text.contains("Telegram would refuse this HTML"))
        #expect(!broken.buttons.contains { $0.payload == "fq:save" || $0.payload == "fq:force" })
        _ = try await d.say("/faq cancel", chat: op)

        // Both start from version 1; the second operator saves first.
        _ = try await d.say("/faq edit renew-general-steps variant.ultra-renew.answer.en", chat: op)
        _ = try await d.say("/faq edit renew-general-steps variant.ultra-renew.answer.en", chat: second)
        let preview2 = try await d.say("Renew at <b>my.ultra.me</b> (second).", chat: second)
        let save2 = try #require(preview2.buttons.first { $0.payload == "fq:save" || $0.payload == "fq:force" })
        _ = try await d.press(payload: save2.payload, chat: second, user: second)
        #expect(try await latest(d, "renew-general-steps")?.version == 2)

        let preview1 = try await d.say("Renew at <b>my.ultra.me</b> (first).", chat: op)
        let save1 = try #require(preview1.buttons.first { $0.payload == "fq:save" || $0.payload == "fq:force" })
        let refused = try await d.press(payload: save1.payload, chat: op, user: op)
        #expect(refused.text.contains("you edited version 1, the current one is 2"))
        let current = try #require(try await latest(d, "renew-general-steps"))
        #expect(current.version == 2)
        #expect(current.entry?.variants.first { $0.id == "ultra-renew" }?.answer[.en] == "Renew at <b>my.ultra.me</b> (second).")
        #expect(current.note.contains("variant ultra-renew.answer[en]:"), "\(current.note)")
    }

    /// The 3HK variant of the refund question, added in chat: three answers, a preview, Save.
    /// A customer with a 3HK line then gets it; other chats keep theirs; removing it restores them.
    @Test func anOperatorAddsACarriersVariantAndOnlyThatCarriersCustomersGetIt() async throws {
        let d = try await Dialogue()
        let op = Self.op, threeHK: Int64 = 43
        try await d.line("+85261234567", carrier: "3hk", plan: "prepaid", balance: "20.00", expires: "2027-01-10", boundTo: threeHK)
        let question = "Can I get my remaining balance refunded?"
        let before = try await d.say(question, chat: threeHK)
        let generic = try #require(try await latest(d, "refund-remaining-balance")?.entry)
        #expect(generic.variants.allSatisfy { !$0.carriers.contains("3hk") })
        #expect(before.html.contains(generic.answer[.en]!.prefix(30)), "\(before.text)")

        let start = try await d.say("/faq variant refund-remaining-balance 3hk", chat: op)
        #expect(start.text.contains("refund-remaining-balance-3hk"), "\(start.text)")
        _ = try await d.say("3HK：储值余额不退。", chat: op)
        _ = try await d.say("3HK：儲值餘額唔退。", chat: op)
        let preview = try await d.say("<b>3HK</b>: stored value is not refunded.", chat: op)
        #expect(preview.text.contains("variant refund-remaining-balance-3hk: + (3hk)"), "\(preview.text)")
        let save = try #require(preview.buttons.first { $0.payload == "fq:save" || $0.payload == "fq:force" }, "\(preview.text)")
        _ = try await d.press(payload: save.payload, chat: op, user: op)
        let saved = try #require(try await latest(d, "refund-remaining-balance"))
        #expect(saved.version == 2)
        #expect(saved.entry?.variants.last?.carriers == ["3hk"])

        #expect(try await d.say(question, chat: threeHK).text.hasPrefix("3HK: stored value is not refunded."))
        #expect(try await d.say(question, chat: 44).html.contains(generic.answer[.en]!.prefix(30)), "an unbound chat keeps the generic answer")
        #expect(try await d.say("/faq show refund-remaining-balance", chat: op).text.contains("refund-remaining-balance-3hk (3hk)"))
        #expect(try await d.say("/faq list refund", chat: op).text.contains("⑂ ultra US · giffgaff UK · 3hk"))

        let removed = try await d.say("/faq deletevariant refund-remaining-balance refund-remaining-balance-3hk", chat: op)
        // No known question changes its answer: saved at once, as a new version.
        #expect(removed.text.contains("refund-remaining-balance"), "\(removed.text)")
        let afterRemoval = try #require(try await latest(d, "refund-remaining-balance"))
        #expect(afterRemoval.version == 3)
        #expect(afterRemoval.note == "variant refund-remaining-balance-3hk: − removed")
        #expect(try await d.say(question, chat: threeHK).html.contains(generic.answer[.en]!.prefix(30)))
        #expect(try await d.say("/faq deletevariant refund-remaining-balance nope", chat: op).text.contains("nope"))
    }

    @Test func historyAndRollbackRestoreThePreviousAnswer() async throws {
        let d = try await Dialogue()
        let op = Self.op
        // Ultra's answer is a variant of the renew question.
        let original = try #require(try await latest(d, "renew-general-steps")?.entry)
        let ultra = try #require(original.variants.first { $0.id == "ultra-renew" })
        let question = "How do I renew my Ultra Mobile plan?"
        let first = try await d.say(question, chat: Self.customer)
        #expect(first.html.contains(ultra.answer[.en]!.prefix(40)))

        _ = try await d.say("/faq edit renew-general-steps variant.ultra-renew.answer.en", chat: op)
        let preview = try await d.say("Ultra: renew in the app. <i>Changed.</i>", chat: op)
        _ = try await d.press(payload: try #require(preview.buttons.first { $0.payload.hasPrefix("fq:save") || $0.payload == "fq:force" }).payload, chat: op, user: op)
        #expect(try await d.say(question, chat: Self.customer).text.contains("renew in the app. Changed."))

        let history = try await d.say("/faq history renew-general-steps", chat: op)
        #expect(history.text.contains("v1"))
        #expect(history.text.contains("v2"))
        #expect(history.text.contains("user:\(op)"))

        let rolled = try await d.say("/faq rollback renew-general-steps 1", chat: op)
        #expect(rolled.text.contains("renew-general-steps"))
        let restored = try #require(try await latest(d, "renew-general-steps"))
        #expect(restored.version == 3)
        #expect(restored.entry == original)
        #expect(restored.note.hasPrefix("rollback to version 1"))
        let again = try await d.say(question, chat: Self.customer)
        #expect(again.html.contains(ultra.answer[.en]!.prefix(40)))
        #expect(!again.text.contains("Changed."))
    }

    @Test func anAliasThatStealsAKnownQuestionNeedsConfirmation() async throws {
        let d = try await Dialogue()
        let op = Self.op
        // A development-set question answered correctly as a balance check, added as a phrasing of a renew entry.
        let stolen = "查询到期日期"
        let reply = try await d.say("/faq alias renew-general-steps \(stolen)", chat: op)
        #expect(reply.text.contains(stolen))
        #expect(reply.text.contains("→"))
        #expect(try await latest(d, "renew-general-steps")?.version == 1, "nothing is saved before the confirmation")
        let force = try #require(reply.buttons.first { $0.payload == "fq:force" })
        _ = try await d.press(payload: force.payload, chat: op, user: op)
        let saved = try #require(try await latest(d, "renew-general-steps"))
        #expect(saved.version == 2)
        #expect(saved.entry?.phrasings.last == stolen)
        let audit = try await d.database.read { db in try OperatorRoles.auditTrail(db) }
        #expect(audit.first?.detail.contains("accepted") == true)
    }

    /// The bot reads its regression set at the first FAQ change: a bad line found then
    /// refuses the change, naming the key, the file and the line; once the file is fixed the
    /// next change is gated by it, without a restart.
    @Test func aBadRegressionSetRefusesTheChangeNamingTheLineUntilItIsFixed() async throws {
        let file = writeTemporaryFile(#"{"text": "查询到期日期", "intent": "check_balance"}"# + "\n" + #"{"text": "怎么续费""#, name: "regression.jsonl")
        let d = try await Dialogue(regressionSetFile: file)
        let op = Self.op
        let refused = try await d.say("/faq alias renew-general-steps 查询到期日期", chat: op)
        #expect(refused.text.contains("\(file): regression_set_file: line 2: not a JSON object"), "\(refused.text)")
        #expect(refused.buttons.isEmpty)
        #expect(try await latest(d, "renew-general-steps")?.version == 1)

        try Data((#"{"text": "查询到期日期", "intent": "check_balance"}"# + "\n").utf8).write(to: URL(fileURLWithPath: file))
        let gated = try await d.say("/faq alias renew-general-steps 查询到期日期", chat: op)
        #expect(gated.text.contains("“查询到期日期”: check_balance → faq:renew-general-steps"), "\(gated.text)")
        #expect(gated.buttons.contains { $0.payload == "fq:force" })
        #expect(try await latest(d, "renew-general-steps")?.version == 1)
    }

    @Test func unansweredQuestionsAreGroupedAndEachButtonWorks() async throws {
        let d = try await Dialogue()
        let op = Self.op
        let roaming = ["保号卡可以在日本漫游上网吗", "保号卡在日本能漫游上网吗", "保号卡去日本可以漫游上网吗"]
        for (i, text) in (roaming + ["天气预报明天下雨吗"]).enumerated() { _ = try await d.say(text, chat: 500 + Int64(i)) }
        #expect(try await d.database.read { db in try MissGroups.open(db) }.count == 4)
        _ = try await d.say("/lang zh-Hans", chat: op)
        let inbox = try await d.say("/unanswered", chat: op)
        #expect(inbox.text.contains("×3"))
        #expect(inbox.text.contains("×1"))

        // The largest group comes first; add it as phrasings of the entry the classifier guesses.
        let add = try #require(inbox.buttons.first { $0.payload.hasPrefix("un:p:") })
        let id = String(add.payload.split(separator: ":")[3])
        let version = try #require(try await latest(d, id)?.version)
        _ = try await d.press(payload: add.payload, chat: op, user: op)
        let updated = try #require(try await latest(d, id))
        #expect(updated.version == version + 1)
        #expect(Set(roaming).isSubset(of: Set(updated.entry?.phrasings ?? [])))
        #expect(try await d.database.read { db in try MissGroups.open(db) }.map(\.text) == ["天气预报明天下雨吗"])

        // Ignore the rest for good.
        let next = try await d.say("/unanswered", chat: op)
        let ignore = try #require(next.buttons.first { $0.payload.hasPrefix("un:i:") })
        #expect(try await d.press(payload: ignore.payload, chat: op, user: op).text == plain(.adminIgnored, .zhHans, ["count": "1"]))
        #expect(try await d.say("/unanswered", chat: op).text == plain(.adminUnansweredEmpty, .zhHans))

        // A new entry from a group starts the draft with its questions.
        _ = try await d.say("你们公司在哪个城市办公", chat: 600)
        _ = try await d.say("你们公司在哪个城市办公呀", chat: 601)
        let third = try await d.say("/unanswered", chat: op)
        let new = try #require(third.buttons.first { $0.payload.hasPrefix("un:n:") })
        let started = try await d.press(payload: new.payload, chat: op, user: op)
        #expect(started.text.contains("你们公司在哪个城市办公"))
        #expect(started.text.contains("简体中文"))
        let draft = try #require(try await d.database.read { db in try FAQDraft.load(db, chat: op, at: d.clock.now()) })
        #expect(draft.entry.phrasings.count == 1)
        #expect(try await d.database.read { db in try MissGroups.open(db) }.isEmpty)
    }

    @Test func statsCountTheLastDayAndWeekWithSparklines() async throws {
        let d = try await Dialogue()
        _ = try await d.say("你好", chat: 300)
        _ = try await d.say("天气预报明天下雨吗", chat: 301)
        let stats = try await d.say("/stats", chat: Self.op)
        // Two customers' messages and the operator's /stats itself.
        #expect(stats.text.contains("消息 3"))
        #expect(stats.text.contains("未答 1"))
        #expect(stats.text.contains(String(repeating: "▁", count: 13) + "█"))
    }

    @Test func operatorsAreAddedAndRemovedButConfiguredOnesStay() async throws {
        let d = try await Dialogue()
        let op = Self.op
        #expect(try await d.say("/faq list", chat: 11).text.contains("renew-general-steps") == false)
        _ = try await d.say("/op add 11", chat: op)
        #expect(try await d.say("/faq list", chat: 11).text.contains("renew-general-steps"))
        #expect(try await d.say("/op remove \(op)", chat: 11).text == plain(.adminOpConfigured, .zhHans, ["user": String(op)]))
        _ = try await d.say("/op remove 11", chat: op)
        #expect(try await d.say("/faq list", chat: 11).text.contains("renew-general-steps") == false)
        let actions = try await d.database.read { db in try OperatorRoles.auditTrail(db) }.map(\.action)
        #expect(actions.contains("op.add"))
        #expect(actions.contains("op.remove"))
        // Reads are audited too: who listed the FAQ, and when.
        let trail = try await d.database.read { db in try OperatorRoles.auditTrail(db) }
        #expect(trail.contains { $0.actor == "user:11" && $0.action == "command" && $0.detail == "/faq list" })
        #expect(trail.contains { $0.actor == "user:11" && $0.action == "refused" && $0.detail == "/faq list" })
    }

    @Test func faqTestShowsWhatMatchesNow() async throws {
        let d = try await Dialogue()
        let report = try await d.say("/faq test ultra 怎么续费", chat: Self.op)
        #expect(report.text.contains("now"))
        #expect(report.text.contains("faq:renew-general-steps"))
        #expect(report.text.contains("%"))
    }
}

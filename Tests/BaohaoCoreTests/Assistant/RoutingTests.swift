import TestSupport
import Testing
import Understanding
@testable import BaohaoCore

/// Button payloads and chat commands: every case encodes to what parses back to it, within
/// Telegram's 64 bytes, and nothing else parses.
@Suite struct ButtonPayloadTests {
    static let us = PhoneNumber(e164: "+12125550142")!
    static let hk = PhoneNumber(e164: "+85291234567")!
    /// An FAQ id as long as the validator allows.
    static let longID = String(repeating: "a", count: FAQValidator.idLimit)

    /// One value of every case and sub-case, with the largest realistic fields.
    static let everyCase: [ButtonPayload] = [
        .menu(.balance), .menu(.renew), .menu(.cancel), .menu(.faq), .menu(.agent),
        .line(.balance, .number(hk)), .line(.renew, .number(us)), .line(.cancel, .number(hk)), .line(.balance, .all),
        .renewalOrder(number: hk, .option("hk-365")), .renewalOrder(number: us, .amount(minorUnits: 1_000_000)),
        .confirmCancel(flowID: "zik0zj"), .abortCancel(flowID: "0"),
        .carrierRegion(flowID: "zik0zj", region: "HK"), .carrier(flowID: "zik0zj", carrierID: "smartone-valuegb"),
        .unbind(us),
        .faqEntry(id: longID), .faqTopic("payment_methods"),
        .clarify(id: Int64(Int32.max), .option(2)), .clarify(id: 1, .none),
        .alertSetting(.on), .alertSetting(.off), .alertSetting(.leadDays(nil)), .alertSetting(.leadDays([30, 14, 7, 1])),
        .alertSetting(.quietHours(startMinute: 1320, endMinute: 480)), .alertSetting(.quietOff),
        .alertSetting(.timeZone("America/Los_Angeles")), .alertSetting(.timeZone(nil)),
        .snoozeAlerts(lineID: 9_999_999), .stopAlerts(lineID: 1),
        .language(.zhHans), .language(.zhHant), .language(.en),
        .faqAdmin(.cancel), .faqAdmin(.topic("missed_renewal")), .faqAdmin(.save), .faqAdmin(.saveAnyway),
        .faqAdmin(.delete(id: longID, basedOn: 99_999)), .faqAdmin(.rollback(id: longID, to: 9_999, basedOn: 99_999)),
        .faqAdmin(.rollback(id: "hk-renew", to: 1, basedOn: nil)),
        .inbox(.addPhrasings(missID: 999_999, entryID: longID)), .inbox(.newEntry(missID: 3)), .inbox(.ignore(missID: 4)),
    ]

    @Test(arguments: everyCase)
    func everyCaseRoundTripsWithin64Bytes(_ payload: ButtonPayload) {
        let encoded = payload.encoded
        #expect(encoded.utf8.count <= ButtonPayload.maximumBytes, "\(encoded) is \(encoded.utf8.count) bytes")
        #expect(ButtonPayload(encoded: encoded) == payload)
        #expect(OutboundButton("x", payload).payload == encoded)
    }

    @Test func theListCoversEveryKind() {
        // A new case added to the enum but not to `everyCase` shows up as a missing kind here.
        let kinds = Set(Self.everyCase.map { String($0.encoded.prefix { $0 != ":" }) })
        #expect(kinds == ["m", "bal", "rn", "cx", "ro", "cy", "cn", "cr", "cc", "ub", "faq", "tp", "cl", "al", "az", "ax", "lang", "fq", "un"])
    }

    @Test(arguments: [
        "", ":", "m", "m:", "m:xyz", "bal:", "bal:123", "rn:+1", "ro:+85291234567:o:", "ro:+85291234567:z:1", "ro:+85291234567:a:1.5",
        "cy:", "cy:a:b", "cr:", "cr:x", "cc::ultra", "cc:x:", "ub:notanumber", "faq:", "tp:", "cl:1", "cl:x:1", "cl:1:-1", "cl:1:y", "al:", "al:lead:", "al:lead:7,x",
        "al:quiet:1-2-3", "al:tz:", "az:", "ax:one", "lang:fr", "fq:", "fq:del:1", "fq:del:x:id", "fq:rb:1:2", "fq:topic:", "un:p:1",
        "un:x:1", "un:n:", "zz:1", "m:bal:extra",
    ])
    func whatTheBotNeverMakesParsesAsNothing(_ text: String) {
        #expect(ButtonPayload(encoded: text) == nil, "\(text) parsed as \(String(describing: ButtonPayload(encoded: text)))")
    }

    @Test func anOverlongPayloadBecomesOneThatParsesAsNothing() {
        // Cut at 64 bytes, this id would name another entry; the button must not act on it.
        let long = ButtonPayload.faqEntry(id: String(repeating: "é", count: 40))
        let button = OutboundButton("x", long)
        #expect(button.payload.utf8.count <= ButtonPayload.maximumBytes)
        #expect(ButtonPayload(encoded: button.payload) == nil)
        #expect(OutboundButton("x", .faqEntry(id: "hk-renew")).payload == "faq:hk-renew")
        #expect(ButtonPayload(encoded: String(repeating: "m", count: 65)) == nil)
    }

    /// Found by FuzzButtonPayloads: the colons between fields were looked for among Characters,
    /// and a colon followed by a joiner or a combining mark is one Character, so a field starting
    /// with one made the payload parse as nothing.
    @Test func fieldsStartingWithAJoinerOrAMarkRoundTrip() {
        for payload: ButtonPayload in [
            .inbox(.addPhrasings(missID: 1, entryID: "\u{200D}x")), .carrier(flowID: "zik0zj", carrierID: "\u{301}"),
            .confirmCancel(flowID: "\u{200D}"), .faqEntry(id: "\u{301}a:b"), .alertSetting(.timeZone("\u{200D}Zone")),
        ] {
            #expect(ButtonPayload(encoded: payload.encoded) == payload, "\(payload.encoded.debugDescription)")
        }
    }

    @Test func onlyTheConsoleButtonsAreOperatorsAndMayChangeTheFAQ() {
        for payload in Self.everyCase {
            let console: Bool = if case .faqAdmin = payload { true } else if case .inbox = payload { true } else { false }
            #expect(payload.isOperatorOnly == console)
            #expect(payload.mayChangeKnowledge == console)
        }
    }

    @Test func randomTextNeverCrashesTheParserAndWhatParsesReencodesToItself() {
        let seed = testSeed(default: 0xB077)
        var generator = SeededGenerator(seed: seed)
        let alphabet = Array("mbalrncxoyubfqtpzi:0123456789+*,-_/é".unicodeScalars)
        for _ in 0..<20_000 {
            let text = String(String.UnicodeScalarView((0..<Int(generator.next() % 24)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
            if let payload = ButtonPayload(encoded: text) {
                #expect(ButtonPayload(encoded: payload.encoded) == payload, "seed \(seed): \(text)")
            }
        }
    }
}

@Suite struct ChatCommandTests {
    static let everyCase: [ChatCommand] = [
        .start(code: nil), .start(code: "AB12CD"), .help, .menu, .balance, .renew, .cancel, .bind(code: nil), .bind(code: "K7Q2M9"), .unbind, .alerts,
        .language(nil), .language("en"), .faq(nil),
        .faq(.list(topic: nil)), .faq(.list(topic: "renew")), .faq(.show(id: "hk-renew")), .faq(.add), .faq(.edit(id: "hk-renew", field: "answer.en")),
        .faq(.alias(id: "hk-renew", phrasing: "點樣續費 香港號")), .faq(.delete(id: "x")), .faq(.history(id: "x")), .faq(.rollback(id: "x", version: "3")),
        .faq(.variant(id: "refund-general", scope: "csl cmhk")), .faq(.deleteVariant(id: "x", variant: "x-3hk")),
        .faq(.test(question: "how do I renew my hk number")), .faq(.cancel), .faq(.usage("frobnicate now")),
        .agent, .unanswered, .stats, .operators(""), .operators("add 123"), .reply(ticket: "T000001", text: "您好，已处理"), .close(ticket: "T000001"),
        .unknown("weather"),
    ]

    @Test(arguments: everyCase)
    func everyCaseRoundTrips(_ command: ChatCommand) {
        #expect(ChatCommand(text: command.text) == command, "\(command.text)")
    }

    @Test func namesIgnoreCaseTheBotsUsernameAndSurroundingSpace() {
        #expect(ChatCommand(text: "  /Balance@BaohaoBot  ") == .balance)
        #expect(ChatCommand(text: "/start@BaohaoBot AB12CD") == .start(code: "AB12CD"))
        #expect(ChatCommand(text: "/FAQ Edit hk-renew Answer.EN") == .faq(.edit(id: "hk-renew", field: "answer.en")))
        #expect(ChatCommand(text: "/reply T000001   hello there") == .reply(ticket: "T000001", text: "hello there"))
        #expect(ChatCommand(text: "balance") == nil)
        #expect(ChatCommand(text: "") == nil)
        #expect(ChatCommand(text: "/") == .unknown(""))
    }

    @Test func operatorCommandsAreExactlyTheConsolesAndFallBackToTheCustomers() {
        let operatorOnly = Self.everyCase.filter(\.isOperatorOnly).map(\.name)
        #expect(Set(operatorOnly) == ["faq", "unanswered", "stats", "op", "reply", "close"])
        #expect(ChatCommand.faq(nil).isOperatorOnly == false)
        #expect(ChatCommand.faq(.list(topic: nil)).customerFallback == .faq(nil))
        #expect(ChatCommand.stats.customerFallback == .unknown("stats"))
        #expect(Self.everyCase.filter(\.mayChangeKnowledge).allSatisfy { if case .faq(.some) = $0 { true } else { $0 == .unanswered } })
    }

    @Test func theMenuListsEveryCustomerCommandOnceAndNoOperatorOne() {
        let names = ChatCommand.menuEntries.map(\.command.name)
        #expect(names == ["start", "balance", "renew", "cancel", "bind", "unbind", "alerts", "faq", "agent", "lang", "help"])
        #expect(ChatCommand.menuEntries.allSatisfy { !$0.command.isOperatorOnly })
    }
}

import Testing
@testable import BaohaoCore

@Suite struct OutboxCodecTests {
    @Test(arguments: [
        Outbound.send(OutboundMessage(chatID: 42, html: "<b>余额</b>\n第二行 &amp; more", buttons: [[OutboundButton("查余额", "m:bal"), OutboundButton("续费", "m:renew")], [OutboundButton("FAQ", "m:faq")]], answering: 7)),
        .send(OutboundMessage(chatID: -100123, html: "plain")),
        .edit(messageID: 1001, OutboundMessage(chatID: 5, html: "edited", buttons: [[OutboundButton("a", "b")]])),
        .answerButton(callbackID: "4278655576057498272", text: nil),
        .answerButton(callbackID: "x", text: "好的"),
        // Combining marks and emoji sequences right next to the separators.
        .send(OutboundMessage(chatID: 9, html: "e\u{301}\n👨‍👩‍👧 🇭🇰", buttons: [[OutboundButton("\u{301}", "a\u{301}")], [OutboundButton("", "")]], answering: nil)),
        .edit(messageID: 3, OutboundMessage(chatID: 9, html: "", buttons: [])),
    ])
    func itemsRoundTrip(_ outbound: Outbound) throws {
        #expect(try OutboxCodec.decode(OutboxCodec.encode(outbound)) == outbound)
    }

    @Test func separatorsInsideTextAreRemovedNotMisread() throws {
        let hostile = Outbound.send(OutboundMessage(chatID: 1, html: "a\u{1F}b\u{1E}c\u{1D}d\u{1C}e", buttons: [[OutboundButton("l\u{1F}x", "p\u{1C}y")]]))
        let decoded = try OutboxCodec.decode(OutboxCodec.encode(hostile))
        #expect(decoded == .send(OutboundMessage(chatID: 1, html: "abcde", buttons: [[OutboundButton("lx", "py")]])))
    }

    @Test func garbageIsAnError() {
        #expect(throws: (any Error).self) { try OutboxCodec.decode("zzz") }
        #expect(throws: (any Error).self) { try OutboxCodec.decode("s\u{1F}notanumber\u{1F}\u{1F}\u{1F}x") }
    }
}

import TestSupport
import Testing
@testable import BaohaoCore

@Suite struct OutboxCodecTests {
    @Test(arguments: [
        Outbound.send(OutboundMessage(chatID: 42, html: "<b>余额</b>\n第二行 &amp; more", buttons: [[OutboundButton(label: "查余额", payload: "m:bal"), OutboundButton(label: "续费", payload: "m:renew")], [OutboundButton(label: "FAQ", payload: "m:faq")]], answering: 7)),
        .send(OutboundMessage(chatID: -100123, html: "plain")),
        .edit(messageID: 1001, OutboundMessage(chatID: 5, html: "edited", buttons: [[OutboundButton(label: "a", payload: "b")]])),
        .answerButton(callbackID: "4278655576057498272", text: nil),
        .answerButton(callbackID: "x", text: "好的"),
        // Combining marks and emoji sequences right next to the separators.
        .send(OutboundMessage(chatID: 9, html: "e\u{301}\n👨‍👩‍👧 🇭🇰", buttons: [[OutboundButton(label: "\u{301}", payload: "a\u{301}")], [OutboundButton(label: "", payload: "")]], answering: nil)),
        .edit(messageID: 3, OutboundMessage(chatID: 9, html: "", buttons: [])),
    ])
    func itemsRoundTrip(_ outbound: Outbound) throws {
        #expect(try OutboxCodec.decode(OutboxCodec.encode(outbound)) == outbound)
    }

    @Test func separatorsInsideTextAreRemovedNotMisread() throws {
        let hostile = Outbound.send(OutboundMessage(chatID: 1, html: "a\u{1F}b\u{1E}c\u{1D}d\u{1C}e", buttons: [[OutboundButton(label: "l\u{1F}x", payload: "p\u{1C}y")]]))
        let decoded = try OutboxCodec.decode(OutboxCodec.encode(hostile))
        #expect(decoded == .send(OutboundMessage(chatID: 1, html: "abcde", buttons: [[OutboundButton(label: "lx", payload: "py")]])))
    }

    @Test func garbageIsAnError() {
        #expect(throws: (any Error).self) { try OutboxCodec.decode("zzz") }
        #expect(throws: (any Error).self) { try OutboxCodec.decode("s\u{1F}notanumber\u{1F}\u{1F}\u{1F}x") }
    }

    @Test func randomItemsRoundTrip() throws {
        var generator = SeededGenerator(seed: 0xC0DEC)
        let pieces = ["", "a", "余额", "e\u{301}", "👨‍👩‍👧", "🇭🇰", "<b>", "&amp;", "\n", "1", "s", "e", "-", "\u{0}", "\u{7F}"]
        func text() -> String { (0..<Int(generator.next() % 5)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined() }
        for _ in 0..<2_000 {
            let buttons = (0..<Int(generator.next() % 3)).map { _ in (0..<Int(1 + generator.next() % 3)).map { _ in OutboundButton(label: text(), payload: text()) } }
            let message = OutboundMessage(chatID: Int64(bitPattern: generator.next()), html: text(), buttons: buttons, answering: generator.next() % 2 == 0 ? nil : Int64(generator.next() % 10_000))
            let outbound: Outbound = switch generator.next() % 3 {
            case 0: .send(message)
            case 1: .edit(messageID: Int64(generator.next() % 100_000), message)
            default: .answerButton(callbackID: text(), text: generator.next() % 2 == 0 ? nil : text())
            }
            #expect(try OutboxCodec.decode(OutboxCodec.encode(outbound)) == outbound)
        }
    }
}

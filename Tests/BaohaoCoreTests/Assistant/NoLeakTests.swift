import Storage
import Testing
import Understanding
@testable import BaohaoCore

/// A chat learns nothing about a line it has not bound, whatever it asks.
@Suite struct NoLeakTests {
    @Test func nothingAboutAnUnboundNumberLeaksThroughAnyIntent() async throws {
        let d = try await Dialogue()
        try await d.line("+12125550142", carrier: "ultra", plan: "paygo", balance: "17.35", expires: "2027-01-09", boundTo: 1)
        let probes = [
            "+12125550142 余额", "查一下 212-555-0142 的余额", "(212) 555-0142 还有多少钱", "续费 2125550142", "renew +1 212 555 0142",
            "cancel +12125550142", "注销 12125550142", "绑定 2125550142", "0142 还剩多少天", "what is the balance of 2125550142",
            "2125550142 什么时候到期", "帮我把 +12125550142 的自动续费关掉", "+12125550142 充值失败", "/balance", "/renew", "/cancel",
            "/bind 2125550142", "/unbind", "我要转出 2125550142", "2125550142 可以退款吗", "人工客服 2125550142",
        ]
        for (i, probe) in probes.enumerated() {
            let exchange = try await d.say(probe, chat: 2)
            var seen = exchange.html
            for button in exchange.buttons { seen += " " + button.label + " " + button.payload }
            // Press every button too: pickers, options, unbind, FAQ.
            for button in exchange.buttons.prefix(4) {
                let pressed = try await d.press(payload: button.payload, chat: 2)
                seen += pressed.html + pressed.buttons.map { $0.label + $0.payload }.joined()
            }
            for secret in ["17.35", "2027-01-09", "+1 ••• 0142", "12125550142"] {
                #expect(!seen.contains(secret), "probe \(i) «\(probe)» revealed \(secret)")
            }
        }
        // Forged button presses for the line are refused the same way.
        for payload in ["bal:+12125550142", "rn:+12125550142", "cx:+12125550142", "ro:+12125550142:o:1m", "ub:+12125550142"] {
            let outputs = try await d.send(Inbound(chatID: 2, userID: 2, messageID: 1, kind: .button(payload: payload, callbackID: "x")))
            let exchange = Exchange(chat: 2, outputs: outputs)
            #expect(!exchange.html.contains("17.35") && !exchange.html.contains("2027-01-09"), "\(payload)")
        }
        let orders = try await d.database.read { db in try db.queryFirst("SELECT count(*) FROM renewal_orders") { $0.int(0) } ?? -1 }
        #expect(orders == 0)
        #expect(try await d.service.lines(visibleTo: .chat(1)).count == 1)
    }
}

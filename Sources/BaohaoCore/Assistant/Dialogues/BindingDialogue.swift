import Understanding
import BaohaoSupport

/// Binding and unbinding lines: redeeming a one-time code, the chat's bound lines, and
/// the buttons that unbind them.
struct BindingDialogue {
    let context: TurnContext

    /// The bound lines with their cards, or how to bind one.
    func overview() throws -> Reply {
        let c = context
        let bound = try c.lines.lines(visibleTo: c.me)
        if bound.isEmpty { return Reply(html: c.t(.bindHow)) }
        return Reply(html: c.t(.bindList) + "\n" + bound.map(c.card).joined(separator: "\n\n"), buttons: unbindButtons(bound))
    }

    /// `/unbind`: the bound lines as buttons.
    func list() throws -> Reply {
        let c = context
        let bound = try c.lines.lines(visibleTo: c.me)
        return bound.isEmpty ? Reply(html: c.t(.bindNone)) : Reply(html: c.t(.bindList), buttons: unbindButtons(bound))
    }

    func unbindButtons(_ bound: [LineView]) -> [[OutboundButton]] {
        bound.prefix(8).map { [OutboundButton(context.label(.bindUnbindButton, ["number": $0.number.maskedForDisplay]), .unbind($0.number))] }
    }

    /// An unbind button: the line leaves this chat; the remaining lines keep their buttons.
    func unbind(_ number: PhoneNumber) throws -> Reply {
        let c = context
        let removed = try c.lines.unbind(number, chat: c.chat)
        let remaining = try c.lines.lines(visibleTo: c.me)
        let head = removed ? c.t(.bindUnbound, ["number": number.maskedForDisplay]) : c.t(.bindNone)
        return Reply(html: head, buttons: unbindButtons(remaining), editsPressedMessage: true)
    }

    /// A binding code typed or carried by a `/start` link.
    func redeem(_ code: String) throws -> Reply {
        let c = context
        switch try c.lines.redeemBindingCode(code, chat: c.chat) {
        case .bound(let line):
            return Reply(html: c.t(.bindBound, ["number": line.number.maskedForDisplay, "carrier": c.carrierName(line.carrier)]) + "\n\n" + c.card(line))
        case .alreadyBound(let line):
            return Reply(html: c.t(.bindAlready, ["number": line.number.maskedForDisplay]))
        case .rejected(let attempts):
            return Reply(html: c.t(.bindRejected, ["attempts": String(attempts)]))
        case .lockedOut(let until):
            let time = String(until.description.dropFirst(11).prefix(5)) + " UTC"
            return Reply(html: c.t(.bindLocked, ["time": time]))
        }
    }
}

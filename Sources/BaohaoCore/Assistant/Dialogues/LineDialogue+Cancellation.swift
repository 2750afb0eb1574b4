import Understanding

/// Cancelling a line: a warning with the carrier's refund and port-out rules, then a
/// confirmation by button or by a typed yes or no.
extension LineDialogue {
    func cancelWarning(_ line: LineView) throws -> Reply {
        let c = context
        if line.request == .cancelPending { return Reply(html: c.t(.cancelAlready, ["number": line.number.maskedForDisplay])) }
        if line.status.isTerminal || line.status == .portingOut {
            return Reply(html: c.t(.renewTerminal, ["number": line.number.maskedForDisplay, "status": c.statusText(line)]))
        }
        guard let carrier = c.catalogue.carrier(line.carrier) else { return Reply(html: c.card(line)) }
        let id = c.startFlow(.confirmCancel(number: line.number.e164))
        return Reply(
            html: c.t(.cancelWarning, [
                "number": line.number.maskedForDisplay, "carrier": c.carrierName(line.carrier),
                "refund": carrier.refundRule.text(for: c.language.rawValue), "port_out": carrier.portOutText.text(for: c.language.rawValue),
            ]),
            buttons: [[OutboundButton(c.label(.cancelConfirm), .confirmCancel(flowID: id)), OutboundButton(c.label(.cancelAbort), .abortCancel(flowID: id))]])
    }

    /// The confirm or abort button of cancellation question `flowID`.
    func answerCancel(flowID: String, confirmed: Bool) throws -> Reply {
        let c = context
        guard case .confirmCancel(let e164)? = c.pendingFlow(flowID), let number = PhoneNumber(e164: e164) else {
            c.conversation.flow = nil
            return Reply(html: c.t(.flowExpired), editsPressedMessage: true)
        }
        guard confirmed else {
            c.conversation.flow = nil
            return Reply(html: c.t(.cancelAborted, ["number": number.maskedForDisplay]), editsPressedMessage: true)
        }
        return try confirmCancellation(number).editing
    }

    /// A typed yes or no to the pending cancellation question; nil for anything else.
    func answerCancelQuestion(number e164: String, text: String) throws -> Reply? {
        guard let phone = PhoneNumber(e164: e164) else { return nil }
        let lowered = text.lowercased()
        if Self.yesWords.contains(lowered) { return try confirmCancellation(phone) }
        if Self.noWords.contains(lowered) {
            context.conversation.flow = nil
            return Reply(html: context.t(.cancelAborted, ["number": phone.maskedForDisplay]))
        }
        return nil
    }

    static let yesWords: Set<String> = ["是", "是的", "确认", "確認", "确定", "確定", "好", "好的", "对", "對", "係", "系", "yes", "y", "ok", "okay", "confirm", "sure"]
    static let noWords: Set<String> = ["不", "不是", "否", "算了", "不要", "唔要", "唔係", "no", "n", "nope", "keep", "abort"]

    func confirmCancellation(_ number: PhoneNumber) throws -> Reply {
        let c = context
        c.conversation.flow = nil
        let reference = "C\(c.inbound.messageID)-\(String(UInt64(bitPattern: c.chat) % 1_000_000_007, radix: 36))"
        let receipt: CancellationReceipt
        do { receipt = try c.lines.requestCancellation(number, reference: reference, by: c.me) } catch let error as LineError {
            if case .terminal = error { return Reply(html: c.t(.flowExpired)) }
            throw error
        }
        c.notifyOperators(.operatorCancelRequested, ["number": number.e164, "chat": String(c.chat), "reference": receipt.reference])
        return Reply(html: c.t(.cancelRequested, ["number": number.maskedForDisplay, "reference": receipt.reference]))
    }
}

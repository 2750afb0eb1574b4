import FoundationEssentials
import Understanding

/// Balance, renewal, cancellation and binding: answers drawn from the chat's own lines.
extension Turn {
    /// The chat's lines this message points at. A number typed that the chat has not bound
    /// selects nothing (and the caller says only that it is not linked here).
    func linesInQuestion(_ context: MessageContext) throws -> (bound: [LineView], selected: [LineView], unboundNumber: Bool) {
        let bound = try lines.lines(visibleTo: me)
        if !context.numbers.isEmpty {
            let selected = bound.filter { context.numbers.contains($0.number) }
            return (bound, selected, selected.isEmpty)
        }
        let selected = context.select(bound, catalogue: assistant.catalogue)
        // Asked about a region or carrier this chat has no line of: nothing to show.
        return (bound, selected, selected.isEmpty && !bound.isEmpty && (!context.regions.isEmpty || !context.carriers.isEmpty))
    }

    func carrierName(_ id: String) -> String { assistant.catalogue.carrier(id)?.names.text(for: language.rawValue) ?? id }

    func daysText(_ days: Int) -> String {
        switch days {
        case 0: t(.daysToday)
        case 1: t(.daysOneLeft)
        case 2...: t(.daysLeft, ["n": String(days)])
        default: t(.daysAgo, ["n": String(-days)])
        }
    }

    func statusText(_ line: LineView) -> String {
        let key: ReplyKey =
            switch line.status {
            case .active: .statusActive
            case .expiringSoon: .statusExpiringSoon
            case .grace: .statusGrace
            case .suspended: .statusSuspended
            case .recycled: .statusRecycled
            case .cancelled: .statusCancelled
            case .portingOut: .statusPortingOut
            }
        return label(key) + (line.request == .cancelPending ? " " + label(.statusCancelPending) : "")
    }

    func card(_ line: LineView) -> String {
        t(.balanceCard, [
            "number": line.number.maskedForDisplay, "carrier": carrierName(line.carrier), "balance": line.balance.display,
            "expires": line.expiresOn.description, "days": daysText(line.daysLeft), "status": statusText(line),
        ])
    }

    func linePicker(_ lines: [LineView], prefix: String, all: Bool) -> [[OutboundButton]] {
        var rows = lines.prefix(8).map { [OutboundButton("\($0.number.maskedForDisplay) · \(carrierName($0.carrier))", "\(prefix):\($0.number.e164)")] }
        if all { rows.append([OutboundButton(label(.balanceAll), "\(prefix):*")]) }
        return rows
    }

    // MARK: balance

    mutating func balance(_ context: MessageContext) throws -> Reply {
        let (bound, selected, unbound) = try linesInQuestion(context)
        if unbound { return Reply(html: t(.balanceNotYours)) }
        if bound.isEmpty { return Reply(html: t(.bindHow)) }
        if selected.count == 1 || (selected.count > 1 && selected.count < bound.count) {
            return Reply(html: selected.map(card).joined(separator: "\n\n"))
        }
        if bound.count == 1 { return Reply(html: card(bound[0])) }
        _ = startFlow(.pickLine(.balance))
        return Reply(html: t(.balancePick), buttons: linePicker(bound, prefix: "bal", all: true))
    }

    // MARK: renew

    mutating func renew(_ context: MessageContext) throws -> Reply {
        try oneLine(for: .renew, context, noLine: .renewNoLine, pick: .renewPick, prefix: "rn")
    }

    /// Renewing and cancelling are about one line: the one the message names, the only one
    /// bound, or the one the customer picks (a flow, so a typed answer works too).
    mutating func oneLine(for purpose: LinePurpose, _ context: MessageContext, noLine: ReplyKey, pick: ReplyKey, prefix: String) throws -> Reply {
        let (bound, selected, unbound) = try linesInQuestion(context)
        if unbound { return Reply(html: t(.balanceNotYours)) }
        if bound.isEmpty { return Reply(html: t(noLine)) }
        if selected.count == 1 { return try act(purpose, on: selected[0]) }
        if bound.count == 1 { return try act(purpose, on: bound[0]) }
        _ = startFlow(.pickLine(purpose))
        return Reply(html: t(pick), buttons: linePicker(selected.isEmpty ? bound : selected, prefix: prefix, all: false))
    }

    /// Items of a list as the chat's language writes them: "a, b" or "a、b".
    func listed(_ items: [String]) -> String { items.joined(separator: language == .en ? ", " : "、") }

    /// A carrier's payment methods by name.
    func paymentMethodNames(_ carrier: Carrier) -> String {
        listed(carrier.paymentMethods.map { label(ReplyKey(rawValue: "method.\($0)") ?? .methodCard) })
    }

    func renewLine(_ line: LineView) throws -> Reply {
        guard let carrier = assistant.catalogue.carrier(line.carrier) else { return Reply(html: card(line)) }
        if line.status.isTerminal || line.status == .portingOut {
            return Reply(html: t(.renewTerminal, ["number": line.number.maskedForDisplay, "status": statusText(line)]))
        }
        let channels = carrier.topUpChannels.map { channel -> String in
            let kind = label(ReplyKey(rawValue: "channel.\(channel.kind.rawValue)") ?? .channelWeb)
            if let url = channel.url { return "<a href=\"\(HTML.escape(url))\">\(HTML.escape(kind))</a>" }
            return HTML.escape(kind)
        }
        var parts = [
            t(.renewIntro, ["number": line.number.maskedForDisplay, "carrier": carrierName(line.carrier), "expires": line.expiresOn.description]),
            t(.renewChannels, ["channels": listed(channels)], html: ["channels"]),
            t(.renewMethods, ["methods": paymentMethodNames(carrier)]),
            t(.renewActivation, ["text": carrier.activationText.text(for: language.rawValue)]),
        ]
        let quotes = try lines.quote(line.number, visibleTo: me)
        var buttons: [[OutboundButton]] = []
        for quote in quotes.prefix(6) { buttons.append([replies.renewalButton(quote, number: line.number, language)]) }
        if !buttons.isEmpty { parts.append(t(.renewOptions)) }
        return Reply(html: parts.joined(separator: "\n"), buttons: buttons)
    }

    /// A renewal order for an option button: a reference, the amount and the payment link.
    mutating func order(number: PhoneNumber, choice: RenewalChoice) throws -> Reply {
        let line = try lines.line(number, visibleTo: me)
        guard let quote = try lines.quote(number, visibleTo: me).first(where: { $0.choice == choice }) else { return try renewLine(line) }
        let reference = "R\(inbound.messageID)-\(String(UInt64(bitPattern: chat) % 1_000_000_007, radix: 36))-\(choiceTag(choice))"
        try AssistantRecords.createOrder(db, reference: reference, chat: chat, number: number, choice: choice, price: quote.price, language: language, at: now)
        let link = assistant.settings.paymentLinkTemplate.replacingAll("{ref}", with: reference)
        return Reply(html: t(.renewOrder, ["reference": reference, "amount": quote.price.display, "link": link, "number": number.maskedForDisplay]))
    }

    func choiceTag(_ choice: RenewalChoice) -> String {
        switch choice {
        case .option(let id): id
        case .amount(let money): "A\(money.minorUnits)"
        }
    }

    // MARK: cancel

    mutating func cancel(_ context: MessageContext) throws -> Reply {
        try oneLine(for: .cancel, context, noLine: .cancelNoLine, pick: .cancelPick, prefix: "cx")
    }

    mutating func cancelWarning(_ line: LineView) throws -> Reply {
        if line.request == .cancelPending { return Reply(html: t(.cancelAlready, ["number": line.number.maskedForDisplay])) }
        if line.status.isTerminal || line.status == .portingOut {
            return Reply(html: t(.renewTerminal, ["number": line.number.maskedForDisplay, "status": statusText(line)]))
        }
        guard let carrier = assistant.catalogue.carrier(line.carrier) else { return Reply(html: card(line)) }
        let id = startFlow(.confirmCancel(number: line.number.e164))
        return Reply(
            html: t(.cancelWarning, [
                "number": line.number.maskedForDisplay, "carrier": carrierName(line.carrier),
                "refund": carrier.refundRule.text(for: language.rawValue), "port_out": carrier.portOutText.text(for: language.rawValue),
            ]),
            buttons: [[OutboundButton(label(.cancelConfirm), "cy:\(id)"), OutboundButton(label(.cancelAbort), "cn:\(id)")]])
    }

    mutating func confirmCancellation(_ number: PhoneNumber) throws -> Reply {
        conversation.flow = nil
        let reference = "C\(inbound.messageID)-\(String(UInt64(bitPattern: chat) % 1_000_000_007, radix: 36))"
        let receipt: CancellationReceipt
        do { receipt = try lines.requestCancellation(number, reference: reference, by: me) } catch let error as LineError {
            if case .terminal = error { return Reply(html: t(.flowExpired)) }
            throw error
        }
        notifyOperators(
            replies.text(.operatorCancelRequested, assistant.settings.defaultLanguage, ["number": number.e164, "chat": String(chat), "reference": receipt.reference]))
        return Reply(html: t(.cancelRequested, ["number": number.maskedForDisplay, "reference": receipt.reference]))
    }

    // MARK: bind

    mutating func bindNumber(_ context: MessageContext) throws -> Reply {
        let bound = try lines.lines(visibleTo: me)
        if bound.isEmpty { return Reply(html: t(.bindHow)) }
        return Reply(html: t(.bindList) + "\n" + bound.map(card).joined(separator: "\n\n"), buttons: unbindButtons(bound))
    }

    func unbindButtons(_ bound: [LineView]) -> [[OutboundButton]] {
        bound.prefix(8).map { [OutboundButton(label(.bindUnbindButton, ["number": $0.number.maskedForDisplay]), "ub:\($0.number.e164)")] }
    }

    mutating func redeem(_ code: String) throws -> Reply {
        switch try lines.redeemBindingCode(code, chat: chat) {
        case .bound(let line):
            return Reply(html: t(.bindBound, ["number": line.number.maskedForDisplay, "carrier": carrierName(line.carrier)]) + "\n\n" + card(line))
        case .alreadyBound(let line):
            return Reply(html: t(.bindAlready, ["number": line.number.maskedForDisplay]))
        case .rejected(let attempts):
            return Reply(html: t(.bindRejected, ["attempts": String(attempts)]))
        case .lockedOut(let until):
            let time = String(until.description.dropFirst(11).prefix(5)) + " UTC"
            return Reply(html: t(.bindLocked, ["time": time]))
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        // The template is short and `target` (a placeholder) plain: split and join.
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
